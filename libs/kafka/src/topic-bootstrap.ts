import type { EventlogConfig } from '@eventlog/config';
import { Admin, Kafka } from 'kafkajs';
import { setTimeout as sleep } from 'node:timers/promises';

export interface TopicSpec {
  topic: string;
  numPartitions: number;
  /** Largest record batch the topic accepts (its max.message.bytes); the broker default if unset. */
  maxMessageBytes?: number;
}

/**
 * Creates the topics that are missing and waits for their leaders, so consumers and producers never
 * race auto-creation. Existing topics are left as they are.
 */
export async function ensureTopics(admin: Admin, specs: TopicSpec[]): Promise<void> {
  for (let attempt = 1; ; attempt++) {
    try {
      await createMissing(admin, specs);
      // Also when nothing was missing: the topic a retry finds listed may still be without leaders.
      return await waitForLeaders(admin, specs, attempt);
    } catch (err) {
      // Instances starting together race on creation, and a KRaft broker answers
      // UNKNOWN_TOPIC_OR_PARTITION (retriable) for a topic it has made but does not serve yet.
      if (attempt >= TOPIC_ATTEMPTS || !(err as { retriable?: boolean }).retriable) throw err;
      await sleep(500 * attempt);
    }
  }
}

const TOPIC_ATTEMPTS = 5;

/** Until every partition of every topic has a leader; a retriable error goes to ensureTopics' retry. */
async function waitForLeaders(admin: Admin, specs: TopicSpec[], attempt: number): Promise<void> {
  const topics = specs.map((s) => s.topic);
  for (let look = 0; ; look++) {
    const { topics: found } = await admin.fetchTopicMetadata({ topics });
    if (found.every((t) => t.partitions.length > 0 && t.partitions.every((p) => p.leader >= 0))) return;
    if (look >= 50) throw Object.assign(new Error(`no leader yet for a partition of ${topics.join(', ')}`), { retriable: attempt < TOPIC_ATTEMPTS });
    await sleep(100);
  }
}

async function createMissing(admin: Admin, specs: TopicSpec[]): Promise<void> {
  const existing = new Set(await admin.listTopics());
  const missing = specs.filter((s) => !existing.has(s.topic));
  if (missing.length === 0) return;
  try {
    await admin.createTopics({
      waitForLeaders: true,
      topics: missing.map((s) => ({
        topic: s.topic,
        numPartitions: s.numPartitions,
        replicationFactor: -1,
        configEntries: s.maxMessageBytes ? [{ name: 'max.message.bytes', value: String(s.maxMessageBytes) }] : [],
      })),
    });
  } catch (err) {
    // Another instance created them first.
    if (!/already exists/i.test(String((err as Error).message))) throw err;
  }
}

/**
 * Room for one whole event: `data` may be MAX_EVENT_BYTES, and the record carries the rest of the
 * envelope, headers and, on the dead-letter topic, the original value as it was produced.
 */
export const recordBytesFor = (maxEventBytes: number) => 2 * maxEventBytes + 1024 * 1024;

/**
 * The one place where the sizes of the topics the apps create are decided: TOPIC_PARTITIONS each
 * (QUERY_TOPIC_PARTITIONS for request topics),
 * and room for a whole record, so a record ingest accepts can always be dead-lettered and relayed.
 */
export const appTopics = (config: EventlogConfig, topics: string[], numPartitions = config.TOPIC_PARTITIONS): TopicSpec[] =>
  topics.map((topic) => ({
    topic,
    numPartitions,
    maxMessageBytes: config.TOPIC_MAX_MESSAGE_BYTES ?? recordBytesFor(config.MAX_EVENT_BYTES),
  }));

/** ensureTopics with an admin client of its own, for a process's start-up. */
export async function ensureTopicsWith(kafka: Kafka, specs: TopicSpec[]): Promise<void> {
  const admin = kafka.admin();
  await admin.connect();
  try {
    await ensureTopics(admin, specs);
  } finally {
    await admin.disconnect();
  }
}
