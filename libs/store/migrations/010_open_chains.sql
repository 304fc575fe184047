-- The open chains: one row per chain (tenant, requestId) whose latest event has an open status
-- (pending, waiting, running), kept by the database itself like event_counts. The stall detector
-- and GET /v1/traces?status=running&stalledFor=… read this small table instead of looking for the
-- latest event of every chain in the log (docs/decisions/031-stalled-chains.md).

CREATE TABLE open_chains (
  tenant      text        COLLATE "C" NOT NULL,
  request_id  text        COLLATE "C" NOT NULL,
  -- The chain's latest event (highest position).
  position    bigint      NOT NULL,
  id          text        COLLATE "C" NOT NULL,
  node_id     text        COLLATE "C" NOT NULL,
  type        text        COLLATE "C" NOT NULL,
  status      text        COLLATE "C" NOT NULL,
  recorded_at timestamptz NOT NULL,
  PRIMARY KEY (tenant, request_id)
);

-- Both readers ask for chains idle since before a time: the detector across tenants, longest idle
-- first; the list within one tenant, newest first, keyset-paged on (recorded_at, position).
CREATE INDEX open_chains_recorded_at_idx ON open_chains (recorded_at, position);

-- Once per INSERT statement (a whole Kafka batch), from the rows it inserted: a chain whose latest
-- event in the batch is open is upserted, any other chain of the batch is removed. Appends are
-- serialised by the event_position lock, so these writes never wait on each other. A batch touches
-- few of the open chains: joins are kept to primary-key probes, never a scan of the whole table
-- (the planner, not knowing how many chains a batch holds, would otherwise hash all of it).
CREATE FUNCTION open_chains_follow() RETURNS trigger LANGUAGE plpgsql
  SET enable_hashjoin = off SET enable_mergejoin = off AS $$
BEGIN
  WITH latest AS (
    SELECT DISTINCT ON (tenant, request_id) tenant, request_id, position, id, node_id, type, status, recorded_at
      FROM inserted WHERE request_id IS NOT NULL
     ORDER BY tenant, request_id, position DESC
  ), closed AS (
    DELETE FROM open_chains o USING latest l
     WHERE o.tenant = l.tenant AND o.request_id = l.request_id
       AND l.status IS DISTINCT FROM 'pending' AND l.status IS DISTINCT FROM 'waiting' AND l.status IS DISTINCT FROM 'running'
  )
  INSERT INTO open_chains (tenant, request_id, position, id, node_id, type, status, recorded_at)
  SELECT tenant, request_id, position, id, node_id, type, status, recorded_at
    FROM latest WHERE status IN ('pending', 'waiting', 'running')
   ORDER BY tenant, request_id
  ON CONFLICT (tenant, request_id) DO UPDATE
     SET position = EXCLUDED.position, id = EXCLUDED.id, node_id = EXCLUDED.node_id, type = EXCLUDED.type,
         status = EXCLUDED.status, recorded_at = EXCLUDED.recorded_at;
  RETURN NULL;
END
$$;

-- Creating the trigger locks out appends until this migration commits, so the backfill below
-- sees exactly the events committed before it, and the trigger every one after.
CREATE TRIGGER events_open_chains AFTER INSERT ON events
  REFERENCING NEW TABLE AS inserted
  FOR EACH STATEMENT EXECUTE FUNCTION open_chains_follow();

-- Each chain's latest position from one pass over the log (hash aggregate), then those rows.
INSERT INTO open_chains (tenant, request_id, position, id, node_id, type, status, recorded_at)
SELECT e.tenant, e.request_id, e.position, e.id, e.node_id, e.type, e.status, e.recorded_at
  FROM (SELECT max(position) AS position FROM events WHERE request_id IS NOT NULL GROUP BY tenant, request_id) latest
  JOIN events e USING (position)
 WHERE e.status IN ('pending', 'waiting', 'running');
