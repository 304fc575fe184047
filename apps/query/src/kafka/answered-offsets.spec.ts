import { AnsweredOffsets } from './answered-offsets';

describe('AnsweredOffsets', () => {
  it('commits the offset after the newest answered request of each held partition, once', () => {
    const offsets = new AnsweredOffsets();
    offsets.assign({ 'q.events.get': [0, 1] });
    offsets.answer('q.events.get', 0, '4');
    offsets.answer('q.events.get', 0, '7');
    offsets.answer('q.events.get', 1, '2');
    expect(offsets.take()).toEqual([
      { topic: 'q.events.get', partition: 0, offset: '8' },
      { topic: 'q.events.get', partition: 1, offset: '3' },
    ]);
    expect(offsets.take()).toEqual([]);
  });

  it('never commits for a partition the last group join gave to another member', () => {
    const offsets = new AnsweredOffsets();
    offsets.assign({ 'q.events.get': [0, 1] });
    offsets.answer('q.events.get', 0, '10');
    offsets.answer('q.events.get', 1, '10');
    // Rebalance: partition 1 moved away before the commit ran.
    offsets.assign({ 'q.events.get': [0] });
    // A request of the moved partition answered after the join (it was in flight).
    offsets.answer('q.events.get', 1, '11');
    expect(offsets.take()).toEqual([{ topic: 'q.events.get', partition: 0, offset: '11' }]);
  });

  it('commits nothing before the first group join', () => {
    const offsets = new AnsweredOffsets();
    offsets.answer('q.events.get', 0, '1');
    expect(offsets.take()).toEqual([]);
  });

  it('commits up to the oldest request still in flight, whatever order they are answered in', () => {
    const offsets = new AnsweredOffsets();
    offsets.assign({ 'q.dsl': [0] });
    for (const o of ['5', '6', '7']) offsets.begin('q.dsl', 0, o);
    offsets.answer('q.dsl', 0, '7');
    offsets.answer('q.dsl', 0, '6');
    // 5 is still being answered: a crash now must answer it again, so the commit stops before it.
    expect(offsets.take()).toEqual([{ topic: 'q.dsl', partition: 0, offset: '5' }]);
    offsets.answer('q.dsl', 0, '5');
    expect(offsets.take()).toEqual([{ topic: 'q.dsl', partition: 0, offset: '8' }]);
  });

  it('lets a waiter on fewer requests in flight go once enough are answered', async () => {
    const offsets = new AnsweredOffsets();
    for (const o of ['1', '2', '3']) offsets.begin('q.dsl', 0, o);
    let roomForOne = false;
    let none = false;
    void offsets.inFlightBelow(3).then(() => (roomForOne = true));
    void offsets.inFlightBelow(1).then(() => (none = true));
    offsets.answer('q.dsl', 0, '2');
    await Promise.resolve();
    expect([roomForOne, none]).toEqual([true, false]);
    offsets.answer('q.dsl', 0, '1');
    offsets.answer('q.dsl', 0, '3');
    await Promise.resolve();
    expect(none).toBe(true);
  });

  it('commits nothing stale for a partition that moved away with a request in flight and came back', () => {
    const offsets = new AnsweredOffsets();
    offsets.assign({ 'q.dsl': [0] });
    offsets.begin('q.dsl', 0, '3');
    offsets.answer('q.dsl', 0, '2');
    offsets.assign({}); // moved to another member before the commit; 3 still being answered
    offsets.answer('q.dsl', 0, '3');
    offsets.assign({ 'q.dsl': [0] }); // back, refetched from the other member's commit
    expect(offsets.take()).toEqual([]);
    offsets.begin('q.dsl', 0, '40');
    offsets.answer('q.dsl', 0, '40');
    expect(offsets.take()).toEqual([{ topic: 'q.dsl', partition: 0, offset: '41' }]);
  });
});
