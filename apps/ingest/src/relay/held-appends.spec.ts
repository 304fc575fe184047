import { NewEvent } from '@eventlog/contracts';
import { CommittingAppend } from '@eventlog/store';
import { HeldAppends } from './held-appends';

const event = (id: string): NewEvent => ({
  id, tenant: 'default', stream: 's', type: 'T', data: {}, metadata: {}, source: null, status: null, message: null,
  requestId: null, nodeId: id, parentNodeId: null, occurredAt: new Date('2026-01-01T00:00:00Z'), expectedVersion: 'any', kafka: null,
});

/** An append of positions from..to, committed (or not) as `committed` says. */
function append(from: number, to: number, committed: Promise<boolean> | boolean = true): CommittingAppend {
  const rows = [];
  for (let p = from; p <= to; p++) rows.push({ event: event(`e-${p}`), version: p, position: p });
  return { rows, recordedAt: '2026-01-01T00:00:01.000Z', committed: Promise.resolve(committed) };
}

const positions = (rows: { position: string }[]) => rows.map((r) => Number(r.position));

describe('HeldAppends', () => {
  let held: HeldAppends;
  beforeEach(() => {
    held = new HeldAppends(100);
    held.start();
  });

  it('gives the events right after the checkpoint, across appends, up to the limit asked', async () => {
    held.hold(append(1, 3));
    held.hold(append(4, 6));
    expect(positions(await held.take(0, 5))).toEqual([1, 2, 3, 4, 5]);
    expect(positions(await held.take(5, 5))).toEqual([6]);
    expect(await held.take(6, 5)).toEqual([]);
  });

  it('gives nothing when the next position is not held: appended elsewhere, or a checkpoint moved by another relay', async () => {
    held.hold(append(5, 8));
    expect(await held.take(2, 10)).toEqual([]);
    // The relay read 3..6 from Postgres: the rest of the held append follows from memory.
    expect(positions(await held.take(6, 10))).toEqual([7, 8]);
  });

  it('stops at a gap between appends', async () => {
    held.hold(append(1, 2));
    held.hold(append(5, 6));
    expect(positions(await held.take(0, 10))).toEqual([1, 2]);
    expect(await held.take(2, 10)).toEqual([]);
  });

  it('drops an append whose commit failed, and gives the one that took its positions after it', async () => {
    held.hold(append(1, 4, false));
    held.hold(append(1, 2));
    expect(positions(await held.take(0, 10))).toEqual([1, 2]);
  });

  it('waits for an append still committing', async () => {
    let commit!: (ok: boolean) => void;
    held.hold(append(1, 2, new Promise<boolean>((resolve) => (commit = resolve))));
    const taking = held.take(0, 10);
    commit(true);
    expect(positions(await taking)).toEqual([1, 2]);
  });

  it('gives up on a commit that does not answer, for Postgres to tell', async () => {
    jest.useFakeTimers();
    try {
      held.hold(append(1, 2, new Promise<boolean>(() => undefined)));
      const taking = held.take(0, 10);
      await jest.advanceTimersByTimeAsync(1000);
      expect(await taking).toEqual([]);
    } finally {
      jest.useRealTimers();
    }
  });

  it('lets the oldest go past its bound, so a relay that fell behind reads them from Postgres', async () => {
    held.hold(append(1, 60));
    held.hold(append(61, 120));
    expect(await held.take(0, 10)).toEqual([]);
    expect(positions(await held.take(60, 100))).toHaveLength(60);
  });

  it('holds nothing while the lease is not held, and forgets on losing it', async () => {
    held.stop();
    held.hold(append(1, 2));
    expect(await held.take(0, 10)).toEqual([]);
    held.start();
    held.hold(append(3, 4));
    held.stop();
    held.start();
    expect(await held.take(2, 10)).toEqual([]);
  });

  it('stops before an event it cannot spell as Postgres would, for Postgres to publish', async () => {
    const odd = append(1, 3);
    odd.rows[1].event.stream = 'lone \ud800';
    held.hold(odd);
    expect(positions(await held.take(0, 10))).toEqual([1]);
    expect(await held.take(1, 10)).toEqual([]);
  });
});
