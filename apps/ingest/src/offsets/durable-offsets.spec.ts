import { TopicPartitionOffsetAndMetadata } from 'kafkajs';
import { DurableOffsets } from './durable-offsets';

/** A commit function that records each call and lets the test decide when (and how) it returns. */
function controlledCommit() {
  const calls: TopicPartitionOffsetAndMetadata[][] = [];
  const replies: { resolve: () => void; reject: (err: Error) => void }[] = [];
  const commit = (offsets: TopicPartitionOffsetAndMetadata[]) =>
    new Promise<void>((resolve, reject) => {
      calls.push(offsets);
      replies.push({ resolve, reject });
    });
  return { commit, calls, replies };
}

const tick = () => new Promise((r) => setImmediate(r));

describe('DurableOffsets', () => {
  it('keeps one commit in flight and sends the newest durable offset of each partition with the next', async () => {
    const { commit, calls, replies } = controlledCommit();
    const offsets = new DurableOffsets(commit, () => undefined);
    offsets.markDurable('t', 0, '10');
    offsets.markDurable('t', 0, '20');
    offsets.markDurable('t', 1, '5');
    offsets.markDurable('t', 0, '30');
    await tick();
    expect(calls).toEqual([[{ topic: 't', partition: 0, offset: '10' }]]);

    replies[0].resolve();
    await tick();
    expect(calls[1]).toEqual([
      { topic: 't', partition: 0, offset: '30' },
      { topic: 't', partition: 1, offset: '5' },
    ]);
    replies[1].resolve();
    await offsets.flush();
    expect(calls).toHaveLength(2);
  });

  it('after a failed commit, retries on its own after a pause, with the newest offset and never an older one over it', async () => {
    const { commit, calls, replies } = controlledCommit();
    const errors: string[] = [];
    const offsets = new DurableOffsets(commit, (err) => errors.push(err.message));
    offsets.markDurable('t', 0, '10');
    await tick();
    offsets.markDurable('t', 0, '15');
    replies[0].reject(new Error('REBALANCE_IN_PROGRESS'));
    await tick();
    // No retry straight into the same failure.
    expect(calls).toHaveLength(1);

    await new Promise((r) => setTimeout(r, 1100));
    expect(calls[1]).toEqual([{ topic: 't', partition: 0, offset: '15' }]);
    replies[1].resolve();
    await offsets.flush();
    expect(calls).toHaveLength(2);
    expect(errors).toEqual(['REBALANCE_IN_PROGRESS']);
  });

  it('a failed offset that nothing replaced is put back and committed by the retry', async () => {
    const { commit, calls, replies } = controlledCommit();
    const offsets = new DurableOffsets(commit, () => undefined);
    offsets.markDurable('t', 3, '42');
    await tick();
    replies[0].reject(new Error('NOT_COORDINATOR'));
    await new Promise((r) => setTimeout(r, 1100));
    expect(calls[1]).toEqual([{ topic: 't', partition: 3, offset: '42' }]);
    replies[1].resolve();
    await offsets.flush();
  });
});

describe('DurableOffsets after a rebalance', () => {
  it('drops a failed offset of a partition this member no longer holds instead of retrying it', async () => {
    jest.useFakeTimers({ doNotFake: ['setImmediate'] });
    try {
      const { commit, calls, replies } = controlledCommit();
      const held = new Set([0, 1]);
      const offsets = new DurableOffsets(commit, () => undefined, (_topic, partition) => held.has(partition));
      offsets.markDurable('t', 0, '10');
      await tick();
      expect(calls).toEqual([[{ topic: 't', partition: 0, offset: '10' }]]);
      // Marked while the first commit is in flight; waits for it.
      offsets.markDurable('t', 1, '7');
      replies[0].reject(new Error('REBALANCE_IN_PROGRESS'));
      await tick();
      // The group moved partition 1 to another member before the retry.
      held.delete(1);
      jest.advanceTimersByTime(1000);
      await tick();
      expect(calls[1]).toEqual([{ topic: 't', partition: 0, offset: '10' }]);
      replies[1].resolve();
      await offsets.flush();
      expect(calls).toHaveLength(2);
    } finally {
      jest.useRealTimers();
    }
  });

  it('a run with nothing this member still holds ends without blocking later commits or flush', async () => {
    const { commit, calls, replies } = controlledCommit();
    const offsets = new DurableOffsets(commit, () => undefined, (_topic, partition) => partition !== 0);
    // Partition 0 moved to another member: this run commits nothing and ends without waiting.
    offsets.markDurable('t', 0, '10');
    await tick();
    expect(calls).toEqual([]);
    // Before the fix that run left a settled promise as "the commit in flight": nothing was ever
    // committed again, and flush() awaited it in a loop that never yielded to I/O.
    offsets.markDurable('t', 1, '7');
    await tick();
    expect(calls).toEqual([[{ topic: 't', partition: 1, offset: '7' }]]);
    replies[0].resolve();
    offsets.markDurable('t', 0, '12');
    await offsets.flush();
    expect(calls).toHaveLength(1);
  });
});
