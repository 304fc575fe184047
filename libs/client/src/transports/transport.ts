import type { PublishResult, StoredEvent } from '@eventlog/contracts';
import type { PublishEvent } from '../requests';

/** The calls the API serves on both transports, by their request topic's key in QUERY_TOPICS. */
export type QueryName = 'events' | 'event' | 'stream' | 'trace' | 'traceNode' | 'dsl' | 'stats' | 'enroll' | 'deleteStream';

/** Read-your-writes conditions as the wire carries them (docs/query-api.md). */
export interface ReadConditions {
  after?: string[];
  minPosition?: number;
}

/** An event ready to go: the client has given it an id and its tenant. */
export type OutgoingEvent = PublishEvent & { id: string };

/** What became of a published event within the wait. */
export type PublishOutcome = { kind: 'persisted'; event: StoredEvent } | { kind: 'pending'; result: PublishResult };

/**
 * One way to reach eventlog. Both transports answer every call with the same values and the same
 * errors (EventLogError), so EventLogClient is written once over this interface.
 */
export interface Transport {
  connect(): Promise<void>;
  close(): Promise<void>;
  /** A call: the request's fields (and a read's conditions) in, the API's JSON answer out. */
  query<T>(name: QueryName, request: object, read?: ReadConditions): Promise<T>;
  publish(event: OutgoingEvent): Promise<PublishResult>;
  /** Publishes and waits up to waitMs; a rejection throws EventLogError 409 with the dead-letter code. */
  publishAndWait(event: OutgoingEvent, waitMs: number): Promise<PublishOutcome>;
}
