-- Every record ingest rejects, kept beside the events so an operator can find, filter and replay
-- it (docs/decisions/032). Written in the transaction of the batch the record came in, so a record
-- is never dead-lettered without its row, nor given a row and then appended. What the record holds
-- is kept as bytes: nothing in it can make the insert fail (and with it the batch).
CREATE TABLE dead_letters (
  id               bigint GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
  received_at      timestamptz NOT NULL DEFAULT now(),
  -- NULL when the record did not decode far enough to name its tenant.
  tenant           text,
  code             text        NOT NULL,
  message          text        NOT NULL,
  source_topic     text        NOT NULL,
  source_partition integer     NOT NULL,
  source_offset    bigint      NOT NULL,
  -- The first 64 KiB of each part, and the part's size as received: a part is complete when the
  -- two agree, and only complete parts can be re-published as they were.
  key              bytea,
  key_bytes        integer,
  value            bytea,
  value_bytes      integer,
  -- [[name (base64 of its UTF-8), value (base64) | null], …] in record order, as far as 64 KiB goes.
  headers          jsonb       NOT NULL,
  header_bytes     integer     NOT NULL,
  replayed_at      timestamptz,
  replay_count     integer     NOT NULL DEFAULT 0,
  -- Where the last replay was produced: {"topic", "partition", "offset"}.
  replayed_to      jsonb,
  -- A record is rejected once: a redelivered batch finds its rows already there.
  UNIQUE (source_topic, source_partition, source_offset)
);

-- The list reads newest first, by tenant, optionally by code: these two cover its filters' orders.
CREATE INDEX dead_letters_tenant_id ON dead_letters (tenant, id DESC);
CREATE INDEX dead_letters_tenant_code_id ON dead_letters (tenant, code, id DESC);
