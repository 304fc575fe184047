import { Message } from 'kafkajs';
import { OUTBOUND_HEADERS, StoredEvent } from '../../../../libs/contracts/src';

/** The outbound record of a stored event (contract section 3). */
export function toOutboundRecord(event: StoredEvent): Message {
  return {
    key: event.stream,
    value: JSON.stringify(event),
    headers: {
      [OUTBOUND_HEADERS.position]: String(event.position),
      [OUTBOUND_HEADERS.version]: String(event.version),
      [OUTBOUND_HEADERS.type]: event.type,
      [OUTBOUND_HEADERS.tenant]: event.tenant,
    },
  };
}
