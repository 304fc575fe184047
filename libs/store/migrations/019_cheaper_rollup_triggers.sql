-- event_counts from a batch counted once, at the finest grain, and the coarser grains summed from
-- those counts: the old function grouped every inserted row four times over (one per grain), the
-- largest part of the rollup triggers' cost per append (docs/decisions/043-ingest-cost-per-event.md).
-- Same rows, same counts: every grain nests in the next and all share date_bin's origin, so a 10 s
-- bucket lies in exactly one bucket of each coarser grain (as migration 008's rebuild relies on).
-- The function body only: which triggers fire on which table is unchanged.
CREATE OR REPLACE FUNCTION event_counts_add() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
  WITH tens AS (
    SELECT i.tenant, date_bin(INTERVAL '10 seconds', i.occurred_at, TIMESTAMPTZ '2000-01-01T00:00:00Z') AS bucket, i.type, i.status, count(*) AS n
      FROM inserted i
     GROUP BY 1, 2, 3, 4
  )
  INSERT INTO event_counts (tenant, grain, bucket, type, status, n)
  SELECT t.tenant, g.grain, date_bin(g.width, t.bucket, TIMESTAMPTZ '2000-01-01T00:00:00Z'), t.type, t.status, sum(t.n)::bigint
    FROM tens t
   CROSS JOIN (VALUES (10, INTERVAL '10 seconds'), (60, INTERVAL '1 minute'), (3600, INTERVAL '1 hour'), (86400, INTERVAL '1 day')) AS g(grain, width)
   GROUP BY 1, 2, 3, 4, 5
   ORDER BY 1, 2, 3, 4, 5
  ON CONFLICT (tenant, grain, bucket, type, status) DO UPDATE SET n = event_counts.n + EXCLUDED.n;
  RETURN NULL;
END
$$;
