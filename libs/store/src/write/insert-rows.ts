import { PlannedRow } from './append-plan';
import { EventColumn } from '../event-columns';

/**
 * Each column a small append inserts, with its parameter type and its value: the text COPY would
 * send (JSON.stringify for data and metadata, ISO text for occurredAt), so both paths store the
 * same. recorded_at is not here: the statement stamps it.
 */
const COLUMNS: [EventColumn, string, (r: PlannedRow) => unknown][] = [
  ['position', 'bigint', (r) => r.position],
  ['version', 'bigint', (r) => r.version],
  ['tenant', 'text', (r) => r.event.tenant],
  ['id', 'text', (r) => r.event.id],
  ['stream', 'text', (r) => r.event.stream],
  ['type', 'text', (r) => r.event.type],
  ['data', 'jsonb', (r) => JSON.stringify(r.event.data) ?? null],
  ['metadata', 'jsonb', (r) => JSON.stringify(r.event.metadata) ?? null],
  ['source', 'text', (r) => r.event.source],
  ['status', 'text', (r) => r.event.status],
  ['message', 'text', (r) => r.event.message],
  ['request_id', 'text', (r) => r.event.requestId],
  ['node_id', 'text', (r) => r.event.nodeId],
  ['parent_node_id', 'text', (r) => r.event.parentNodeId],
  ['occurred_at', 'timestamptz', (r) => r.event.occurredAt.toISOString()],
  ['kafka_topic', 'text', (r) => r.event.kafka?.topic ?? null],
  ['kafka_partition', 'int', (r) => r.event.kafka?.partition ?? null],
  ['kafka_offset', 'bigint', (r) => r.event.kafka?.offset ?? null],
];

/**
 * `INSERT INTO events … SELECT … FROM unnest` of the rows given as parameters $first… (rowArrays),
 * each row stamped with `recordedAt` (an expression over `from`): for a small append, in the
 * statement that stamps the batch (event-store.repository), one round trip under the position lock
 * where COPY takes two of its own.
 */
export function insertRowsSql(first: number, recordedAt: string, from: string): string {
  return `INSERT INTO events (recorded_at, ${COLUMNS.map(([c]) => c).join(', ')})
     SELECT ${recordedAt}, r.* FROM ${from}, unnest(${COLUMNS.map(([, t], i) => `$${first + i}::${t}[]`).join(', ')}) AS r`;
}

/** The parameters of insertRowsSql: one array per column. */
export function rowArrays(rows: PlannedRow[]): unknown[][] {
  return COLUMNS.map(([, , value]) => rows.map(value));
}
