-- The rollup triggers' partition lookup once per distinct recorded_at, as it was meant to be.
-- Referenced once, the `parts` CTE was inlined, and its subquery on event_partitions ran once per
-- inserted row (11,000 index scans for a batch of 11,000). Its estimate then passed
-- jit_above_cost, and Postgres compiled each trigger's statement for every batch: 22 ms of JIT of
-- 82 ms per batch, against 18-27 ms materialised and without JIT (EXPLAIN ANALYZE on a batch of
-- the ingest bench; decision 047). JIT is off for both: a statement run once per batch over a few
-- thousand rows never repays compiling it. Same rows, same counts; the function bodies only.
CREATE OR REPLACE FUNCTION event_counts_add() RETURNS trigger LANGUAGE plpgsql SET jit = off AS $$
BEGIN
  WITH parts AS MATERIALIZED (
    SELECT r.recorded_at,
           coalesce((SELECT p.from_at FROM event_partitions p WHERE p.from_at <= r.recorded_at AND r.recorded_at < p.to_at), '-infinity') AS part_from
      FROM (SELECT DISTINCT recorded_at FROM inserted) r
  ), tens AS (
    SELECT i.tenant, date_bin(INTERVAL '10 seconds', i.occurred_at, TIMESTAMPTZ '2000-01-01T00:00:00Z') AS bucket, i.type, i.status, parts.part_from, count(*) AS n
      FROM inserted i JOIN parts USING (recorded_at)
     GROUP BY 1, 2, 3, 4, 5
  )
  INSERT INTO event_counts (tenant, grain, bucket, type, status, part_from, n)
  SELECT t.tenant, g.grain, date_bin(g.width, t.bucket, TIMESTAMPTZ '2000-01-01T00:00:00Z'), t.type, t.status, t.part_from, sum(t.n)::bigint
    FROM tens t
   CROSS JOIN (VALUES (10, INTERVAL '10 seconds'), (60, INTERVAL '1 minute'), (3600, INTERVAL '1 hour'), (86400, INTERVAL '1 day')) AS g(grain, width)
   GROUP BY 1, 2, 3, 4, 5, 6
   ORDER BY 1, 2, 3, 4, 5, 6
  ON CONFLICT (tenant, grain, bucket, type, status, part_from) DO UPDATE SET n = event_counts.n + EXCLUDED.n;
  RETURN NULL;
END
$$;

CREATE OR REPLACE FUNCTION event_totals_add() RETURNS trigger LANGUAGE plpgsql SET jit = off AS $$
BEGIN
  WITH parts AS MATERIALIZED (
    SELECT r.recorded_at,
           coalesce((SELECT p.from_at FROM event_partitions p WHERE p.from_at <= r.recorded_at AND r.recorded_at < p.to_at), '-infinity') AS part_from
      FROM (SELECT DISTINCT recorded_at FROM inserted) r
  )
  INSERT INTO event_totals AS t (tenant, type, status, source, part_from, n, first_occurred_at, last_occurred_at)
  SELECT i.tenant, i.type, coalesce(i.status, ''), coalesce(i.source, ''), parts.part_from, count(*), min(i.occurred_at), max(i.occurred_at)
    FROM inserted i JOIN parts USING (recorded_at)
   GROUP BY 1, 2, 3, 4, 5
   ORDER BY 1, 2, 3, 4, 5
  ON CONFLICT (tenant, type, status, source, part_from) DO UPDATE SET
    n = t.n + EXCLUDED.n,
    first_occurred_at = LEAST(t.first_occurred_at, EXCLUDED.first_occurred_at),
    last_occurred_at = GREATEST(t.last_occurred_at, EXCLUDED.last_occurred_at);
  RETURN NULL;
END
$$;
