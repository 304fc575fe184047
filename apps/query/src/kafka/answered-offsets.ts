import { TopicPartitionOffsetAndMetadata } from 'kafkajs';
import { keyOf } from '@eventlog/contracts';

/**
 * The next offset of each partition's newest answered request, to commit in the background; only
 * for the partitions this member was given at its last group join. A partition that moved is
 * committed by its new owner, and an offset from here, older than the owner's, would move it back.
 */
export class AnsweredOffsets {
  private readonly answered = new Map<string, TopicPartitionOffsetAndMetadata>();
  private assigned = new Set<string>();

  /** The assignment of a group join (kafkajs GROUP_JOIN's memberAssignment). */
  assign(memberAssignment: Record<string, number[]>): void {
    this.assigned = new Set(Object.entries(memberAssignment).flatMap(([topic, partitions]) => partitions.map((p) => keyOf(topic, p))));
    for (const k of this.answered.keys()) if (!this.assigned.has(k)) this.answered.delete(k);
  }

  answer(topic: string, partition: number, offset: string): void {
    this.answered.set(keyOf(topic, partition), { topic, partition, offset: (BigInt(offset) + 1n).toString() });
  }

  /** What to commit now, for partitions still held; forgotten once taken. */
  take(): TopicPartitionOffsetAndMetadata[] {
    const offsets = [...this.answered].filter(([k]) => this.assigned.has(k)).map(([, o]) => o);
    this.answered.clear();
    return offsets;
  }
}

