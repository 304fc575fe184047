import type { KafkaConfig } from 'kafkajs';

export interface KafkaOptions {
  /** kafkajs client settings: brokers, and ssl/sasl for a real cluster. */
  brokers: KafkaConfig['brokers'];
  ssl?: KafkaConfig['ssl'];
  sasl?: KafkaConfig['sasl'];
  clientId?: string;
  /**
   * Consumer group of this service's reply consumers (the Kafka transport). Instances of one
   * service share it, and each gets reply partitions of its own; different services use different groups.
   */
  groupId?: string;
  /** The query app's QUERY_TOPIC_PREFIX, if it has one. */
  topicPrefix?: string;
  /** Where the Kafka transport publishes: the first of ingest's INGEST_TOPICS (default `eventlog.ingest`). */
  ingestTopic?: string;
  /** Ingest's DLQ_TOPIC (default `eventlog.dlq`): publishAndWait learns of rejections there. */
  deadLetterTopic?: string;
  /** The relay's OUTBOUND_TOPIC (default `eventlog.events`), which subscribe() reads. */
  outboundTopic?: string;
}

export interface EventLogClientOptions {
  /** Which transport carries reads and publishes; subscribe() always reads the outbound topic over Kafka. */
  transport: 'http' | 'kafka';
  /** The access token, sent on every call (HTTP `Authorization: Bearer`, Kafka header `x-auth-token`). */
  token?: string;
  /** The tenant of every call that names none (reads and publishes, both transports). */
  tenant?: string;
  /** Per-call limit in ms (default 10000); a call with no answer in time fails with statusCode 504. */
  timeoutMs?: number;
  /** The query app's address, e.g. `http://eventlog-query:3000` (the HTTP transport). */
  http?: { baseUrl: string };
  /** The cluster (the Kafka transport, and subscribe()). */
  kafka?: KafkaOptions;
}

export const DEFAULT_TOPICS = { ingest: 'eventlog.ingest', deadLetter: 'eventlog.dlq', outbound: 'eventlog.events' } as const;
