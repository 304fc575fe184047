-- The append-only event log, its stream heads and the global position counter.

CREATE TABLE events (
  position        bigint      PRIMARY KEY,
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
  kafka_offset    bigint,
  CONSTRAINT events_tenant_id_key UNIQUE (tenant, id),
  CONSTRAINT events_stream_version_key UNIQUE (tenant, stream, version)
);

-- Log queries: newest first within a tenant (the default sort), keyset-paged by position.
CREATE INDEX events_tenant_occurred_at_idx ON events (tenant, occurred_at, position);
-- Chain traces: every event of one request.
CREATE INDEX events_tenant_request_idx ON events (tenant, request_id) WHERE request_id IS NOT NULL;

-- The head of every stream: its version (= event count, versions being gapless) and time span.
CREATE TABLE streams (
  tenant            text        COLLATE "C" NOT NULL,
  stream            text        COLLATE "C" NOT NULL,
  version           bigint      NOT NULL,
  first_occurred_at timestamptz NOT NULL,
  last_occurred_at  timestamptz NOT NULL,
  PRIMARY KEY (tenant, stream)
);

-- One row. Every append transaction locks it first, so appends commit in position order and a
-- reader that resumes after position P never meets a lower position later (docs/decisions).
CREATE TABLE event_position (
  singleton boolean PRIMARY KEY DEFAULT true CHECK (singleton),
  last      bigint  NOT NULL
);
INSERT INTO event_position (last) VALUES (0);

-- The database itself refuses UPDATE, DELETE and TRUNCATE on the log.
CREATE FUNCTION events_refuse_change() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
  RAISE EXCEPTION 'events is append-only: % refused', TG_OP USING ERRCODE = 'insufficient_privilege';
END
$$;
CREATE TRIGGER events_append_only BEFORE UPDATE OR DELETE ON events
  FOR EACH ROW EXECUTE FUNCTION events_refuse_change();
CREATE TRIGGER events_no_truncate BEFORE TRUNCATE ON events
  FOR EACH STATEMENT EXECUTE FUNCTION events_refuse_change();
