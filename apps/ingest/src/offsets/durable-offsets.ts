import { TopicPartitionOffsetAndMetadata } from 'kafkajs';
import { keyOf } from '@eventlog/contracts';

const RETRY_MS = 1000;

/**
 * The consumer group's offsets, committed only for records whose outcomes are durable. Commits run
 * in the background, one at a time, each carrying the newest durable offset of every partition
 * that moved since the last; a failed commit is retried with the next, or after a pause. Offsets
 * only ever cover records that are durable, and only partitions this member still holds.
 */
export class DurableOffsets {
  private readonly pending = new Map<string, TopicPartitionOffsetAndMetadata>();
  private committing?: Promise<void>;

  constructor(
    private readonly commit: (offsets: TopicPartitionOffsetAndMetadata[]) => Promise<void>,
    private readonly onError: (err: Error) => void,
    /** Whether this member still holds the partition: a moved one is its new owner's to commit. */
    private readonly holds: (topic: string, partition: number) => boolean = () => true,
  ) {}

  /** Every record of the partition before `nextOffset` is durable. */
  markDurable(topic: string, partition: number, nextOffset: string): void {
    this.pending.set(keyOf(topic, partition), { topic, partition, offset: nextOffset });
    this.startCommitting();
  }

  /** Resolves once everything marked so far has been offered to the broker. */
  async flush(): Promise<void> {
    while (this.committing) await this.committing;
    if (this.pending.size > 0) await this.startCommitting();
  }

  /**
   * The commits in flight, started unless one is. Cleared when they settle, by a callback that runs
   * after this assignment: a run that ends without waiting (nothing this member still holds) would
   * otherwise clear it before it is set, leave a settled promise there, and stop every later commit
   * (and spin flush's loop without ever yielding to I/O).
   */
  private startCommitting(): Promise<void> {
    if (this.committing) return this.committing;
    const run: Promise<void> = this.commitPending().finally(() => {
      if (this.committing === run) this.committing = undefined;
    });
    return (this.committing = run);
  }

  private async commitPending(): Promise<void> {
    while (this.pending.size > 0) {
      const offsets = [...this.pending.values()].filter((o) => this.holds(o.topic, o.partition));
      this.pending.clear();
      if (offsets.length === 0) return;
      try {
        await this.commit(offsets);
      } catch (err) {
        // Put back what no newer mark has replaced; it goes with the next commit, or on its own
        // after a pause if the partition has gone quiet.
        for (const o of offsets) if (!this.pending.has(keyOf(o.topic, o.partition))) this.pending.set(keyOf(o.topic, o.partition), o);
        this.onError(err as Error);
        setTimeout(() => this.startCommitting(), RETRY_MS).unref();
        return;
      }
    }
  }
}
