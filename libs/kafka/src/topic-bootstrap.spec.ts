import { Admin } from 'kafkajs';
import { ensureTopics } from './topic-bootstrap';

function fakeAdmin(createResults: (Error | boolean)[]) {
  const calls = { createTopics: 0 };
  const admin = {
    listTopics: async () => ['present'],
    createTopics: async () => {
      const next = createResults[calls.createTopics++];
      if (next instanceof Error) throw next;
      return next;
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

  it('fails at once on an error that retrying cannot fix', async () => {
    const { admin, calls } = fakeAdmin([kafkaError('Topic authorization failed', false), true]);
    await expect(ensureTopics(admin, [{ topic: 'new', numPartitions: 3 }])).rejects.toThrow('authorization');
    expect(calls.createTopics).toBe(1);
  });
});
