/**
 * The events table's columns: the one list the COPY writer, the row mapper and the bench's COPY
 * ceiling use. COPY writes them in this order, the row's plan (position, version, recorded_at)
 * first, then the event's own.
 */
export const EVENT_TABLE_COLUMNS = [
  'position',
  'version',
  'recorded_at',
  'tenant',
  'id',
  'stream',
  'type',
  'data',
  'metadata',
  'source',
  'status',
  'message',
  'request_id',
  'node_id',
  'parent_node_id',
  'occurred_at',
  'kafka_topic',
  'kafka_partition',
  'kafka_offset',
] as const;

export type EventColumn = (typeof EVENT_TABLE_COLUMNS)[number];

/** The timestamptz columns, which readers get as RFC 3339 text (iso). */
export const EVENT_TIME_COLUMNS: ReadonlySet<EventColumn> = new Set(['recorded_at', 'occurred_at']);
