import type { ConsumerGroupJoinEvent } from '@nestjs/microservices/external/kafka.interface';
import { ReplyClientKafka } from './reply-client-kafka';

describe('ReplyClientKafka', () => {
  const joined = (memberAssignment: Record<string, number[]>) => ({ payload: { memberAssignment } }) as unknown as ConsumerGroupJoinEvent;

  function client() {
    const c = new ReplyClientKafka({ client: { brokers: ['127.0.0.1:9092'] }, consumer: { groupId: 'g' } });
    const consumer = { pause: jest.fn(), resume: jest.fn() };
    (c as unknown as { _consumer: unknown })._consumer = consumer;
    return { c, consumer, replyPartition: (topic: string) => (c as unknown as { getReplyTopicPartition(t: string): string }).getReplyTopicPartition(topic) };
  }

  it('fetches only the partition replies are asked on (the lowest held) of each reply topic', () => {
    const { c, consumer, replyPartition } = client();
    (c as unknown as { setConsumerAssignments(e: ConsumerGroupJoinEvent): void }).setConsumerAssignments(joined({ 'q.event.reply': [3, 1, 2], 'q.dsl.reply': [0] }));
    expect(replyPartition('q.event.reply')).toBe('1');
    expect(consumer.resume).toHaveBeenCalledWith([
      { topic: 'q.event.reply', partitions: [3, 1, 2] },
      { topic: 'q.dsl.reply', partitions: [0] },
    ]);
    expect(consumer.pause).toHaveBeenCalledWith([{ topic: 'q.event.reply', partitions: [3, 2] }]);
  });

  it('after a rebalance, fetches the new lowest partition, and the one named before while it is held', () => {
    const { c, consumer, replyPartition } = client();
    const join = (a: Record<string, number[]>) => (c as unknown as { setConsumerAssignments(e: ConsumerGroupJoinEvent): void }).setConsumerAssignments(joined(a));
    join({ 'q.event.reply': [2, 3] });
    expect(consumer.pause).toHaveBeenLastCalledWith([{ topic: 'q.event.reply', partitions: [3] }]);
    // Replies to requests sent before this join may still arrive on 2.
    join({ 'q.event.reply': [0, 1, 2, 3] });
    expect(replyPartition('q.event.reply')).toBe('0');
    expect(consumer.resume).toHaveBeenLastCalledWith([{ topic: 'q.event.reply', partitions: [0, 1, 2, 3] }]);
    expect(consumer.pause).toHaveBeenLastCalledWith([{ topic: 'q.event.reply', partitions: [1, 3] }]);
  });

  it('tells a waiting request when a rebalance gives its reply partition to another member, and only then', () => {
    const { c } = client();
    const join = (a: Record<string, number[]>) => (c as unknown as { setConsumerAssignments(e: ConsumerGroupJoinEvent): void }).setConsumerAssignments(joined(a));
    join({ 'q.event.reply': [0, 1, 2, 3] });
    const lost = { 0: 0, 2: 0 };
    c.lost('q.event.reply', 0).subscribe(() => lost[0]++);
    c.lost('q.event.reply', 2).subscribe(() => lost[2]++);
    // A second member took 0 and 1: a reply asked for on 0 goes to it; 2 is still held here.
    join({ 'q.event.reply': [2, 3] });
    expect(lost).toEqual({ 0: 1, 2: 0 });
    // Once only, however many rebalances follow.
    join({ 'q.event.reply': [3] });
    expect(lost).toEqual({ 0: 1, 2: 1 });
  });
});
