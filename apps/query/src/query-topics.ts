import { Kafka } from 'kafkajs';
import { setTimeout as sleep } from 'node:timers/promises';
import { EventlogConfig } from '../../../libs/config/src';
import { QUERY_TOPICS, replyTopicOf } from '../../../libs/contracts/src';
import { ensureTopics } from '../../../libs/kafka/src';

/** The request topics this instance serves, with QUERY_TOPIC_PREFIX applied. */
export const requestTopics = (config: EventlogConfig) => Object.values(QUERY_TOPICS).map((t) => `${config.QUERY_TOPIC_PREFIX ?? ''}${t}`);

/**
 * Creates what the query app reads and writes, when missing: request topics, their `.reply` topics
 * (TOPIC_PARTITIONS each, so many clients get a reply partition of their own), and the ingest and
 * dead-letter topics that publishing and ?wait use.
 */
export async function ensureQueryTopics(kafka: Kafka, config: EventlogConfig): Promise<void> {
  const requests = requestTopics(config);
  const topics = [...requests, ...requests.map(replyTopicOf), config.INGEST_TOPICS[0], config.DLQ_TOPIC];
  const admin = kafka.admin();
  await admin.connect();
  try {
    // Waiting for leaders can fail with a retriable error while other clients create topics too.
    for (let attempt = 1; ; attempt++) {
      try {
        return await ensureTopics(admin, topics.map((topic) => ({ topic, numPartitions: config.TOPIC_PARTITIONS })));
      } catch (err) {
        if (!(err as { retriable?: boolean }).retriable || attempt === 5) throw err;
        await sleep(200 * attempt);
      }
    }
  } finally {
    await admin.disconnect();
  }
}
