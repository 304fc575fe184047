import { Injectable, Logger } from '@nestjs/common';
import { setImmediate } from 'node:timers/promises';
import { EventlogConfig } from '@eventlog/config';
import { NewEvent, RejectionCode } from '@eventlog/contracts';
import { AppendOutcome, EventStoreRepository, prepareCopyText } from '@eventlog/store';
import { decodeRecord } from '../decoding/record-decoder';
import { KafkaRecord } from '../decoding/kafka-record';
import { IngestMetrics } from '../metrics/ingest.metrics';
import { isDataError } from './data-error';
import { DeadLetter, DeadLetterPublisher } from './dead-letter.publisher';
import { GroupCommit } from './group-commit';

/** Records decoded between two looks at I/O: about a millisecond of CPU. */
const DECODE_SLICE = 50;

/** One Kafka batch after decoding: the events to append, and the records already refused. */
export interface DecodedBatch {
  accepted: { record: KafkaRecord; event: NewEvent }[];
  letters: DeadLetter[];
}

/**
 * Gives every record of one Kafka batch its outcome and makes it durable: valid events appended in
 * one transaction, rejections acknowledged by the dead-letter topic. Safe to run again on the same
 * records (duplicates are absorbed), which is what makes retries and redelivery harmless.
 */
@Injectable()
export class AppendService {
  private readonly logger = new Logger(AppendService.name);
  /** The decode under way; the next waits for it. */
  private decoding: Promise<void> = Promise.resolve();

  constructor(
    private readonly config: EventlogConfig,
    private readonly store: EventStoreRepository,
    private readonly groupCommit: GroupCommit,
    private readonly deadLetters: DeadLetterPublisher,
    private readonly metrics: IngestMetrics,
  ) {}

  /**
   * The CPU half of a batch: every record parsed and validated, or refused with its reason.
   * Decoding runs while a transaction is open, and each of its round trips waits for the CPU: so
   * batches decode one at a time, yielding to I/O every few dozen records, and a reply from
   * Postgres waits for one slice, not for a slice of every partition's batch.
   */
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
        batch.letters.push({ record, rejection: decoded.rejection });
      }
    }
    return batch;
  }

  /** The I/O half: appends the accepted events and dead-letters the refused; may be run again. */
  async persist(batch: DecodedBatch): Promise<void> {
    const letters = [...batch.letters];
    const outcomes = await this.append(batch.accepted.map((a) => a.event));
    const counts = { persisted: 0, duplicate: 0 };
    outcomes.forEach((outcome, i) => {
      if (outcome.kind === 'rejected') letters.push({ record: batch.accepted[i].record, rejection: outcome.rejection });
      else counts[outcome.kind] += 1;
    });

    await this.deadLetters.publish(letters);

    this.metrics.outcomes.inc({ outcome: 'persisted', code: '' }, counts.persisted);
    this.metrics.outcomes.inc({ outcome: 'duplicate', code: '' }, counts.duplicate);
    for (const { rejection } of letters) this.metrics.outcomes.inc({ outcome: 'rejected', code: rejection.code });
  }

  /**
   * One transaction for the batch (shared with other partitions' batches). If Postgres refuses a
   * value the decoder let through, the batch is split into single appends so that only the
   * unstorable events are rejected.
   */
  private async append(events: NewEvent[]): Promise<AppendOutcome[]> {
    try {
      return await this.groupCommit.append(events);
    } catch (err) {
      if (!isDataError(err) || events.length === 0) throw err;
      this.logger.warn(`batch refused by Postgres (${(err as Error).message}); appending one by one`);
      const outcomes: AppendOutcome[] = [];
      for (const event of events) {
        try {
          outcomes.push(...(await this.store.appendBatch([event])));
        } catch (single) {
          if (!isDataError(single)) throw single;
          outcomes.push({
            kind: 'rejected',
            rejection: { code: RejectionCode.ValidationFailed, message: `unstorable: ${(single as Error).message}` },
          });
        }
      }
      return outcomes;
    }
  }
}
