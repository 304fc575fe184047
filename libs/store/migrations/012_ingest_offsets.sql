-- How far ingest has made each consumed partition durable: every record of (topic, partition)
-- below next_offset has its outcome (persisted, duplicate or dead-lettered) durable. Written by
-- ingest before it commits the same offset to its consumer group, so it is never behind the
-- group's offset; read by the query app to answer `after=<topic>:<partition>:<offset>`
-- (docs/decisions/033-read-your-writes.md). Only ever moves forward.
CREATE TABLE ingest_offsets (
  topic       text    COLLATE "C" NOT NULL,
  partition   integer NOT NULL,
  next_offset bigint  NOT NULL,
  PRIMARY KEY (topic, partition)
);
