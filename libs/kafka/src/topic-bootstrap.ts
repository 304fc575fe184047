import { Admin, Kafka } from 'kafkajs';
import { EventlogConfig } from '../../config/src';
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
      return await createMissing(admin, specs);
    } catch (err) {
      // Instances starting together race on creation: the loser's wait for leaders can see the
      // topic half made (UNKNOWN_TOPIC_OR_PARTITION, a retriable error). Look again.
      if (attempt >= TOPIC_ATTEMPTS || !(err as { retriable?: boolean }).retriable) throw err;
      await sleep(500 * attempt);
    }
  }
}

const TOPIC_ATTEMPTS = 5;

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
 * The one place where the sizes of the topics the apps create are decided: TOPIC_PARTITIONS each,
 * and room for a whole record, so a record ingest accepts can always be dead-lettered and relayed.
 */
export const appTopics = (config: EventlogConfig, topics: string[]): TopicSpec[] =>
  topics.map((topic) => ({
    topic,
    numPartitions: config.TOPIC_PARTITIONS,
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
