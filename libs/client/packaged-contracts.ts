/*
 * What the client package takes from @eventlog/contracts: the wire's names and the answers' types,
 * none of them decorated. The package build resolves @eventlog/contracts to this file
 * (tsconfig.package.json), so a value the client imports from anywhere else fails the build rather
 * than pulling class-validator or @nestjs/swagger into the package.
 */
export { DEFAULT_TENANT } from '../contracts/src/event';
export type { KafkaCoordinates, StoredEvent } from '../contracts/src/event';
export { DLQ_HEADERS, OUTBOUND_HEADERS } from '../contracts/src/error-codes';
export { QUERY_TOPICS, replyTopicOf } from '../contracts/src/topics';
export type {
  ApiErrorBody,
  ApiErrorDetail,
  DslEventsReply,
  DslGroup,
  DslGroupsReply,
  DslReply,
  EventPage,
  IngestLag,
  PublishResult,
  Stats,
  StreamDeletedResult,
  StreamInfo,
  StreamRead,
  Trace,
  TraceNode,
  TraceStatus,
} from '../contracts/src/query/responses';
export type { BulkReplayResult, DeadLetter, DeadLetterHeader, DeadLetterPage, DeadLetterReplay, DeadLetterSource, ReplayResult } from '../contracts/src/query/dead-letter-responses';
