/*
 * What each call takes, as plain types: the HTTP query parameters or body, which are also the
 * request topic's value. The server's DTOs (libs/contracts) carry validation decorators a caller
 * does not need; requests.spec.ts fails to compile when these and the DTOs name different fields.
 */

/** RFC 3339 text or epoch milliseconds. */
export type Instant = string | number;

export interface TenantQuery {
  /** The tenant to read; absent: the client's `tenant` option, else the token's only tenant, else `default`. */
  tenant?: string;
}

/** GET /v1/events, request topic eventlog.query.events. */
export interface EventsQuery extends TenantQuery {
  stream?: string;
  streamPrefix?: string;
  /** One type or several (sent as a comma list). */
  type?: string | string[];
  status?: string;
  source?: string;
  requestId?: string;
  /** Case-insensitive substring of `message`. */
  q?: string;
  from?: Instant;
  to?: Instant;
  page?: number;
  pageSize?: number;
  offset?: number;
  limit?: number;
  cursor?: string;
  sort?: 'occurredAt' | 'position' | 'recordedAt';
  order?: 'desc' | 'asc';
  includeTotal?: boolean;
}

/** GET /v1/events/{id}, request topic eventlog.query.event. */
export interface EventQuery extends TenantQuery {
  id: string;
}

/** GET /v1/streams/{stream}/events, request topic eventlog.query.stream. */
export interface StreamQuery extends TenantQuery {
  stream: string;
  fromVersion?: number;
  direction?: 'forward' | 'backward';
  limit?: number;
}

/** GET /v1/traces/{requestId}, request topic eventlog.query.trace. */
export interface TraceQuery extends TenantQuery {
  requestId: string;
}

/** GET /v1/traces/{requestId}/nodes/{nodeId}, request topic eventlog.query.trace-node. */
export interface TraceNodeQuery extends TraceQuery {
  nodeId: string;
}

/** GET /v1/stats, request topic eventlog.query.stats. */
export interface StatsQuery extends TenantQuery {
  stream?: string;
  from?: Instant;
  to?: Instant;
}

export type DslOperator = 'eq' | 'neq' | 'gt' | 'gte' | 'lt' | 'lte' | 'contains' | 'in' | 'between' | 'exists';

/** POST /v1/query, request topic eventlog.query.dsl (docs/query-api.md). */
export interface DslQuery {
  from?: { tenant?: string; stream?: string; streamPrefix?: string };
  where?: { field: string; operator: DslOperator; value?: unknown }[];
  select?: string[];
  orderBy?: { field: string; direction?: 'asc' | 'desc' };
  limit?: number;
  offset?: number;
  includeTotal?: boolean;
  reduce?: {
    type: 'count' | 'sum' | 'avg' | 'min' | 'max' | 'collect';
    field?: string;
    groupBy?: string[];
    interval?: '1m' | '5m' | '10m' | '15m' | '30m' | '1h' | '2h' | '3h' | '6h' | '12h' | '1d';
    limit?: number;
  };
}

/** The envelope of contract section 1, as published. */
export interface PublishEvent {
  /** Idempotency key; the client makes up a UUID when absent, so the event can be followed. */
  id?: string;
  tenant?: string;
  stream: string;
  type: string;
  data?: Record<string, unknown>;
  metadata?: Record<string, unknown>;
  source?: string;
  status?: string;
  message?: string;
  requestId?: string;
  nodeId?: string;
  parentNodeId?: string;
  occurredAt?: Instant;
  expectedVersion?: number | 'any' | 'no_stream' | 'stream_exists';
}

export interface PublishAndWaitOptions {
  /** How long to wait for the event to be persisted (default 5000 ms). */
  waitMs?: number;
}

/**
 * Read-your-writes, for any read: answer only once ingest has made these records' outcomes durable
 * (what publish() returned, or `<topic>:<partition>:<offset>`) and `minPosition` is visible;
 * EventLogError 504 after the server's wait bound (docs/query-api.md).
 */
export interface ReadAfter {
  after?: WrittenRecord | WrittenRecord[];
  minPosition?: number;
}
export type WrittenRecord = string | { topic: string; partition: number; offset: number | string };

/** DELETE /v1/streams/{stream}, request topic eventlog.query.delete-stream (scope `delete`). */
export interface DeleteStreamRequest extends TenantQuery {
  stream: string;
  /** true: deleted for good (later events are dead-lettered STREAM_DELETED); default false: appending again continues its versions. */
  hard?: boolean;
}

/** POST /v1/enroll, request topic eventlog.query.enroll (scope `publish`). */
export interface EnrollRequest extends TenantQuery {
  sourceType: string;
  targetType: string;
  sender: string;
  description?: string;
  sequential?: boolean;
  filter?: { field: string; operator: DslOperator; value?: unknown }[];
  maxRetries?: number;
}

/** The filters dead-letter calls share (HTTP only: there is no request topic for them). */
export interface DeadLetterFilters extends TenantQuery {
  code?: string;
  /** Source topic and partition. */
  topic?: string;
  partition?: number;
  /** Bounds on receivedAt, inclusive. */
  from?: Instant;
  to?: Instant;
}

/** GET /v1/dead-letters; `tenant: '*'` lists every tenant's (a token granting `*`). */
export interface DeadLettersQuery extends DeadLetterFilters {
  replayed?: boolean;
  page?: number;
  pageSize?: number;
  offset?: number;
  limit?: number;
  cursor?: string;
}

/** POST /v1/dead-letters/{id}/replay (scope `publish`). */
export interface ReplayDeadLetterRequest extends TenantQuery {
  id: number;
  /** A corrected value; without it the original bytes are re-published. */
  value?: Record<string, unknown>;
}

/** POST /v1/dead-letters/replay (scope `publish`): up to `limit` matching, not replayed yet, oldest first. */
export interface ReplayDeadLettersRequest extends DeadLetterFilters {
  limit?: number;
}
