import { Injectable } from '@nestjs/common';
import { setImmediate } from 'node:timers/promises';
import { NewEvent } from '@eventlog/contracts';
import { AppendOutcome, DeadLetterInput, EventStoreRepository, SourceRecord } from '@eventlog/store';
import { isDataError } from './data-error';

interface Pending {
  events: NewEvent[];
  /** Each event's source record, for the dead letter of an event the transaction rejects. */
  records: SourceRecord[];
  /** Records refused before appending, written as dead letters in the same transaction. */
  letters: DeadLetterInput[];
  resolve: (outcomes: AppendOutcome[]) => void;
  reject: (err: unknown) => void;
}

/** Most events one transaction takes; what is left waits for the next. */
const MAX_EVENTS_PER_TRANSACTION = 20_000;

/**
 * Group commit: the partitions' batches that arrive while a transaction is running are appended
 * together in the next one. Appends are serialised by the position lock anyway, so one larger
 * transaction replaces several small ones queued on that lock, each with its round trips and its
 * commit flush. Each caller still gets exactly its own outcomes, in its own order.
 */
@Injectable()
export class GroupCommit {
  private queue: Pending[] = [];
  private running = false;

  constructor(private readonly store: EventStoreRepository) {}

  /** `records[i]` is the source record of `events[i]`. */
  append(events: NewEvent[], records: SourceRecord[], letters: DeadLetterInput[] = []): Promise<AppendOutcome[]> {
    if (events.length === 0 && letters.length === 0) return Promise.resolve([]);
    return new Promise((resolve, reject) => {
      this.queue.push({ events, records, letters, resolve, reject });
      if (!this.running) void this.drain();
    });
  }

  private async drain() {
    this.running = true;
    for (;;) {
      // One turn first, for every caller that is ready to queue. The partitions of the last
      // transaction queue their next batch only once its commit has reached them; going on at once
      // would leave them for the transaction after, and the partitions would split into two groups
      // whose transactions alternate, each waiting for the other's.
      await setImmediate();
      if (this.queue.length === 0) break;
      const group = this.takeGroup();
      try {
        const outcomes = await this.appendGroup(group);
        let at = 0;
        for (const p of group) {
          p.resolve(outcomes.slice(at, at + p.events.length));
          at += p.events.length;
        }
      } catch (err) {
        // One caller's unstorable value must not fail the others: retry them one by one.
        if (isDataError(err) && group.length > 1) await Promise.all(group.map((p) => this.appendGroup([p]).then(p.resolve, p.reject)));
        else group.forEach((p) => p.reject(err));
      }
    }
    this.running = false;
  }

  /** One transaction for the callers' events and dead letters. */
  private appendGroup(group: Pending[]): Promise<AppendOutcome[]> {
    return this.store.appendBatch(
      group.flatMap((p) => p.events),
      group.flatMap((p) => p.records),
      group.flatMap((p) => p.letters),
    );
  }

  private takeGroup(): Pending[] {
    let size = 0;
    let count = 0;
    const sizeOf = (p: Pending) => p.events.length + p.letters.length;
    while (count < this.queue.length && (count === 0 || size + sizeOf(this.queue[count]) <= MAX_EVENTS_PER_TRANSACTION)) {
      size += sizeOf(this.queue[count]);
      count++;
    }
    return this.queue.splice(0, count);
  }
}
