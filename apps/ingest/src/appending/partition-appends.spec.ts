import { DecodedBatch } from '../decoding/batch-decoder';
import { KafkaRecord } from '../decoding/kafka-record';
import { PartitionAppends } from './partition-appends';

/** A batch whose records are only their offsets: the accepted ones, then the refused. */
function batch(offsets: number[], refused: number[] = []): DecodedBatch {
  const record = (offset: number) => ({ offset: String(offset) }) as KafkaRecord;
  return {
    accepted: offsets.map((o) => ({ record: record(o), event: {} as never })),
    letters: refused.map((o) => ({ record: record(o), rejection: { code: 'X', message: 'x' } as never })),
  };
}
const offsetsOf = (b: DecodedBatch) => [...b.accepted, ...b.letters].map((a) => Number(a.record.offset));

/** A persist function that records each unit and lets the test decide when (and how) it ends. */
function controlledPersist() {
  const units: { partition: string; offsets: number[]; finish: (durable: boolean) => void; fail: () => void }[] = [];
  const persist = (unit: DecodedBatch, partition: string) =>
    new Promise<boolean>((resolve, reject) => units.push({ partition, offsets: offsetsOf(unit), finish: resolve, fail: () => reject(new Error('lost')) }));
  return { persist, units };
}

const tick = () => new Promise((r) => setImmediate(r));

function setUp(maxWaiting = 100) {
  const { persist, units } = controlledPersist();
  const durable: [string, string][] = [];
  const appends = new PartitionAppends(persist, (p, next) => durable.push([p, next]), maxWaiting);
  return { appends, units, durable };
}

describe('PartitionAppends', () => {
  it('persists a batch at once, and merges what arrives meanwhile into one next unit, in offset order', async () => {
    const { appends, units, durable } = setUp();
    await appends.add('t|0', batch([0, 1]), 2, '2', 0n);
    await appends.add('t|0', batch([2]), 1, '3', 0n);
    await appends.add('t|0', batch([3], [4]), 2, '5', 0n);
    expect(units.map((u) => u.offsets)).toEqual([[0, 1]]);

    units[0].finish(true);
    await tick();
    expect(durable).toEqual([['t|0', '2']]);
    expect(units.map((u) => u.offsets)).toEqual([[0, 1], [2, 3, 4]]);

    units[1].finish(true);
    await appends.drained();
    expect(durable).toEqual([
      ['t|0', '2'],
      ['t|0', '5'],
    ]);
  });

  it('keeps partitions apart: one in flight does not hold another back', async () => {
    const { appends, units } = setUp();
    await appends.add('t|0', batch([0]), 1, '1', 0n);
    await appends.add('t|1', batch([0]), 1, '1', 0n);
    expect(units.map((u) => u.partition)).toEqual(['t|0', 't|1']);
  });

  it('holds the caller back once the waiting records reach the limit, until they are taken', async () => {
    const { appends, units } = setUp(3);
    await appends.add('t|0', batch([0]), 1, '1', 0n);
    await appends.add('t|0', batch([1, 2]), 2, '3', 0n);
    let room = false;
    void appends.add('t|0', batch([3]), 1, '4', 0n).then(() => (room = true));
    await tick();
    expect(room).toBe(false);

    units[0].finish(true);
    await tick();
    expect(room).toBe(true);
    expect(units[1].offsets).toEqual([1, 2, 3]);
  });

  it('after a unit is given up, drops what waits and what comes, until the partition is assigned afresh', async () => {
    const { appends, units, durable } = setUp(2);
    await appends.add('t|0', batch([0]), 1, '1', 0n);
    let room = false;
    void appends.add('t|0', batch([1, 2]), 2, '3', 0n).then(() => (room = true));
    units[0].finish(false);
    await tick();
    expect(room).toBe(true);
    await appends.add('t|0', batch([3]), 1, '4', 0n);
    await appends.drained();
    expect(units).toHaveLength(1);
    expect(durable).toEqual([]);

    appends.reset('t|0');
    await appends.add('t|0', batch([0]), 1, '1', 0n);
    expect(units[1].offsets).toEqual([0]);
  });

  it('treats a persist that throws as given up, not as durable', async () => {
    const { appends, units, durable } = setUp();
    await appends.add('t|0', batch([0]), 1, '1', 0n);
    await appends.add('t|0', batch([1]), 1, '2', 0n);
    units[0].fail();
    await appends.drained();
    expect(durable).toEqual([]);
    expect(units).toHaveLength(1);
  });

  it('drained waits for the units that follow the one in flight', async () => {
    const { appends, units } = setUp();
    await appends.add('t|0', batch([0]), 1, '1', 0n);
    await appends.add('t|0', batch([1]), 1, '2', 0n);
    let drained = false;
    void appends.drained().then(() => (drained = true));
    units[0].finish(true);
    await tick();
    expect(drained).toBe(false);
    units[1].finish(true);
    await tick();
    expect(drained).toBe(true);
  });

  it('reports when each batch of a durable unit arrived', async () => {
    const { persist, units } = controlledPersist();
    const arrivals: bigint[][] = [];
    const appends = new PartitionAppends(persist, (_p, _n, a) => arrivals.push(a), 100);
    await appends.add('t|0', batch([0]), 1, '1', 10n);
    await appends.add('t|0', batch([1]), 1, '2', 20n);
    await appends.add('t|0', batch([2]), 1, '3', 30n);
    units[0].finish(true);
    await tick();
    units[1].finish(true);
    await appends.drained();
    expect(arrivals).toEqual([[10n], [20n, 30n]]);
  });
});
