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
});
