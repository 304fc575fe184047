import { Admin, IHeaders, Kafka, KafkaMessage, logLevel, Message, Producer } from 'kafkajs';
import { KAFKA_BROKERS, testRunId, uniqueSuffix } from './env';
import { waitFor } from './wait-for';

export const kafka = new Kafka({
  clientId: 'eventlog-tests',
  brokers: KAFKA_BROKERS.split(','),
  logLevel: logLevel.NOTHING,
});

/** Topic names of one test file: unique per run, so reruns never see old records. */
export function testTopics(label: string) {
  const base = `${runTopicPrefix()}${label}.${uniqueSuffix()}`;
  return { ingest: `${base}.ingest`, dlq: `${base}.dlq`, outbound: `${base}.events`, group: `${base}.group` };
}

export class TestKafka {
  readonly admin: Admin = kafka.admin();
  readonly producer: Producer = kafka.producer({ allowAutoTopicCreation: false });

  async connect() {
    await this.admin.connect();
    await this.producer.connect();
  }

  /**
   * Creates the topics and returns once every partition has a leader. kafkajs's own wait
   * (waitForLeaders) looks again only on LEADER_NOT_AVAILABLE; a KRaft broker that has created the
   * topic but not yet applied it to the metadata it serves answers UNKNOWN_TOPIC_OR_PARTITION, and
   * kafkajs gives that up as a failure (on the local broker under load, 46 of 150 creations; issue
   * 18). That answer only means "not yet": wait on for the leaders.
   */
  async createTopics(topics: { topic: string; partitions: number }[]) {
    try {
      await this.admin.createTopics({
        waitForLeaders: true,
        topics: topics.map((t) => ({ topic: t.topic, numPartitions: t.partitions })),
      });
    } catch (err) {
      if (!notYetKnown(err)) throw err;
    }
    const partitions = new Map(topics.map((t) => [t.topic, t.partitions]));
    await waitFor(
      () =>
        this.admin.fetchTopicMetadata({ topics: [...partitions.keys()] }).then(
          (m) => m.topics.every((t) => t.partitions.length === partitions.get(t.name) && t.partitions.every((p) => p.leader >= 0)),
          (err) => {
            if (notYetKnown(err)) return false;
            throw err;
          },
        ),
      Boolean,
      { timeoutMs: 30000, intervalMs: 100, what: `leaders of ${[...partitions.keys()].join(', ')}` },
    );
  }

  async produce(topic: string, messages: Message[]) {
    await this.producer.send({ topic, messages, acks: -1 });
  }

  /** Every record of a topic from the beginning, read with a fresh group until `count` have arrived. */
  readAll(topic: string, count: number, timeoutMs = 30000): Promise<ReceivedRecord[]> {
    return this.readUntil(topic, (seen) => seen.length >= count, `${count} records`, timeoutMs);
  }

  /** Records of a topic from the beginning, read with a fresh group until `done` accepts them. */
  async readUntil(topic: string, done: (seen: ReceivedRecord[]) => boolean, what: string, timeoutMs = 30000): Promise<ReceivedRecord[]> {
    const consumer = kafka.consumer({ groupId: `reader.${uniqueSuffix()}`, maxWaitTimeInMs: 100 });
    const seen: ReceivedRecord[] = [];
    await consumer.connect();
    try {
      await consumer.subscribe({ topic, fromBeginning: true });
      await consumer.run({
        eachMessage: async ({ partition, message }) => {
          seen.push({ partition, ...message, headerText: textHeaders(message.headers) });
        },
      });
      await waitFor(async () => seen, done, { timeoutMs, what: `${what} on ${topic}` });
      return seen;
    } finally {
      await consumer.disconnect();
    }
  }

  /** Outbound records until every position 1..count has been seen at least once. */
  readPositions(topic: string, count: number, timeoutMs = 30000): Promise<ReceivedRecord[]> {
    const positions = new Set<string>();
    let scanned = 0;
    return this.readUntil(
      topic,
      (seen) => {
        for (; scanned < seen.length; scanned++) positions.add(seen[scanned].headerText['eventlog-position']);
        return positions.size >= count;
      },
      `positions 1..${count}`,
      timeoutMs,
    );
  }

  async disconnect() {
    await this.producer.disconnect();
    await this.admin.disconnect();
  }
}

/** Every topic this run creates, the apps' own (dead letters, outbound, request topics) included, starts so. */
export const runTopicPrefix = () => `test.${testRunId()}.`;

/**
 * Deletes the topics whose names start with `prefix` (at teardown, this run's). Without it every
 * `npm test` left about 1,300 partitions on the developer's broker, and one broker took its log
 * directory offline near 20,000 (issue 18).
 */
export async function deleteTopicsUnder(brokers: string, prefix: string): Promise<number> {
  const admin = new Kafka({ clientId: 'eventlog-tests-teardown', brokers: brokers.split(','), logLevel: logLevel.NOTHING }).admin();
  await admin.connect();
  try {
    const topics = (await admin.listTopics()).filter((t) => t.startsWith(prefix));
    // Small requests: one deletion of hundreds of topics can outlast the request timeout.
    for (let i = 0; i < topics.length; i += 50) await admin.deleteTopics({ topics: topics.slice(i, i + 50), timeout: 30000 });
    return topics.length;
  } finally {
    await admin.disconnect();
  }
}

export type ReceivedRecord = KafkaMessage & { partition: number; headerText: Record<string, string> };

/** A topic the broker has created but does not serve yet (or whose leader is being elected). */
const notYetKnown = (err: unknown) => ['UNKNOWN_TOPIC_OR_PARTITION', 'LEADER_NOT_AVAILABLE'].includes((err as { type?: string })?.type ?? '');

function textHeaders(headers: IHeaders | undefined): Record<string, string> {
  return Object.fromEntries(Object.entries(headers ?? {}).map(([k, v]) => [k, String(Array.isArray(v) ? v[0] : v)]));
}
