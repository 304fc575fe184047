-- event_counts from a batch counted once, at the finest grain, and the coarser grains summed from
-- those counts: the old function grouped every inserted row four times over (one per grain), the
-- largest part of the rollup triggers' cost per append (docs/decisions/043-ingest-cost-per-event.md).
-- Same rows, same counts: every grain nests in the next and all share date_bin's origin, so a 10 s
-- bucket lies in exactly one bucket of each coarser grain (as migration 008's rebuild relies on).
-- Rows stay keyed by the partition of the log they count (part_from, migration 013).
-- The function body only: which triggers fire on which table is unchanged.
CREATE OR REPLACE FUNCTION event_counts_add() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
  WITH parts AS (
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
