import { RawJson, StoredEvent } from '@eventlog/contracts';
import { EVENT_TABLE_COLUMNS, EVENT_TIME_COLUMNS, EventColumn } from '../event-columns';

/** A timestamptz column as the contract's RFC 3339 UTC text with milliseconds. */
export const iso = (column: string) => `to_char(${column} AT TIME ZONE 'UTC', 'YYYY-MM-DD"T"HH24:MI:SS.MS"Z"')`;

/**
 * The columns of a stored event, read from `events e`. Times come as the contract's RFC 3339 text,
 * formatted by Postgres: parsing them into Dates only to format them again cost the query app more
 * CPU per row than any other field.
 */
export const EVENT_COLUMNS = EVENT_TABLE_COLUMNS.map((c) => (EVENT_TIME_COLUMNS.has(c) ? `${iso(`e.${c}`)} AS ${c}` : `e.${c}`)).join(', ');

/** The columns that may be NULL; the JSON columns, which pg parses. */
type NullableColumn = 'source' | 'status' | 'message' | 'request_id' | 'parent_node_id' | 'kafka_topic' | 'kafka_partition' | 'kafka_offset';
type JsonColumn = 'data' | 'metadata';

/**
 * One events row as EVENT_COLUMNS reads it, a property per column of EVENT_TABLE_COLUMNS: JSON
 * columns parsed, the INTEGER partition a number, everything else text (BIGINTs as pg gives them,
 * times as RFC 3339 UTC with milliseconds).
 */
export type EventRow = {
  [C in EventColumn]: C extends JsonColumn
    ? Record<string, unknown>
    : C extends 'kafka_partition'
      ? number | null
      : C extends NullableColumn
        ? string | null
        : string;
};

/** A row as contract section 1 spells it: BIGINTs as numbers, times as RFC 3339 UTC with ms. */
export function toStoredEvent(row: EventRow): StoredEvent {
  return {
    id: row.id,
    tenant: row.tenant,
    stream: row.stream,
    version: Number(row.version),
    position: Number(row.position),
    type: row.type,
    data: row.data,
    metadata: row.metadata,
    source: row.source,
    status: row.status,
    message: row.message,
    requestId: row.request_id,
    nodeId: row.node_id,
    parentNodeId: row.parent_node_id,
    occurredAt: row.occurred_at,
    recordedAt: row.recorded_at,
    kafka:
      row.kafka_topic === null
        ? null
        : { topic: row.kafka_topic, partition: Number(row.kafka_partition), offset: Number(row.kafka_offset) },
  };
}

/**
 * The same stored form as toStoredEvent, built by Postgres as JSON text: the relay publishes it
 * as is, with no parse and re-serialise in Node (test/relay.e2e-spec.ts holds the two equal).
 */
export const STORED_EVENT_JSON = `json_build_object(
  'id', e.id, 'tenant', e.tenant, 'stream', e.stream, 'version', e.version, 'position', e.position, 'type', e.type,
  'data', e.data, 'metadata', e.metadata, 'source', e.source, 'status', e.status, 'message', e.message,
  'requestId', e.request_id, 'nodeId', e.node_id, 'parentNodeId', e.parent_node_id,
  'occurredAt', ${iso('e.occurred_at')}, 'recordedAt', ${iso('e.recorded_at')},
  'kafka', CASE WHEN e.kafka_topic IS NULL THEN NULL
                ELSE json_build_object('topic', e.kafka_topic, 'partition', e.kafka_partition, 'offset', e.kafka_offset) END
)::text`;

/** An event as Postgres's JSON text, and beside it the fields the query app computes with. */
export const EVENT_JSON_COLUMNS = `${STORED_EVENT_JSON} AS json, e.position, e.version, e.node_id, e.parent_node_id, e.status,
  ${iso('e.occurred_at')} AS occurred_at`;

export interface EventJsonRow {
  json: string;
  position: string;
  version: string;
  node_id: string;
  parent_node_id: string | null;
  status: string | null;
  occurred_at: string;
}

/**
 * A stored event that serialises as the text Postgres built (RawJson), so a page of events costs
 * the query app no parse and no re-serialisation. It carries, as properties, only the fields the
 * app computes with (position, version, nodeId, parentNodeId, status, occurredAt): a caller that
 * needs the others (the DSL's select) reads rows with toStoredEvent instead.
 */
class StoredEventJson extends RawJson {
  readonly position: number;
  readonly version: number;
  readonly nodeId: string;
  readonly parentNodeId: string | null;
  readonly status: string | null;
  readonly occurredAt: string;

  constructor(row: EventJsonRow) {
    super(row.json);
    this.position = Number(row.position);
    this.version = Number(row.version);
    this.nodeId = row.node_id;
    this.parentNodeId = row.parent_node_id;
    this.status = row.status;
    this.occurredAt = row.occurred_at;
  }
}

export const toEventJson = (row: EventJsonRow): StoredEvent => new StoredEventJson(row) as unknown as StoredEvent;
