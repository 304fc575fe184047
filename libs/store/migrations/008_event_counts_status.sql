-- event_counts also by status. The console's log histogram is a DSL count grouped by status over a
-- time window (24 h by default); without status in the rollup it read every event of the window
-- (172,800 on the query bench, about 1.7 s a load). NULL (no status) and '' are different statuses
-- in the events and stay different here: status is nullable, and the key treats NULLs as equal so
-- that one row per (tenant, grain, bucket, type, NULL) is kept and upserted
-- (docs/decisions/017-dsl-counts-from-a-rollup.md).

-- UNIQUE NULLS NOT DISTINCT needs PostgreSQL 15: say so instead of a syntax error.
DO $$
BEGIN
  IF current_setting('server_version_num')::int < 150000 THEN
    RAISE EXCEPTION 'eventlog needs PostgreSQL 15 or later (this server is %)', current_setting('server_version');
  END IF;
END
$$;

-- Appends wait until this commits: the rebuild counts exactly the events before it, the new
-- trigger function every one after.
LOCK TABLE events IN SHARE ROW EXCLUSIVE MODE;

-- Every row splits by status, so the table is rebuilt from the events; the key is built after the
-- rows are in (one sort instead of an index insert a row).
TRUNCATE event_counts;
ALTER TABLE event_counts DROP CONSTRAINT event_counts_pkey;
ALTER TABLE event_counts ADD COLUMN status text COLLATE "C";

CREATE OR REPLACE FUNCTION event_counts_add() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
  INSERT INTO event_counts (tenant, grain, bucket, type, status, n)
  SELECT i.tenant, g.grain, date_bin(g.width, i.occurred_at, TIMESTAMPTZ '2000-01-01T00:00:00Z'), i.type, i.status, count(*)
    FROM inserted i
   CROSS JOIN (VALUES (10, INTERVAL '10 seconds'), (60, INTERVAL '1 minute'), (3600, INTERVAL '1 hour'), (86400, INTERVAL '1 day')) AS g(grain, width)
   GROUP BY 1, 2, 3, 4, 5
   ORDER BY 1, 2, 3, 4, 5
  ON CONFLICT (tenant, grain, bucket, type, status) DO UPDATE SET n = event_counts.n + EXCLUDED.n;
  RETURN NULL;
END
$$;

-- The 10 s counts first, the coarser grains summed from them: every grain nests in the next one
-- and all share date_bin's origin, so a 10 s bucket lies in exactly one bucket of each grain.
CREATE TEMPORARY TABLE event_counts_10s ON COMMIT DROP AS
SELECT tenant, date_bin(INTERVAL '10 seconds', occurred_at, TIMESTAMPTZ '2000-01-01T00:00:00Z') AS bucket, type, status, count(*) AS n
  FROM events
 GROUP BY 1, 2, 3, 4;

INSERT INTO event_counts (tenant, grain, bucket, type, status, n)
SELECT tenant, 10, bucket, type, status, n FROM event_counts_10s
UNION ALL
SELECT tenant, g.grain, date_bin(g.width, c.bucket, TIMESTAMPTZ '2000-01-01T00:00:00Z'), type, status, sum(n)::bigint
  FROM event_counts_10s c
 CROSS JOIN (VALUES (60, INTERVAL '1 minute'), (3600, INTERVAL '1 hour'), (86400, INTERVAL '1 day')) AS g(grain, width)
 GROUP BY 1, 2, 3, 4, 5;

ALTER TABLE event_counts ADD CONSTRAINT event_counts_key UNIQUE NULLS NOT DISTINCT (tenant, grain, bucket, type, status);

-- The planner's statistics of the old rows are of no use for the new ones.
ANALYZE event_counts;
