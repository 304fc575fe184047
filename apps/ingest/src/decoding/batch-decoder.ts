import { Injectable } from '@nestjs/common';
import { setImmediate } from 'node:timers/promises';
import { EventlogConfig } from '@eventlog/config';
import { NewEvent, Rejection } from '@eventlog/contracts';
import { prepareCopyText } from '@eventlog/store';
import { KafkaRecord } from './kafka-record';
import { decodeRecord } from './record-decoder';

/** Records decoded between two looks at I/O: about a millisecond of CPU. */
const DECODE_SLICE = 50;

/** One Kafka batch after decoding: the events to append, and the records already refused. */
export interface DecodedBatch {
  accepted: { record: KafkaRecord; event: NewEvent }[];
  /** Refused records, with the tenant each named when it decoded far enough to name one. */
  letters: { record: KafkaRecord; rejection: Rejection; tenant?: string }[];
}

/**
 * The CPU half of a batch: every record parsed and validated, or refused with its reason.
 * Decoding runs while a transaction is open, and each of its round trips waits for the CPU: so
 * batches decode one at a time, yielding to I/O every few dozen records, and a reply from
 * Postgres waits for one slice, not for a slice of every partition's batch.
 */
@Injectable()
export class BatchDecoder {
  /** The decode under way; the next waits for it. */
  private decoding: Promise<void> = Promise.resolve();

  constructor(private readonly config: EventlogConfig) {}

  decode(records: KafkaRecord[]): Promise<DecodedBatch> {
    const decoded = this.decoding.then(() => this.decodeInSlices(records));
    this.decoding = decoded.then(
      () => undefined,
      () => undefined,
    );
    return decoded;
  }

  private async decodeInSlices(records: KafkaRecord[]): Promise<DecodedBatch> {
    const batch: DecodedBatch = { accepted: [], letters: [] };
    for (let i = 0; i < records.length; i++) {
      if (i > 0 && i % DECODE_SLICE === 0) await setImmediate();
      const record = records[i];
      const decoded = decodeRecord(record, this.config.MAX_EVENT_BYTES);
      if (decoded.ok) {
        prepareCopyText(decoded.event);
        batch.accepted.push({ record, event: decoded.event });
      } else {
        batch.letters.push({ record, rejection: decoded.rejection, tenant: decoded.tenant });
      }
    }
    return batch;
  }
}
