-- Stream deletion: tombstones that hide a stream's events from every read at once, and the one
-- audited path that may physically remove those events afterwards (docs/decisions/041). Works on a
-- plain and on a range-partitioned events table: row triggers created on a partitioned parent are
-- cloned onto every partition, and nothing here relies on a global unique index.

-- One row per deleted stream. Versions below hidden_below are deleted: hidden_below is the version
-- of the stream's StreamDeleted event, which stays visible, as does whatever is appended after it.
CREATE TABLE stream_tombstones (
  tenant       text        COLLATE "C" NOT NULL,
  stream       text        COLLATE "C" NOT NULL,
  hidden_below bigint      NOT NULL CHECK (hidden_below > 1),
  -- A hard-deleted stream takes no event after its StreamDeleted (ingest dead-letters them).
  hard         boolean     NOT NULL,
  deleted_at   timestamptz NOT NULL,
  -- Versions below this have been removed from events by eventlog_purge_stream.
  purged_below bigint      NOT NULL DEFAULT 1,
  PRIMARY KEY (tenant, stream)
);

-- Every read anti-joins this table. Empty, it has no page, and the planner then re-scans it for
-- each event (a nested loop): a count over a million events took ~1.7x as long. With one page it
-- hashes it once (~1.0x). So it always holds this row, which hides nothing (no tenant is '') and
-- has nothing to purge (docs/decisions/041).
INSERT INTO stream_tombstones (tenant, stream, hidden_below, hard, deleted_at, purged_below)
VALUES ('', '', 2, false, '-infinity', 2);

-- The audit trail of purges: who removed which versions of which stream, when, in which
-- transaction. Written only by eventlog_purge_stream, and itself append-only.
CREATE TABLE stream_purges (
  id            bigint      GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
  tenant        text        COLLATE "C" NOT NULL,
  stream        text        COLLATE "C" NOT NULL,
  -- Versions from .. below were removed; removed is how many rows that was.
  from_version  bigint      NOT NULL,
  below_version bigint      NOT NULL,
  removed       bigint      NOT NULL,
  purged_at     timestamptz NOT NULL DEFAULT now(),
  purged_by     text        NOT NULL DEFAULT current_user,
  xact          xid8        NOT NULL DEFAULT pg_current_xact_id()
);

CREATE FUNCTION stream_purges_refuse_change() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
  RAISE EXCEPTION 'stream_purges is append-only: % refused', TG_OP USING ERRCODE = 'insufficient_privilege';
END
$$;
CREATE TRIGGER stream_purges_append_only BEFORE UPDATE OR DELETE ON stream_purges
  FOR EACH ROW EXECUTE FUNCTION stream_purges_refuse_change();
CREATE TRIGGER stream_purges_no_truncate BEFORE TRUNCATE ON stream_purges
  FOR EACH STATEMENT EXECUTE FUNCTION stream_purges_refuse_change();

-- The append-only rule, with one exception: a DELETE of an event that a tombstone already hides,
-- in a transaction that has written the audit row covering it. Every client connects as the same
-- role, so a trigger cannot know which function issued a statement; what it can enforce is that
-- no visible event is ever removed and that no event is removed without an audit row committed
-- with the removal. (A superuser can still disable triggers: that is outside what any trigger can stop.)
CREATE FUNCTION events_refuse_change_unless_purged() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
  IF TG_OP = 'DELETE'
     AND EXISTS (SELECT 1 FROM stream_tombstones t
                  WHERE t.tenant = OLD.tenant AND t.stream = OLD.stream AND OLD.version < t.hidden_below)
     AND EXISTS (SELECT 1 FROM stream_purges p
                  WHERE p.tenant = OLD.tenant AND p.stream = OLD.stream AND p.xact = pg_current_xact_id()
                    AND OLD.version >= p.from_version AND OLD.version < p.below_version) THEN
    RETURN OLD;
  END IF;
  RAISE EXCEPTION 'events is append-only: % refused', TG_OP USING ERRCODE = 'insufficient_privilege';
END
$$;

DROP TRIGGER IF EXISTS events_append_only ON events;
CREATE TRIGGER events_append_only BEFORE UPDATE OR DELETE ON events
  FOR EACH ROW EXECUTE FUNCTION events_refuse_change_unless_purged();

-- The one way to remove events: the hidden versions of one deleted stream not removed yet. Writes
-- its audit row first (the trigger above looks for it), then deletes, and checks that it removed
-- exactly what it audited. Returns the number of rows removed (0 when nothing was left).
CREATE FUNCTION eventlog_purge_stream(p_tenant text, p_stream text) RETURNS bigint LANGUAGE plpgsql AS $$
DECLARE
  tomb     stream_tombstones%ROWTYPE;
  expected bigint;
  removed  bigint;
BEGIN
  -- Locks the tombstone: a concurrent deletion of the same stream waits for the purge.
  SELECT * INTO tomb FROM stream_tombstones WHERE tenant = p_tenant AND stream = p_stream FOR UPDATE;
  IF NOT FOUND THEN
    RAISE EXCEPTION 'stream % of tenant % is not deleted: nothing may be purged', p_stream, p_tenant
      USING ERRCODE = 'insufficient_privilege';
  END IF;
  IF tomb.purged_below >= tomb.hidden_below THEN
    RETURN 0;
  END IF;
  SELECT count(*) INTO expected FROM events
   WHERE tenant = p_tenant AND stream = p_stream AND version >= tomb.purged_below AND version < tomb.hidden_below;
  INSERT INTO stream_purges (tenant, stream, from_version, below_version, removed)
  VALUES (p_tenant, p_stream, tomb.purged_below, tomb.hidden_below, expected);
  DELETE FROM events
   WHERE tenant = p_tenant AND stream = p_stream AND version >= tomb.purged_below AND version < tomb.hidden_below;
  GET DIAGNOSTICS removed = ROW_COUNT;
  IF removed <> expected THEN
    RAISE EXCEPTION 'purge of stream % of tenant % removed % rows, audited %', p_stream, p_tenant, removed, expected;
  END IF;
  UPDATE stream_tombstones SET purged_below = tomb.hidden_below WHERE tenant = p_tenant AND stream = p_stream;
  RETURN removed;
END
$$;
