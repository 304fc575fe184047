-- Event counts per tenant, type and time bucket, at three grains (minute, hour, day), kept by the
-- database itself: a DSL count over a long window (POST /v1/query, reduce count by type and/or a
-- time bucket) sums a few thousand of these rows instead of reading a million events
-- (docs/decisions/017-dsl-counts-from-a-rollup.md).

CREATE TABLE event_counts (
  tenant text        COLLATE "C" NOT NULL,
  -- Bucket width in seconds: 60, 3600 or 86400. Buckets start at date_bin(width, occurred_at,
  -- 2000-01-01T00:00:00Z), the origin the DSL's time buckets use, so every DSL interval is a whole
  -- number of buckets of some grain.
  grain  integer     NOT NULL CHECK (grain IN (60, 3600, 86400)),
  bucket timestamptz NOT NULL,
  type   text        COLLATE "C" NOT NULL,
  n      bigint      NOT NULL CHECK (n > 0),
  PRIMARY KEY (tenant, grain, bucket, type)
);

-- Once per INSERT statement (ingest writes a whole Kafka batch with one), from the rows it
-- inserted: duplicates skipped by ingest never reach it. Appends are serialised by the
-- event_position lock, so these upserts never wait on each other.
CREATE FUNCTION event_counts_add() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
  INSERT INTO event_counts (tenant, grain, bucket, type, n)
  SELECT i.tenant, g.grain, date_bin(g.width, i.occurred_at, TIMESTAMPTZ '2000-01-01T00:00:00Z'), i.type, count(*)
    FROM inserted i
   CROSS JOIN (VALUES (60, INTERVAL '1 minute'), (3600, INTERVAL '1 hour'), (86400, INTERVAL '1 day')) AS g(grain, width)
   GROUP BY 1, 2, 3, 4
   ORDER BY 1, 2, 3, 4
  ON CONFLICT (tenant, grain, bucket, type) DO UPDATE SET n = event_counts.n + EXCLUDED.n;
  RETURN NULL;
END
$$;

-- Creating the trigger locks out appends until this migration commits, so the backfill below
-- counts exactly the events committed before it, and the trigger every one after.
CREATE TRIGGER events_count AFTER INSERT ON events
  REFERENCING NEW TABLE AS inserted
  FOR EACH STATEMENT EXECUTE FUNCTION event_counts_add();

INSERT INTO event_counts (tenant, grain, bucket, type, n)
SELECT e.tenant, g.grain, date_bin(g.width, e.occurred_at, TIMESTAMPTZ '2000-01-01T00:00:00Z'), e.type, count(*)
  FROM events e
 CROSS JOIN (VALUES (60, INTERVAL '1 minute'), (3600, INTERVAL '1 hour'), (86400, INTERVAL '1 day')) AS g(grain, width)
 GROUP BY 1, 2, 3, 4;
