-- A read by id finds its event through event_ids, which now keeps each id's position beside its
-- recorded_at: the partition (recorded_at) and the row in it (the partition's position key). The
-- partitions' own (tenant, id) index goes. It was a second index on the same key as event_ids' one,
-- and each append paid for both: COPY of 200,000 bench rows cost Postgres 26.9 ms of CPU per 1,000
-- events with it and 24.6 without (decision 047).
--
-- The rows written before this take their event's position and recorded_at now (those of 013's
-- conversion have no recorded_at either). An id whose event retention or a purge removed finds no
-- event and keeps no position: it is only the idempotency key it always was. Appends wait meanwhile
-- (they take event_position first), so none writes an id this would miss: 138 s on 5,000,000
-- events on the 2-core development machine.
LOCK TABLE event_position IN EXCLUSIVE MODE;

ALTER TABLE event_ids ADD COLUMN position bigint;

CREATE OR REPLACE FUNCTION event_ids_add() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
  INSERT INTO event_ids (tenant, id, recorded_at, position) SELECT tenant, id, recorded_at, position FROM inserted;
  RETURN NULL;
END
$$;

UPDATE event_ids x SET position = e.position, recorded_at = e.recorded_at
  FROM events e
 WHERE e.tenant = x.tenant AND e.id = x.id;

DROP INDEX events_tenant_id_idx;

ANALYZE event_ids;
