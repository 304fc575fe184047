import { Kafka } from 'kafkajs';
import { EventlogConfig } from '@eventlog/config';
import { QUERY_TOPICS, replyTopicOf } from '@eventlog/contracts';
import { appTopics, ensureTopicsWith } from '@eventlog/kafka';

/** The request topics this instance serves, with QUERY_TOPIC_PREFIX applied. */
export const requestTopics = (config: EventlogConfig) => Object.values(QUERY_TOPICS).map((t) => `${config.QUERY_TOPIC_PREFIX ?? ''}${t}`);

/**
 * Creates what the query app reads and writes, when missing: request topics (QUERY_TOPIC_PARTITIONS
 * each), their `.reply` topics (TOPIC_PARTITIONS each, so many clients sharing a group get a reply
 * partition of their own), and the ingest and dead-letter topics that publishing and ?wait use.
 */
export async function ensureQueryTopics(kafka: Kafka, config: EventlogConfig): Promise<void> {
  const requests = requestTopics(config);
  const topics = [...requests.map(replyTopicOf), config.INGEST_TOPICS[0], config.DLQ_TOPIC];
  // ensureTopicsWith retries the races of several instances creating the same topics at once.
  await ensureTopicsWith(kafka, [...appTopics(config, requests, config.QUERY_TOPIC_PARTITIONS), ...appTopics(config, topics)]);
}
