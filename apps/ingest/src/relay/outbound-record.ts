import { Message } from 'kafkajs';
import { OUTBOUND_HEADERS } from '@eventlog/contracts';
import { OutboundRow } from '@eventlog/store';

/** The outbound record of a stored event (contract section 3): keyed by stream, the stored form as value. */
export function toOutboundRecord(row: OutboundRow): Message {
  return {
    key: row.stream,
    value: row.json,
    headers: {
      [OUTBOUND_HEADERS.position]: row.position,
      [OUTBOUND_HEADERS.version]: row.version,
      [OUTBOUND_HEADERS.type]: row.type,
      [OUTBOUND_HEADERS.tenant]: row.tenant,
    },
  };
}

/** Header of a reference record: the size of the stored event it stands for, in bytes. */
export const TRUNCATED_HEADER = 'eventlog-truncated';

/**
 * What is published in place of an event the outbound topic refuses as too large (a topic created
 * elsewhere, with a smaller max.message.bytes): its coordinates without data or metadata, so the
 * position is not skipped and a subscriber can read the whole event from the API.
 */
export function toReferenceRecord(record: Message): Message {
  const headers = record.headers as Record<string, string>;
  const value = {
    tenant: headers[OUTBOUND_HEADERS.tenant],
    stream: String(record.key),
    type: headers[OUTBOUND_HEADERS.type],
    version: Number(headers[OUTBOUND_HEADERS.version]),
    position: Number(headers[OUTBOUND_HEADERS.position]),
    truncated: true,
  };
  const bytes = record.value === null || record.value === undefined ? 0 : Buffer.byteLength(record.value);
  return { key: record.key, value: JSON.stringify(value), headers: { ...headers, [TRUNCATED_HEADER]: String(bytes) } };
}
