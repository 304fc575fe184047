import { KAFKA_BROKERS, uniqueSuffix } from './support/env';
import { deleteTopicsUnder, TestKafka } from './support/kafka';
import { waitFor } from './support/wait-for';

/** The suite cleans up after itself on the developer's broker (issue 18): what teardown deletes, and what it spares. */
describe("a test run's topics", () => {
  const tk = new TestKafka();
  beforeAll(() => tk.connect());
  afterAll(() => tk.disconnect());

  it('teardown deletes every topic under the run prefix, and none of another run', async () => {
    const mine = `test.${uniqueSuffix()}.`;
    const other = `test.${uniqueSuffix()}.`;
    const created = [`${mine}a.ingest`, `${mine}a.dlq`, `${mine}b.group.eventlog.query.dsl`];
    await tk.createTopics([...created, `${other}a.ingest`].map((topic) => ({ topic, partitions: 2 })));

    expect(await deleteTopicsUnder(KAFKA_BROKERS, mine)).toBe(3);

    const left = await waitFor(
      () => tk.admin.listTopics(),
      (topics) => !topics.some((t) => t.startsWith(mine)),
      { timeoutMs: 30000, what: `no topic under ${mine}` },
    );
    expect(left).toContain(`${other}a.ingest`);
    await deleteTopicsUnder(KAFKA_BROKERS, other);
  });
});
