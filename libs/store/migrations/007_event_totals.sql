-- Every tenant's event count by (type, status, source) and its occurred_at span, kept by the same
-- kind of statement trigger as event_counts. GET /v1/stats without a stream or a window counted a
-- whole tenant's events: 2.7 s on 5,000,000 of them, 26 s with 16 clients
-- (docs/decisions/016-query-stats-and-lag.md). No status or source is kept as '', which is how
-- stats report it.

CREATE TABLE event_totals (
  tenant            text        COLLATE "C" NOT NULL,
  type              text        COLLATE "C" NOT NULL,
  status            text        COLLATE "C" NOT NULL,
  source            text        COLLATE "C" NOT NULL,
  n                 bigint      NOT NULL,
  first_occurred_at timestamptz NOT NULL,
  last_occurred_at  timestamptz NOT NULL,
  PRIMARY KEY (tenant, type, status, source)
);

CREATE FUNCTION event_totals_add() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
  INSERT INTO event_totals AS t (tenant, type, status, source, n, first_occurred_at, last_occurred_at)
  SELECT i.tenant, i.type, coalesce(i.status, ''), coalesce(i.source, ''), count(*), min(i.occurred_at), max(i.occurred_at)
    FROM inserted i
   GROUP BY 1, 2, 3, 4
   ORDER BY 1, 2, 3, 4
  ON CONFLICT (tenant, type, status, source) DO UPDATE SET
    n = t.n + EXCLUDED.n,
    first_occurred_at = LEAST(t.first_occurred_at, EXCLUDED.first_occurred_at),
    last_occurred_at = GREATEST(t.last_occurred_at, EXCLUDED.last_occurred_at);
  RETURN NULL;
END
$$;

-- Appends wait until this commits: the backfill counts exactly the events before it, the trigger
-- every one after.
LOCK TABLE events IN SHARE ROW EXCLUSIVE MODE;

CREATE TRIGGER events_total AFTER INSERT ON events
  REFERENCING NEW TABLE AS inserted
  FOR EACH STATEMENT EXECUTE FUNCTION event_totals_add();

INSERT INTO event_totals (tenant, type, status, source, n, first_occurred_at, last_occurred_at)
SELECT tenant, type, coalesce(status, ''), coalesce(source, ''), count(*), min(occurred_at), max(occurred_at)
  FROM events
 GROUP BY 1, 2, 3, 4;
