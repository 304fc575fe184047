-- Partitions a UTC day, week or month wide (PARTITION_INTERVAL, decision 046). Every read that
-- cannot name its recorded_at range is planned and run over every partition, so the width trades
-- retention's precision against the cost of each such read; the app passes its setting on each
-- call. Existing partitions keep their width; the ones created from now on take the new one.
DROP FUNCTION events_ensure_partitions(timestamptz);

-- Makes every instant from the start of today (UTC) to `until` belong to a partition that ends
-- where a UTC day, ISO week (Monday) or month ends: the first one may start later in its period
-- (at today, or where an existing partition ends), none overlaps an existing one. Returns the
-- partitions it created. Serialised, so two instances never create the same one.
CREATE FUNCTION events_ensure_partitions(until timestamptz, width text) RETURNS SETOF text LANGUAGE plpgsql AS $$
DECLARE
  cursor_at timestamptz := date_trunc('day', now() AT TIME ZONE 'UTC') AT TIME ZONE 'UTC';
  covering event_partitions;
  next_from timestamptz;
  end_at timestamptz;
BEGIN
  IF width IS NULL OR width NOT IN ('day', 'week', 'month') THEN
    RAISE EXCEPTION 'partition width must be day, week or month, not %', coalesce(width, 'null');
  END IF;
  PERFORM pg_advisory_xact_lock(4242013);
  WHILE cursor_at < until LOOP
    SELECT * INTO covering FROM event_partitions p WHERE p.from_at <= cursor_at AND cursor_at < p.to_at;
    IF FOUND THEN
      cursor_at := covering.to_at;
      CONTINUE;
    END IF;
    SELECT min(p.from_at) INTO next_from FROM event_partitions p WHERE p.from_at > cursor_at;
    end_at := LEAST((date_trunc(width, cursor_at AT TIME ZONE 'UTC') + ('1 ' || width)::interval) AT TIME ZONE 'UTC', next_from);
    RETURN NEXT events_create_partition(cursor_at, end_at);
    cursor_at := end_at;
  END LOOP;
END
$$;

-- The empty day partitions migration 013 made ahead of today: ingest makes them again, of its width.
DO $$
DECLARE
  part event_partitions;
  suffix text;
  has_rows boolean;
BEGIN
  FOR part IN SELECT * FROM event_partitions WHERE from_at > now() LOOP
    EXECUTE format('SELECT EXISTS (SELECT 1 FROM %I)', part.name) INTO has_rows;
    CONTINUE WHEN has_rows;
    suffix := substr(part.name, length('events_') + 1);
    EXECUTE format('DROP TABLE %I, %I, %I', part.name, 'event_counts_' || suffix, 'event_totals_' || suffix);
    DELETE FROM event_partitions WHERE name = part.name;
  END LOOP;
END
$$;
