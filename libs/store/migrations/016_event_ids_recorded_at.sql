-- Each id's recorded_at beside it, so that a read by id knows the one partition of the log that
-- holds the event and Postgres plans and probes only that one (decision 039: a read that names no
-- recorded_at is planned over every partition). Rows written before this migration keep NULL and
-- are read as before, over every partition: filling them in would rewrite the whole table.
ALTER TABLE event_ids ADD COLUMN recorded_at timestamptz;

CREATE OR REPLACE FUNCTION event_ids_add() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
  INSERT INTO event_ids (tenant, id, recorded_at) SELECT tenant, id, recorded_at FROM inserted;
  RETURN NULL;
END
$$;
