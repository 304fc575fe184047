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
    this.committing ??= this.commitPending();
  }

  /** Resolves once everything marked so far has been offered to the broker. */
  async flush(): Promise<void> {
    while (this.committing) await this.committing;
    if (this.pending.size > 0) await (this.committing = this.commitPending());
  }

  private async commitPending(): Promise<void> {
    try {
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
          setTimeout(() => (this.committing ??= this.commitPending()), RETRY_MS).unref();
          return;
        }
      }
    } finally {
      this.committing = undefined;
    }
  }
}
