-- The log becomes range-partitioned by recorded_at, one partition per UTC day (plus a DEFAULT one
-- that only catches a row no partition covers), so that retention drops whole days and never
-- deletes rows (docs/decisions/039-time-partitions-and-retention.md). recorded_at follows position
-- (004), so a partition is also a range of positions.
--
-- Uniqueness across partitions: a unique index of a partitioned table must hold the partition key,
-- so (tenant, id) moves to event_ids, written by a statement trigger in the same transaction as
-- the events; (tenant, stream, version) is unique in each partition, and across them by the stream
-- heads, which appends move under the append lock (a version is always its head + 1).
--
-- The count rollups (event_counts, event_totals) are partitioned the same way: each of their rows
-- counts events of one partition of the log (part_from, that partition's lower bound), so that
-- retention drops a day of counts with the day of events instead of subtracting them (readers sum
-- over the rows of a key already). open_chains stays one table.
--
-- The existing rows are copied into their day's partitions under an exclusive lock: positions,
-- versions and every column stay as they were. The count rollups are rebuilt from them, split by
-- day; open_chains is left as it is.

LOCK TABLE events, event_counts, event_totals IN ACCESS EXCLUSIVE MODE;

ALTER TABLE events RENAME TO events_unpartitioned;
-- Free the names the partitioned table takes over.
ALTER TABLE events_unpartitioned DROP CONSTRAINT events_tenant_id_key, DROP CONSTRAINT events_stream_version_key;
DROP INDEX events_tenant_occurred_at_idx, events_tenant_request_idx, events_tenant_position_idx, events_tenant_type_position_idx;

ALTER TABLE event_counts RENAME TO event_counts_unpartitioned;
ALTER TABLE event_counts_unpartitioned DROP CONSTRAINT event_counts_key;
ALTER TABLE event_totals RENAME TO event_totals_unpartitioned;
ALTER TABLE event_totals_unpartitioned DROP CONSTRAINT event_totals_pkey;

CREATE TABLE event_counts (
  tenant    text        COLLATE "C" NOT NULL,
  grain     integer     NOT NULL CHECK (grain IN (10, 60, 3600, 86400)),
  bucket    timestamptz NOT NULL,
  type      text        COLLATE "C" NOT NULL,
  status    text        COLLATE "C",
  n         bigint      NOT NULL CHECK (n > 0),
  -- The lower bound of the events partition counted ('-infinity': the DEFAULT one).
  part_from timestamptz NOT NULL,
  CONSTRAINT event_counts_key UNIQUE NULLS NOT DISTINCT (tenant, grain, bucket, type, status, part_from)
) PARTITION BY RANGE (part_from);

CREATE TABLE event_totals (
  tenant            text        COLLATE "C" NOT NULL,
  type              text        COLLATE "C" NOT NULL,
  status            text        COLLATE "C" NOT NULL,
  source            text        COLLATE "C" NOT NULL,
  n                 bigint      NOT NULL,
  first_occurred_at timestamptz NOT NULL,
  last_occurred_at  timestamptz NOT NULL,
  part_from         timestamptz NOT NULL,
  PRIMARY KEY (tenant, type, status, source, part_from)
) PARTITION BY RANGE (part_from);

CREATE TABLE events (
  position        bigint      NOT NULL,
  tenant          text        COLLATE "C" NOT NULL,
  id              text        COLLATE "C" NOT NULL,
  stream          text        COLLATE "C" NOT NULL,
  version         bigint      NOT NULL CHECK (version >= 1),
  type            text        COLLATE "C" NOT NULL,
  data            jsonb       NOT NULL,
  metadata        jsonb       NOT NULL,
  source          text        COLLATE "C",
  status          text        COLLATE "C",
  message         text,
  request_id      text        COLLATE "C",
  node_id         text        COLLATE "C" NOT NULL,
  parent_node_id  text        COLLATE "C",
  occurred_at     timestamptz NOT NULL,
  recorded_at     timestamptz NOT NULL DEFAULT now(),
  kafka_topic     text,
  kafka_partition integer,
  kafka_offset    bigint
) PARTITION BY RANGE (recorded_at);

-- Every event id ever appended, per tenant: the idempotency key, unique across partitions. Kept
-- when retention drops the events (an old record redelivered stays a duplicate).
CREATE TABLE event_ids (
  tenant text COLLATE "C" NOT NULL,
  id     text COLLATE "C" NOT NULL
);

-- The partitions and their bounds, so that ingest finds the one a batch goes to in the statement
-- that stamps recorded_at, and retention knows what each one covers without parsing the catalog.
CREATE TABLE event_partitions (
  name    text        COLLATE "C" PRIMARY KEY,
  from_at timestamptz NOT NULL,
  to_at   timestamptz NOT NULL CHECK (from_at < to_at)
);
CREATE INDEX event_partitions_from_at_idx ON event_partitions (from_at);

-- The rollup triggers of 007 and 008, keyed by the partition each row went to as well. The rows of
-- one statement share recorded_at when ingest writes them (one stamp a batch): the partition is
-- looked up once per distinct recorded_at.
CREATE OR REPLACE FUNCTION event_counts_add() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
  WITH parts AS (
    SELECT r.recorded_at,
           coalesce((SELECT p.from_at FROM event_partitions p WHERE p.from_at <= r.recorded_at AND r.recorded_at < p.to_at), '-infinity') AS part_from
      FROM (SELECT DISTINCT recorded_at FROM inserted) r
  )
  INSERT INTO event_counts (tenant, grain, bucket, type, status, part_from, n)
  SELECT i.tenant, g.grain, date_bin(g.width, i.occurred_at, TIMESTAMPTZ '2000-01-01T00:00:00Z'), i.type, i.status, parts.part_from, count(*)
    FROM inserted i JOIN parts USING (recorded_at)
   CROSS JOIN (VALUES (10, INTERVAL '10 seconds'), (60, INTERVAL '1 minute'), (3600, INTERVAL '1 hour'), (86400, INTERVAL '1 day')) AS g(grain, width)
   GROUP BY 1, 2, 3, 4, 5, 6
   ORDER BY 1, 2, 3, 4, 5, 6
  ON CONFLICT (tenant, grain, bucket, type, status, part_from) DO UPDATE SET n = event_counts.n + EXCLUDED.n;
  RETURN NULL;
END
$$;

CREATE OR REPLACE FUNCTION event_totals_add() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
  WITH parts AS (
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

CREATE FUNCTION event_ids_add() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
  INSERT INTO event_ids (tenant, id) SELECT tenant, id FROM inserted;
  RETURN NULL;
END
$$;

-- What every partition carries besides the parent's indexes (which attach by themselves): its own
-- unique keys and the statement triggers. A statement trigger fires for the table an INSERT or
-- COPY names: ingest writes straight into a partition (COPY into a parent with transition-table
-- triggers goes row by row), other writers through the parent, which has the same triggers.
CREATE FUNCTION events_partition_objects(part text) RETURNS void LANGUAGE plpgsql AS $$
DECLARE
  suffix text := substr(part, length('events_') + 1);
BEGIN
  EXECUTE format('CREATE UNIQUE INDEX %I ON %I (position)', 'events_position_key_' || suffix, part);
  EXECUTE format('CREATE UNIQUE INDEX %I ON %I (tenant, stream, version)', 'events_stream_version_key_' || suffix, part);
  EXECUTE format('CREATE TRIGGER events_count AFTER INSERT ON %I REFERENCING NEW TABLE AS inserted FOR EACH STATEMENT EXECUTE FUNCTION event_counts_add()', part);
  EXECUTE format('CREATE TRIGGER events_total AFTER INSERT ON %I REFERENCING NEW TABLE AS inserted FOR EACH STATEMENT EXECUTE FUNCTION event_totals_add()', part);
  EXECUTE format('CREATE TRIGGER events_open_chains AFTER INSERT ON %I REFERENCING NEW TABLE AS inserted FOR EACH STATEMENT EXECUTE FUNCTION open_chains_follow()', part);
  EXECUTE format('CREATE TRIGGER events_ids AFTER INSERT ON %I REFERENCING NEW TABLE AS inserted FOR EACH STATEMENT EXECUTE FUNCTION event_ids_add()', part);
  EXECUTE format('CREATE TRIGGER events_no_truncate BEFORE TRUNCATE ON %I FOR EACH STATEMENT EXECUTE FUNCTION events_refuse_change()', part);
END
$$;

-- events_YYYYMMDD for a partition starting at midnight UTC, events_YYYYMMDD_HHMISS otherwise.
CREATE FUNCTION events_partition_name(from_at timestamptz) RETURNS text LANGUAGE sql IMMUTABLE AS $$
  SELECT 'events_' || to_char(from_at AT TIME ZONE 'UTC', 'YYYYMMDD')
         || CASE WHEN (from_at AT TIME ZONE 'UTC')::time = '00:00' THEN '' ELSE to_char(from_at AT TIME ZONE 'UTC', '_HH24MISS') END
$$;

-- Attaches a new, empty table as the partition of `parent` for [from_at, to_at) of `key`: built
-- apart and attached, which takes a SHARE UPDATE EXCLUSIVE lock on the parent rather than the
-- ACCESS EXCLUSIVE one of CREATE TABLE … PARTITION OF, so writes and reads go on. The CHECK lets
-- ATTACH skip scanning it.
CREATE FUNCTION partition_attach_new(parent text, part text, key text, from_at timestamptz, to_at timestamptz, objects boolean) RETURNS void LANGUAGE plpgsql AS $$
BEGIN
  EXECUTE format('CREATE TABLE %I (LIKE %I INCLUDING DEFAULTS INCLUDING CONSTRAINTS)', part, parent);
  EXECUTE format('ALTER TABLE %I ADD CONSTRAINT %I CHECK (%I >= %L AND %I < %L)', part, part || '_range', key, from_at, key, to_at);
  IF objects THEN PERFORM events_partition_objects(part); END IF;
  EXECUTE format('ALTER TABLE %I ATTACH PARTITION %I FOR VALUES FROM (%L) TO (%L)', parent, part, from_at, to_at);
END
$$;

-- The events partition for [from_at, to_at) and the rollups' partitions of its counts.
CREATE FUNCTION events_create_partition(from_at timestamptz, to_at timestamptz) RETURNS text LANGUAGE plpgsql AS $$
DECLARE
  part text := events_partition_name(from_at);
  suffix text := substr(part, length('events_') + 1);
BEGIN
  PERFORM partition_attach_new('event_counts', 'event_counts_' || suffix, 'part_from', from_at, to_at, false);
  PERFORM partition_attach_new('event_totals', 'event_totals_' || suffix, 'part_from', from_at, to_at, false);
  PERFORM partition_attach_new('events', part, 'recorded_at', from_at, to_at, true);
  INSERT INTO event_partitions (name, from_at, to_at) VALUES (part, from_at, to_at);
  RETURN part;
END
$$;

-- Makes every instant from the start of today (UTC) to `until` belong to a partition: whole UTC
-- days, except where a partition already covers part of a day (the gap is filled up to it).
-- Returns the partitions it created. Serialised, so two instances never create the same one.
CREATE FUNCTION events_ensure_partitions(until timestamptz) RETURNS SETOF text LANGUAGE plpgsql AS $$
DECLARE
  cursor_at timestamptz := date_trunc('day', now() AT TIME ZONE 'UTC') AT TIME ZONE 'UTC';
  covering event_partitions;
  next_from timestamptz;
  end_at timestamptz;
BEGIN
  PERFORM pg_advisory_xact_lock(4242013);
  WHILE cursor_at < until LOOP
    SELECT * INTO covering FROM event_partitions p WHERE p.from_at <= cursor_at AND cursor_at < p.to_at;
    IF FOUND THEN
      cursor_at := covering.to_at;
      CONTINUE;
    END IF;
    SELECT min(p.from_at) INTO next_from FROM event_partitions p WHERE p.from_at > cursor_at;
    end_at := LEAST(date_trunc('day', cursor_at AT TIME ZONE 'UTC') AT TIME ZONE 'UTC' + interval '1 day', next_from);
    RETURN NEXT events_create_partition(cursor_at, end_at);
    cursor_at := end_at;
  END LOOP;
END
$$;

-- The partitions of the existing rows' days, without their unique indexes and triggers yet: the
-- copy below goes faster into bare tables, and the rollups must not count it again.
DO $$
DECLARE
  day timestamptz;
  part text;
BEGIN
  FOR day IN
    SELECT generate_series(
             date_trunc('day', coalesce(min(recorded_at), now()) AT TIME ZONE 'UTC') AT TIME ZONE 'UTC',
             date_trunc('day', greatest(max(recorded_at), now()) AT TIME ZONE 'UTC') AT TIME ZONE 'UTC',
             interval '1 day')
      FROM events_unpartitioned
  LOOP
    part := events_partition_name(day);
    EXECUTE format('CREATE TABLE %I PARTITION OF events FOR VALUES FROM (%L) TO (%L)', part, day, day + interval '1 day');
    EXECUTE format('CREATE TABLE %I PARTITION OF event_counts FOR VALUES FROM (%L) TO (%L)', 'event_counts_' || substr(part, 8), day, day + interval '1 day');
    EXECUTE format('CREATE TABLE %I PARTITION OF event_totals FOR VALUES FROM (%L) TO (%L)', 'event_totals_' || substr(part, 8), day, day + interval '1 day');
    INSERT INTO event_partitions (name, from_at, to_at) VALUES (part, day, day + interval '1 day');
  END LOOP;
END
$$;
CREATE TABLE events_default PARTITION OF events DEFAULT;
CREATE TABLE event_counts_default PARTITION OF event_counts DEFAULT;
CREATE TABLE event_totals_default PARTITION OF event_totals DEFAULT;

INSERT INTO events (position, tenant, id, stream, version, type, data, metadata, source, status, message, request_id,
                    node_id, parent_node_id, occurred_at, recorded_at, kafka_topic, kafka_partition, kafka_offset)
SELECT position, tenant, id, stream, version, type, data, metadata, source, status, message, request_id,
       node_id, parent_node_id, occurred_at, recorded_at, kafka_topic, kafka_partition, kafka_offset
  FROM events_unpartitioned;

INSERT INTO event_ids (tenant, id) SELECT tenant, id FROM events_unpartitioned;

-- The count rollups again, by day of recorded_at (as in 008: 10 s counts first, the coarser grains
-- summed from them).
CREATE TEMPORARY TABLE event_counts_10s ON COMMIT DROP AS
SELECT tenant, date_bin(INTERVAL '10 seconds', occurred_at, TIMESTAMPTZ '2000-01-01T00:00:00Z') AS bucket, type, status,
       date_trunc('day', recorded_at AT TIME ZONE 'UTC') AT TIME ZONE 'UTC' AS part_from, count(*) AS n
  FROM events_unpartitioned
 GROUP BY 1, 2, 3, 4, 5;
INSERT INTO event_counts (tenant, grain, bucket, type, status, part_from, n)
SELECT tenant, 10, bucket, type, status, part_from, n FROM event_counts_10s
UNION ALL
SELECT tenant, g.grain, date_bin(g.width, c.bucket, TIMESTAMPTZ '2000-01-01T00:00:00Z'), type, status, part_from, sum(n)::bigint
  FROM event_counts_10s c
 CROSS JOIN (VALUES (60, INTERVAL '1 minute'), (3600, INTERVAL '1 hour'), (86400, INTERVAL '1 day')) AS g(grain, width)
 GROUP BY 1, 2, 3, 4, 5, 6;
INSERT INTO event_totals (tenant, type, status, source, part_from, n, first_occurred_at, last_occurred_at)
SELECT tenant, type, coalesce(status, ''), coalesce(source, ''), date_trunc('day', recorded_at AT TIME ZONE 'UTC') AT TIME ZONE 'UTC',
       count(*), min(occurred_at), max(occurred_at)
  FROM events_unpartitioned
 GROUP BY 1, 2, 3, 4, 5;
DROP TABLE event_counts_unpartitioned, event_totals_unpartitioned;
ALTER TABLE event_ids ADD CONSTRAINT events_tenant_id_key PRIMARY KEY (tenant, id);

DROP TABLE events_unpartitioned;

-- The indexes of 001, 002 and 011, on every partition (present and future) through the parent.
CREATE INDEX events_tenant_occurred_at_idx ON events (tenant, occurred_at, position);
CREATE INDEX events_tenant_request_idx ON events (tenant, request_id) WHERE request_id IS NOT NULL;
CREATE INDEX events_tenant_position_idx ON events (tenant, position);
CREATE INDEX events_tenant_type_position_idx ON events (tenant, type, position);
-- GET /v1/events/{id} (event_ids only says whether an id was ever used).
CREATE INDEX events_tenant_id_idx ON events (tenant, id);

SELECT events_partition_objects(name) FROM event_partitions;
SELECT events_partition_objects('events_default');

-- The parent's own: row triggers are cloned to every partition; the statement triggers fire for
-- writes that name the parent.
CREATE TRIGGER events_append_only BEFORE UPDATE OR DELETE ON events
  FOR EACH ROW EXECUTE FUNCTION events_refuse_change();
CREATE TRIGGER events_no_truncate BEFORE TRUNCATE ON events
  FOR EACH STATEMENT EXECUTE FUNCTION events_refuse_change();
CREATE TRIGGER events_count AFTER INSERT ON events REFERENCING NEW TABLE AS inserted
  FOR EACH STATEMENT EXECUTE FUNCTION event_counts_add();
CREATE TRIGGER events_total AFTER INSERT ON events REFERENCING NEW TABLE AS inserted
  FOR EACH STATEMENT EXECUTE FUNCTION event_totals_add();
CREATE TRIGGER events_open_chains AFTER INSERT ON events REFERENCING NEW TABLE AS inserted
  FOR EACH STATEMENT EXECUTE FUNCTION open_chains_follow();
CREATE TRIGGER events_ids AFTER INSERT ON events REFERENCING NEW TABLE AS inserted
  FOR EACH STATEMENT EXECUTE FUNCTION event_ids_add();

-- A week ahead, so that appends find their partition before ingest first runs its own upkeep.
SELECT events_ensure_partitions(now() + interval '7 days');

ANALYZE events;
ANALYZE event_ids;
ANALYZE event_counts;
ANALYZE event_totals;
