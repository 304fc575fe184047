import { Admin } from 'kafkajs';
import { ensureTopics } from './topic-bootstrap';

/**
 * An admin whose createTopics answers `createResults` in turn, and whose metadata answers a leader
 * of -1 (none yet) for the first `leaderlessLooks` looks. A created topic is listed from then on;
 * with `listedOnError` also when its creation answered an error, as a KRaft broker does.
 */
function fakeAdmin(createResults: (Error | boolean)[], { leaderlessLooks = 0, listedOnError = false } = {}) {
  const calls = { createTopics: 0, metadata: 0 };
  const listed = new Set(['present']);
  const admin = {
    listTopics: async () => [...listed],
    createTopics: async ({ topics }: { topics: { topic: string }[] }) => {
      const next = createResults[calls.createTopics++];
      if (!(next instanceof Error) || listedOnError) topics.forEach((t) => listed.add(t.topic));
      if (next instanceof Error) throw next;
      return next;
    },
    fetchTopicMetadata: async ({ topics }: { topics: string[] }) => {
      const leader = calls.metadata++ < leaderlessLooks ? -1 : 0;
      return { topics: topics.map((name) => ({ name, partitions: [{ partitionId: 0, leader }] })) };
    },
  } as unknown as Admin;
  return { admin, calls };
}
const kafkaError = (message: string, retriable: boolean) => Object.assign(new Error(message), { retriable });

describe('ensureTopics', () => {
  it('creates nothing when every topic exists', async () => {
    const { admin, calls } = fakeAdmin([]);
    await ensureTopics(admin, [{ topic: 'present', numPartitions: 3 }]);
    expect(calls.createTopics).toBe(0);
  });

  it('looks again after a retriable error (a topic another instance is still creating)', async () => {
    const { admin, calls } = fakeAdmin([kafkaError('This server does not host this topic-partition', true), true]);
    await ensureTopics(admin, [{ topic: 'new', numPartitions: 3 }]);
    expect(calls.createTopics).toBe(2);
  });

  it('after a retry that finds the topic listed, still waits for its leaders', async () => {
    const { admin, calls } = fakeAdmin([kafkaError('This server does not host this topic-partition', true)], { leaderlessLooks: 3, listedOnError: true });
    await ensureTopics(admin, [{ topic: 'new', numPartitions: 3 }]);
    expect(calls.createTopics).toBe(1);
    expect(calls.metadata).toBe(4);
  });

  it('fails at once on an error that retrying cannot fix', async () => {
    const { admin, calls } = fakeAdmin([kafkaError('Topic authorization failed', false), true]);
    await expect(ensureTopics(admin, [{ topic: 'new', numPartitions: 3 }])).rejects.toThrow('authorization');
    expect(calls.createTopics).toBe(1);
  });
});
