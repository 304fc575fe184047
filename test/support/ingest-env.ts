import { TestDatabase } from './database';

/** The environment of an ingest (or query) process for one test file's database and topics. */
export function appEnv(db: TestDatabase, topics: { ingest: string; dlq: string; outbound: string; group: string }, extra: Record<string, string> = {}) {
  return {
    DATABASE_URL: db.url,
    INGEST_TOPICS: topics.ingest,
    DLQ_TOPIC: topics.dlq,
    OUTBOUND_TOPIC: topics.outbound,
    INGEST_GROUP_ID: topics.group,
    TOPIC_PARTITIONS: '6',
    ...extra,
  };
}
