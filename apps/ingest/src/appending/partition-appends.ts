import { DecodedBatch } from '../decoding/batch-decoder';

interface Partition {
  /** The unit being made durable, if any. */
  running?: Promise<void>;
  /** Decoded since that unit was taken: appended together, as the next unit. */
  waiting: DecodedBatch[];
  waitingRecords: number;
  /** When each waiting batch arrived (process.hrtime). */
  arrivals: bigint[];
  /** The offset after the last waiting batch. */
  nextOffset?: string;
  /** A unit was given up: later batches are dropped until the partition is assigned afresh. */
  abandoned: boolean;
  /** Callers held back until the waiting unit is taken. */
  room: (() => void)[];
}

/**
 * Each partition's decoded batches, made durable strictly in offset order with one unit in flight
 * per partition. What a partition fetches while its unit is in flight waits and goes, merged, into
 * the next: the consumer keeps fetching instead of waiting for each batch to be durable, so an event
 * waits for the transaction under way and then its own, not for a fetch round behind it as well.
 * Memory is bounded by holding the caller back once a partition has `maxWaitingRecords` waiting.
 */
export class PartitionAppends {
  private readonly partitions = new Map<string, Partition>();

  constructor(
    /** Appends until durable; false if it gave the unit up (stopping, or the partition moved). */
    private readonly persist: (batch: DecodedBatch, partition: string) => Promise<boolean>,
    /** Every record of the partition before `nextOffset` has its outcome durable; `arrivals` are the unit's batches'. */
    private readonly onDurable: (partition: string, nextOffset: string, arrivals: bigint[]) => void,
    private readonly maxWaitingRecords: number,
  ) {}

  /**
   * Queues a batch behind the partition's earlier ones. Resolves once the partition has room for
   * more, which is at once unless `maxWaitingRecords` are already waiting.
   */
  add(key: string, batch: DecodedBatch, records: number, nextOffset: string, arrivedAt: bigint): Promise<void> {
    const partition = this.partition(key);
    if (partition.abandoned) return Promise.resolve();
    partition.waiting.push(batch);
    partition.arrivals.push(arrivedAt);
    partition.waitingRecords += records;
    partition.nextOffset = nextOffset;
    if (!partition.running) this.start(key, partition);
    if (partition.waitingRecords < this.maxWaitingRecords) return Promise.resolve();
    return new Promise((resolve) => partition.room.push(resolve));
  }

  /** The partition was assigned to this member afresh: the group's committed offset is its start. */
  reset(key: string): void {
    const partition = this.partitions.get(key);
    if (partition && !partition.running) this.partitions.delete(key);
    else if (partition) partition.abandoned = false;
  }

  /** Resolves once no partition has a unit in flight or waiting. */
  async drained(): Promise<void> {
    for (;;) {
      const running = [...this.partitions.values()].flatMap((p) => (p.running ? [p.running] : []));
      if (running.length === 0) return;
      await Promise.all(running);
    }
  }

  private partition(key: string): Partition {
    let partition = this.partitions.get(key);
    if (!partition) {
      partition = { waiting: [], waitingRecords: 0, arrivals: [], abandoned: false, room: [] };
      this.partitions.set(key, partition);
    }
    return partition;
  }

  /** Takes everything waiting as one unit, and the next once that one is durable. */
  private start(key: string, partition: Partition): void {
    const unit = merge(partition.waiting);
    const nextOffset = partition.nextOffset!;
    const arrivals = partition.arrivals;
    partition.waiting = [];
    partition.waitingRecords = 0;
    partition.arrivals = [];
    partition.room.splice(0).forEach((resolve) => resolve());
    partition.running = this.persist(unit, key)
      .catch(() => false)
      .then((durable) => {
        partition.running = undefined;
        if (durable) this.onDurable(key, nextOffset, arrivals);
        // After a unit given up, a later one would append out of order: drop it too (both are
        // redelivered from the committed offset).
        else this.abandon(partition);
        if (partition.waiting.length > 0) this.start(key, partition);
      });
  }

  private abandon(partition: Partition): void {
    partition.abandoned = true;
    partition.waiting = [];
    partition.waitingRecords = 0;
    partition.arrivals = [];
    partition.room.splice(0).forEach((resolve) => resolve());
  }
}

function merge(batches: DecodedBatch[]): DecodedBatch {
  if (batches.length === 1) return batches[0];
  return { accepted: batches.flatMap((b) => b.accepted), letters: batches.flatMap((b) => b.letters) };
}
