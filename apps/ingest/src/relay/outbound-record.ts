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
