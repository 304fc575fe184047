import { Injectable, Logger } from '@nestjs/common';
import { RejectionCode } from '@eventlog/contracts';
import { AppendOutcome, EventStoreRepository } from '@eventlog/store';
import { DecodedBatch } from '../decoding/batch-decoder';
import { IngestMetrics } from '../metrics/ingest.metrics';
import { isDataError } from './data-error';
import { DeadLetter, DeadLetterPublisher } from './dead-letter.publisher';
import { GroupCommit } from './group-commit';

/**
 * Gives every record of one Kafka batch its outcome and makes it durable: valid events appended in
 * one transaction, which also keeps a row for each rejection (dead_letters), and rejections
 * acknowledged by the dead-letter topic. Safe to run again on the same records (duplicates are
 * absorbed, dead-letter rows are unique by source coordinates), which is what makes retries and
 * redelivery harmless.
 */
@Injectable()
export class AppendService {
  private readonly logger = new Logger(AppendService.name);

  constructor(
    private readonly store: EventStoreRepository,
    private readonly groupCommit: GroupCommit,
    private readonly deadLetters: DeadLetterPublisher,
    private readonly metrics: IngestMetrics,
  ) {}

  /** The I/O half: appends the accepted events and dead-letters the refused; may be run again. */
  async persist(batch: DecodedBatch): Promise<void> {
    const letters: DeadLetter[] = [...batch.letters];
    const outcomes = await this.append(batch);
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
   * One transaction for the batch and its dead letters (shared with other partitions' batches). If
   * Postgres refuses a value the decoder let through, the batch is split into single appends so
   * that only the unstorable events are rejected; the dead letters then follow in a transaction
   * of their own, before anything is acknowledged.
   */
  private async append(batch: DecodedBatch): Promise<AppendOutcome[]> {
    const events = batch.accepted.map((a) => a.event);
    const records = batch.accepted.map((a) => a.record);
    try {
      return await this.groupCommit.append(events, records, batch.letters);
    } catch (err) {
      if (!isDataError(err) || events.length === 0) throw err;
      this.logger.warn(`batch refused by Postgres (${(err as Error).message}); appending one by one`);
      const outcomes: AppendOutcome[] = [];
      const unstorable: DeadLetter[] = [];
      for (const [i, event] of events.entries()) {
        try {
          outcomes.push(...(await this.store.appendBatch([event], [records[i]])));
        } catch (single) {
          if (!isDataError(single)) throw single;
          const rejection = { code: RejectionCode.ValidationFailed, message: `unstorable: ${(single as Error).message}` };
          outcomes.push({ kind: 'rejected', rejection });
          unstorable.push({ record: records[i], rejection, tenant: event.tenant });
        }
      }
      await this.store.appendBatch([], [], [...batch.letters, ...unstorable]);
      return outcomes;
    }
  }
}
