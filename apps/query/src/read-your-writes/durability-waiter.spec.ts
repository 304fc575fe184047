import { AppendNotifications, Durability, DurabilityRepository } from '@eventlog/store';
import { DurabilityWaiter } from './durability-waiter';

/** A repository answering what the test says is durable, counting lookups; and hand-fired notifications. */
function setUp() {
  const truth: Durability = { lastPosition: 0, offsets: [] };
  let lookups = 0;
  const repository = {
    durability: async (partitions: { topic: string; partition: number }[]) => {
      lookups++;
      return { lastPosition: truth.lastPosition, offsets: truth.offsets.filter((o) => partitions.some((p) => p.topic === o.topic && p.partition === o.partition)) };
    },
  } as unknown as DurabilityRepository;
  const listeners = { offsets: [] as (() => void)[], appended: [] as (() => void)[] };
  const notifications = {
    subscribeToOffsets: (l: () => void) => (listeners.offsets.push(l), () => undefined),
    subscribe: (l: () => void) => (listeners.appended.push(l), () => undefined),
  } as unknown as AppendNotifications;
  const waiter = new DurabilityWaiter(repository, notifications);
  waiter.onApplicationBootstrap();
  return { waiter, truth, lookups: () => lookups, fire: (kind: 'offsets' | 'appended') => listeners[kind].forEach((l) => l()) };
}

const record = (partition: number, offset: number) => ({ topic: 't', partition, offset: BigInt(offset) });
const tick = () => new Promise((r) => setImmediate(r));

describe('DurabilityWaiter', () => {
  it('answers at once what is durable, and a second time without a lookup', async () => {
    const { waiter, truth, lookups } = setUp();
    truth.offsets.push({ topic: 't', partition: 0, nextOffset: 10n });
    expect(await waiter.waitUntilDurable({ after: [record(0, 9)] }, 5000)).toEqual({ after: [] });
    expect(lookups()).toBe(1);
    expect(await waiter.waitUntilDurable({ after: [record(0, 3)] }, 5000)).toEqual({ after: [] });
    expect(lookups()).toBe(1);
  });

  it('waits for an offsets notification, and treats offset == next as not yet durable', async () => {
    const { waiter, truth, fire } = setUp();
    truth.offsets.push({ topic: 't', partition: 1, nextOffset: 5n });
    let done = false;
    const waiting = waiter.waitUntilDurable({ after: [record(1, 5)] }, 10_000).then((u) => ((done = true), u));
    await tick();
    expect(done).toBe(false);
    truth.offsets[0].nextOffset = 6n;
    await tick();
    expect(done).toBe(false); // nothing told it to look
    fire('offsets');
    expect(await waiting).toEqual({ after: [] });
  });

  it('waits for minPosition on append notifications, not on offset notifications', async () => {
    const { waiter, truth, fire, lookups } = setUp();
    const waiting = waiter.waitUntilDurable({ after: [], minPosition: 3 }, 10_000);
    await tick();
    const before = lookups();
    fire('offsets');
    await tick();
    expect(lookups()).toBe(before);
    truth.lastPosition = 3;
    fire('appended');
    expect(await waiting).toEqual({ after: [] });
  });

  it('says what is still missing once the bound has passed', async () => {
    const { waiter, truth } = setUp();
    truth.offsets.push({ topic: 't', partition: 0, nextOffset: 10n });
    const started = Date.now();
    const unmet = await waiter.waitUntilDurable({ after: [record(0, 1), record(2, 0)], minPosition: 7 }, 100);
    expect(Date.now() - started).toBeGreaterThanOrEqual(95);
    expect(unmet).toEqual({ after: [record(2, 0)], minPosition: 7 });
  });

  it('coalesces notifications that arrive during a lookup into one more lookup', async () => {
    const { waiter, truth, fire, lookups } = setUp();
    const waiting = waiter.waitUntilDurable({ after: [record(0, 0)] }, 10_000);
    // The first lookup is under way; three notifications meanwhile make one more, not three.
    fire('offsets');
    fire('offsets');
    fire('offsets');
    await tick();
    await tick();
    expect(lookups()).toBe(2);
    truth.offsets.push({ topic: 't', partition: 0, nextOffset: 1n });
    fire('offsets');
    expect(await waiting).toEqual({ after: [] });
  });
});
