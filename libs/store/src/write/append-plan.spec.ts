import { ExpectedVersion, NewEvent, RejectionCode, keyOf } from '@eventlog/contracts';
import { planAppend } from './append-plan';

let n = 0;
const event = (stream: string, expectedVersion: ExpectedVersion = 'any', id = `e${++n}`, tenant = 'default', at = 1000): NewEvent => ({
  id, tenant, stream, type: 'T', data: {}, metadata: {}, source: null, status: null, message: null, requestId: null,
  nodeId: id, parentNodeId: null, occurredAt: new Date(at), expectedVersion, kafka: null,
});

describe('planAppend', () => {
  it('numbers each stream from its current version and positions from the last one, in input order', () => {
    const events = [event('a'), event('b'), event('a'), event('a')];
    const plan = planAppend(events, new Set(), new Map([[keyOf('default', 'b'), 7]]), 100);
    expect(plan.outcomes).toEqual([
      { kind: 'persisted', version: 1, position: 101 },
      { kind: 'persisted', version: 8, position: 102 },
      { kind: 'persisted', version: 2, position: 103 },
      { kind: 'persisted', version: 3, position: 104 },
    ]);
    expect(plan.lastPosition).toBe(104);
    expect(plan.heads.map((h) => [h.stream, h.version])).toEqual([['a', 3], ['b', 8]]);
  });

  it('keeps tenants apart: the same stream name in two tenants has two version sequences', () => {
    const plan = planAppend([event('s', 'any', 'x1', 't1'), event('s', 'any', 'x2', 't2')], new Set(), new Map([[keyOf('t2', 's'), 4]]), 0);
    expect(plan.outcomes.map((o) => o.kind === 'persisted' && o.version)).toEqual([1, 5]);
  });

  it('absorbs duplicates of stored ids and of earlier ids in the batch without using a version or position', () => {
    const plan = planAppend([event('a', 'any', 'old'), event('a', 'any', 'new'), event('a', 'any', 'new')], new Set([keyOf('default', 'old')]), new Map(), 0);
    expect(plan.outcomes).toEqual([{ kind: 'duplicate' }, { kind: 'persisted', version: 1, position: 1 }, { kind: 'duplicate' }]);
    expect(plan.rows).toHaveLength(1);
  });

  it('rejects every event of a stream closed by a hard deletion, and only of that tenant’s stream', () => {
    const closed = new Set([keyOf('t1', 'gone')]);
    const plan = planAppend([event('gone', 'any', 'g1', 't1'), event('gone', 'any', 'g2', 't2'), event('kept', 'any', 'k1', 't1')], new Set(), new Map([[keyOf('t1', 'gone'), 5]]), 10, closed);
    expect(plan.outcomes[0]).toMatchObject({ kind: 'rejected', rejection: { code: RejectionCode.StreamDeleted } });
    expect(plan.outcomes.slice(1)).toEqual([
      { kind: 'persisted', version: 1, position: 11 },
      { kind: 'persisted', version: 1, position: 12 },
    ]);
    expect(plan.heads.map((h) => [h.tenant, h.stream])).toEqual([['t2', 'gone'], ['t1', 'kept']]);
  });

  it('treats the same id in another tenant as a different event', () => {
    const plan = planAppend([event('a', 'any', 'same', 't1')], new Set([keyOf('t2', 'same')]), new Map(), 0);
    expect(plan.outcomes[0].kind).toBe('persisted');
  });

  it.each<[ExpectedVersion, number, boolean]>([
    ['any', 0, true],
    ['any', 5, true],
    ['no_stream', 0, true],
    ['no_stream', 1, false],
    ['stream_exists', 0, false],
    ['stream_exists', 2, true],
    [0, 0, true],
    [3, 3, true],
    [3, 4, false],
    [3, 2, false],
  ])('expectedVersion %p against current version %p: accepted %p', (expected, current, accepted) => {
    const plan = planAppend([event('s', expected)], new Set(), new Map(current ? [[keyOf('default', 's'), current]] : []), 9);
    if (accepted) expect(plan.outcomes[0]).toEqual({ kind: 'persisted', version: current + 1, position: 10 });
    else {
      expect(plan.outcomes[0]).toMatchObject({ kind: 'rejected', rejection: { code: RejectionCode.WrongExpectedVersion } });
      expect(plan.lastPosition).toBe(9);
    }
  });

  it('checks expectedVersion against the versions earlier events of the same batch assigned', () => {
    const plan = planAppend([event('s', 'no_stream'), event('s', 1), event('s', 1), event('s', 'stream_exists')], new Set(), new Map(), 0);
    expect(plan.outcomes.map((o) => o.kind)).toEqual(['persisted', 'persisted', 'rejected', 'persisted']);
    expect(plan.heads[0].version).toBe(3);
  });

  it('tracks the first and last occurredAt of each stream head', () => {
    const plan = planAppend([event('s', 'any', 'a', 'default', 500), event('s', 'any', 'b', 'default', 100), event('s', 'any', 'c', 'default', 300)], new Set(), new Map(), 0);
    expect(plan.heads[0]).toMatchObject({ firstOccurredAt: new Date(100), lastOccurredAt: new Date(500) });
  });
});
