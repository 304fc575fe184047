-- A 10-second grain for event_counts. A DSL count over a window sums whole buckets and counts the
-- events of the partial buckets at its two edges from the log: with minutes as the finest grain a
-- "last five minutes" count read up to two minutes of events, the slowest query of the soak (p99
-- 2.1-2.6 s with 16 clients); with 10 s it reads up to 20 s of them
-- (docs/decisions/017-dsl-counts-from-a-rollup.md).

-- Appends wait until this commits: the backfill counts exactly the events before it, the new
-- trigger function every one after.
LOCK TABLE events IN SHARE ROW EXCLUSIVE MODE;

ALTER TABLE event_counts DROP CONSTRAINT event_counts_grain_check;
ALTER TABLE event_counts ADD CONSTRAINT event_counts_grain_check CHECK (grain IN (10, 60, 3600, 86400));

CREATE OR REPLACE FUNCTION event_counts_add() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
  INSERT INTO event_counts (tenant, grain, bucket, type, n)
  SELECT i.tenant, g.grain, date_bin(g.width, i.occurred_at, TIMESTAMPTZ '2000-01-01T00:00:00Z'), i.type, count(*)
    FROM inserted i
   CROSS JOIN (VALUES (10, INTERVAL '10 seconds'), (60, INTERVAL '1 minute'), (3600, INTERVAL '1 hour'), (86400, INTERVAL '1 day')) AS g(grain, width)
   GROUP BY 1, 2, 3, 4
   ORDER BY 1, 2, 3, 4
  ON CONFLICT (tenant, grain, bucket, type) DO UPDATE SET n = event_counts.n + EXCLUDED.n;
  RETURN NULL;
END
$$;

INSERT INTO event_counts (tenant, grain, bucket, type, n)
SELECT tenant, 10, date_bin(INTERVAL '10 seconds', occurred_at, TIMESTAMPTZ '2000-01-01T00:00:00Z'), type, count(*)
  FROM events
 GROUP BY 1, 2, 3, 4;
