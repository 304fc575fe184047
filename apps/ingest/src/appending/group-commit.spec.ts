import { NewEvent } from '@eventlog/contracts';
import { AppendOutcome, EventStoreRepository } from '@eventlog/store';
import { GroupCommit } from './group-commit';

const event = (id: string) => ({ id }) as NewEvent;
const recordsOf = (events: NewEvent[]) => events.map((e) => ({ topic: 't', partition: 0, offset: e.id, key: null, value: null }));

/** A store whose appendBatch calls are recorded and answered by hand. */
function fakeStore() {
  const calls: { ids: string[]; resolve: (o: AppendOutcome[]) => void; reject: (e: unknown) => void }[] = [];
  const store = {
    appendBatch: (events: NewEvent[]) =>
      new Promise<AppendOutcome[]>((resolve, reject) => calls.push({ ids: events.map((e) => e.id), resolve, reject })),
  } as unknown as EventStoreRepository;
  return { store, calls };
}
const persisted = (ids: string[], from: number): AppendOutcome[] => ids.map((_, i) => ({ kind: 'persisted', version: 1, position: from + i }));
const tick = () => new Promise((r) => setImmediate(r));

describe('GroupCommit', () => {
  it('appends batches that arrive during a transaction together in the next one, each caller getting its own outcomes', async () => {
    const { store, calls } = fakeStore();
    const group = new GroupCommit(store);
    const first = group.append([event('a1')], recordsOf([event('a1')]));
    await tick();
    const second = group.append([event('b1'), event('b2')], recordsOf([event('b1'), event('b2')]));
    const third = group.append([event('c1')], recordsOf([event('c1')]));
    expect(calls.map((c) => c.ids)).toEqual([['a1']]);

    calls[0].resolve(persisted(['a1'], 1));
    expect(await first).toEqual(persisted(['a1'], 1));
    await tick();
    expect(calls.map((c) => c.ids)).toEqual([['a1'], ['b1', 'b2', 'c1']]);
    calls[1].resolve(persisted(['b1', 'b2', 'c1'], 2));
    expect(await second).toEqual(persisted(['b1', 'b2'], 2));
    expect(await third).toEqual(persisted(['c1'], 4));
  });

  it('lets a caller that queues again on hearing of its commit join the next transaction, not the one after', async () => {
    const { store, calls } = fakeStore();
    const group = new GroupCommit(store);
    // Partition A's next batch follows its first once that is durable, a few promise turns later.
    const aNext = group.append([event('a1')], recordsOf([event('a1')])).then(async () => {
      await Promise.resolve();
      return group.append([event('a2')], recordsOf([event('a2')]));
    });
    await tick();
    void group.append([event('b1')], recordsOf([event('b1')]));
    calls[0].resolve(persisted(['a1'], 1));
    await tick();
    await tick();
    expect(calls.map((c) => c.ids)).toEqual([['a1'], ['b1', 'a2']]);
    calls[1].resolve(persisted(['b1', 'a2'], 2));
    expect(await aNext).toEqual(persisted(['a2'], 3));
  });

  it('runs a transaction for a batch of dead letters only, and joins it with the others', async () => {
    const calls: unknown[][] = [];
    const store = { appendBatch: async (...args: unknown[]) => (calls.push(args), []) } as unknown as EventStoreRepository;
    const group = new GroupCommit(store);
    const letter = { record: recordsOf([event('r')])[0], rejection: { code: 'INVALID_JSON', message: 'm' } } as never;
    await group.append([], [], [letter]);
    expect(calls).toEqual([[[], [], [letter]]]);
    await expect(group.append([], [], [])).resolves.toEqual([]);
    expect(calls).toHaveLength(1);
  });

  it('fails every caller of a transaction that fails, and goes on with the next', async () => {
    const { store, calls } = fakeStore();
    const group = new GroupCommit(store);
    const first = group.append([event('a')], recordsOf([event('a')]));
    await tick();
    const second = group.append([event('b')], recordsOf([event('b')]));
    calls[0].reject(new Error('connection lost'));
    await expect(first).rejects.toThrow('connection lost');
    await tick();
    calls[1].resolve(persisted(['b'], 1));
    expect(await second).toEqual(persisted(['b'], 1));
  });

  it('retries callers one by one when Postgres refuses a value, so only the caller that sent it fails', async () => {
    const { store, calls } = fakeStore();
    const group = new GroupCommit(store);
    const blocker = group.append([event('x')], recordsOf([event('x')]));
    await tick();
    const good = group.append([event('good')], recordsOf([event('good')]));
    const bad = group.append([event('bad')], recordsOf([event('bad')]));
    calls[0].resolve(persisted(['x'], 1));
    await blocker;
    await tick();
    calls[1].reject(Object.assign(new Error('unsupported Unicode escape sequence'), { code: '22P05' }));
    await tick();
    expect(calls.slice(2).map((c) => c.ids)).toEqual([['good'], ['bad']]);
    calls[2].resolve(persisted(['good'], 2));
    calls[3].reject(Object.assign(new Error('unsupported Unicode escape sequence'), { code: '22P05' }));
    expect(await good).toEqual(persisted(['good'], 2));
    await expect(bad).rejects.toMatchObject({ code: '22P05' });
  });
});
