import { TopicPartitionOffsetAndMetadata } from 'kafkajs';
import { keyOf } from '@eventlog/contracts';

type PartitionState = { topic: string; partition: number; inFlight: Set<bigint>; next?: bigint; changed: boolean };

/**
 * Which requests are in flight and which answered, per partition, and so what may be committed in
 * the background. Requests are answered concurrently and finish in any order: a partition's commit
 * is its oldest request still in flight, or past its newest answered one when none is, so a crash
 * answers again what was unanswered but never skips it. Only for the partitions this member was
 * given at its last group join: a partition that moved is committed by its new owner, and an
 * offset from here, older than the owner's, would move it back.
 */
export class AnsweredOffsets {
  private readonly partitions = new Map<string, PartitionState>();
  private assigned = new Set<string>();
  private inFlightCount = 0;
  /** Callers waiting for fewer requests in flight than their bound. */
  private waiting: { below: number; resolve: () => void }[] = [];

  /** The assignment of a group join (kafkajs GROUP_JOIN's memberAssignment). */
  assign(memberAssignment: Record<string, number[]>): void {
    this.assigned = new Set(Object.entries(memberAssignment).flatMap(([topic, partitions]) => partitions.map((p) => keyOf(topic, p))));
    for (const [k, state] of this.partitions) {
      if (this.assigned.has(k)) continue;
      if (state.inFlight.size === 0) this.partitions.delete(k);
      // Kept only to count its requests still in flight; if the partition comes back, its new
      // start is the group's commit, not what this member answered before it moved.
      else Object.assign(state, { next: undefined, changed: false });
    }
  }

  begin(topic: string, partition: number, offset: string): void {
    this.stateOf(topic, partition).inFlight.add(BigInt(offset));
    this.inFlightCount++;
  }

  answer(topic: string, partition: number, offset: string): void {
    const state = this.stateOf(topic, partition);
    const o = BigInt(offset);
    if (state.inFlight.delete(o)) this.inFlightCount--;
    if (this.assigned.has(keyOf(topic, partition))) {
      if (state.next === undefined || o + 1n > state.next) state.next = o + 1n;
      state.changed = true;
    }
    this.waiting = this.waiting.filter((w) => (this.inFlightCount < w.below ? (w.resolve(), false) : true));
  }

  /** Resolves once fewer than `below` requests are in flight, over every partition (1: none). */
  inFlightBelow(below: number): Promise<void> {
    return this.inFlightCount < below ? Promise.resolve() : new Promise((resolve) => this.waiting.push({ below, resolve }));
  }

  /** What to commit now, for partitions still held and changed since the last take. */
  take(): TopicPartitionOffsetAndMetadata[] {
    const offsets: TopicPartitionOffsetAndMetadata[] = [];
    for (const [k, state] of this.partitions) {
      if (!state.changed || !this.assigned.has(k) || state.next === undefined) continue;
      state.changed = false;
      let commit = state.next;
      for (const o of state.inFlight) if (o < commit) commit = o;
      offsets.push({ topic: state.topic, partition: state.partition, offset: commit.toString() });
    }
    return offsets;
  }

  private stateOf(topic: string, partition: number): PartitionState {
    const k = keyOf(topic, partition);
    let state = this.partitions.get(k);
    if (!state) this.partitions.set(k, (state = { topic, partition, inFlight: new Set(), changed: false }));
    return state;
  }
}
