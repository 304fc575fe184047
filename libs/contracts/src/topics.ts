/** Request topics of the query app's Kafka request/reply API (contract section 4). */
export const QUERY_TOPICS = {
  events: 'eventlog.query.events',
  event: 'eventlog.query.event',
  stream: 'eventlog.query.stream',
  trace: 'eventlog.query.trace',
  traceNode: 'eventlog.query.trace-node',
  dsl: 'eventlog.query.dsl',
  stats: 'eventlog.query.stats',
  enroll: 'eventlog.query.enroll',
  deleteStream: 'eventlog.query.delete-stream',
} as const;

export const replyTopicOf = (topic: string) => `${topic}.reply`;
