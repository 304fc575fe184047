import { Observable, Subject } from 'rxjs';
import { KafkaTransport } from './kafka-transport';

/**
 * KafkaTransport.query against a stand-in for its ReplyClientKafka: which request is sent again
 * when a rebalance gives its reply partition to another member of the group.
 */
describe('KafkaTransport.query', () => {
  function transport(timeoutMs: number) {
    const t = new KafkaTransport({ brokers: ['127.0.0.1:9092'], groupId: 'g' }, 'token', timeoutMs);
    const rebalance = new Subject<void>();
    const replies: Subject<unknown>[] = [];
    const fake = {
      getConsumerAssignments: () => ({ 'eventlog.query.event.reply': 0, 'eventlog.query.enroll.reply': 0 }),
      // Each send waits for its own reply, which the test gives or not.
      send: () => {
        const reply = new Subject<unknown>();
        replies.push(reply);
        return reply.asObservable();
      },
      lost: (): Observable<unknown> => rebalance,
    };
    (t as unknown as { client: typeof fake }).client = fake;
    return { t, rebalance, replies };
  }

  it('sends a read again when its reply partition moves, and answers with the new reply', async () => {
    const { t, rebalance, replies } = transport(5000);
    const answer = t.query('event', { id: 'e-1' });
    expect(replies).toHaveLength(1);
    rebalance.next();
    await Promise.resolve();
    expect(replies).toHaveLength(2);
    replies[1].next({ id: 'e-1' });
    replies[1].complete();
    await expect(answer).resolves.toEqual({ id: 'e-1' });
    // The first request's late reply, had it come to this member, is no longer awaited.
    expect(replies[0].observed).toBe(false);
  });

  it('does not mistake a wait that ends empty for a moved partition: fails at once, sent once', async () => {
    const { t, replies } = transport(5000);
    const answer = t.query('event', { id: 'e-3' });
    replies[0].complete();
    await expect(answer).rejects.toMatchObject({ name: 'EmptyError' });
    expect(replies).toHaveLength(1);
  });

  it('does not repeat a write (an enroll claim): it times out as before', async () => {
    const { t, rebalance, replies } = transport(200);
    const answer = t.query('enroll', { type: 'Job' });
    rebalance.next();
    await expect(answer).rejects.toMatchObject({ name: 'EventLogError', statusCode: 504 });
    expect(replies).toHaveLength(1);
  });

  it('keeps one deadline across the requests it sends again', async () => {
    jest.useFakeTimers();
    try {
      const { t, rebalance, replies } = transport(300);
      let settled: unknown;
      t.query('event', { id: 'e-2' }).catch((err: unknown) => (settled = err));
      await jest.advanceTimersByTimeAsync(200);
      rebalance.next();
      await jest.advanceTimersByTimeAsync(99);
      expect(replies).toHaveLength(2);
      expect(settled).toBeUndefined();
      // 300 ms after the first send, not after the second.
      await jest.advanceTimersByTimeAsync(2);
      expect(settled).toMatchObject({ name: 'EventLogError', statusCode: 504 });
    } finally {
      jest.useRealTimers();
    }
  });
});
