import { randomUUID } from 'node:crypto';
import type {
  BulkReplayResult,
  DeadLetterPage,
  DslReply,
  EventPage,
  PublishResult,
  ReplayResult,
  Stats,
  StoredEvent,
  StreamDeletedResult,
  StreamRead,
  Trace,
} from '@eventlog/contracts';
import { DEFAULT_TOPICS, EventLogClientOptions } from './client-options';
import { EventLogError } from './eventlog-error';
import type {
  DeadLettersQuery,
  DeleteStreamRequest,
  DslQuery,
  EnrollRequest,
  EventQuery,
  EventsQuery,
  PublishAndWaitOptions,
  PublishEvent,
  ReadAfter,
  ReplayDeadLetterRequest,
  ReplayDeadLettersRequest,
  StatsQuery,
  StreamQuery,
  TraceNodeQuery,
  TraceQuery,
} from './requests';
import type { EventHandler, SubscribeOptions, Subscription } from './subscription/outbound-subscription';
import { HttpTransport } from './transports/http-transport';
import type { OutgoingEvent, QueryName, ReadConditions, Transport } from './transports/transport';

const DEFAULT_WAIT_MS = 5000;

/*
 * The Kafka pieces are loaded on first use (require, not import): a service that talks HTTP only
 * needs neither kafkajs nor @nestjs/microservices installed (decision 034).
 */
const kafkaTransport = () => require('./transports/kafka-transport') as typeof import('./transports/kafka-transport');
const outboundSubscription = () => require('./subscription/outbound-subscription') as typeof import('./subscription/outbound-subscription');

/**
 * eventlog for other services: the read queries, publish and publishAndWait over HTTP or Kafka
 * request/reply (one interface, the same answers and errors on both), the access token on every
 * call, and subscribe() over the relay's outbound topic with a checkpoint kept where the caller says.
 * In Nest: EventLogClientModule.forRoot(options). Elsewhere: `await client.connect()`, call, `close()`.
 */
export class EventLogClient {
  private readonly transport: Transport;
  /** The dead letters are served over HTTP only: this is the HTTP transport, or one beside Kafka when http.baseUrl is given. */
  private readonly http?: HttpTransport;
  private readonly subscriptions = new Set<Subscription>();

  constructor(private readonly options: EventLogClientOptions) {
    const timeoutMs = options.timeoutMs ?? 10000;
    if (options.transport === 'http') {
      if (!options.http?.baseUrl) throw new Error('EventLogClient: the HTTP transport needs http.baseUrl');
      this.transport = this.http = new HttpTransport(options.http.baseUrl, options.token, timeoutMs);
    } else if (options.transport === 'kafka') {
      if (!options.kafka) throw new Error('EventLogClient: the Kafka transport needs kafka.brokers and kafka.groupId');
      this.transport = new (kafkaTransport().KafkaTransport)(options.kafka, options.token, timeoutMs);
      if (options.http?.baseUrl) this.http = new HttpTransport(options.http.baseUrl, options.token, timeoutMs);
    } else {
      throw new Error(`EventLogClient: transport must be 'http' or 'kafka' (got ${JSON.stringify(options.transport)})`);
    }
  }

  /** Connects the transport (Kafka: waits until its reply partitions are assigned). */
  connect(): Promise<void> {
    return this.transport.connect();
  }

  /** Stops every subscription, then the transport. */
  async close(): Promise<void> {
    await Promise.all([...this.subscriptions].map((s) => s.close()));
    this.subscriptions.clear();
    await this.transport.close();
  }

  /** Nest lifecycle: connected before the application starts, closed on shutdown. */
  async onModuleInit(): Promise<void> {
    await this.connect();
  }

  async onModuleDestroy(): Promise<void> {
    await this.close();
  }

  /** The log (GET /v1/events, eventlog.query.events). */
  events(query: EventsQuery = {}, read?: ReadAfter): Promise<EventPage> {
    return this.query('events', query, read);
  }

  /** One event by id (GET /v1/events/{id}, eventlog.query.event). */
  event(query: EventQuery, read?: ReadAfter): Promise<StoredEvent> {
    return this.query('event', query, read);
  }

  /** A stream's head and a read (GET /v1/streams/{stream}/events, eventlog.query.stream). */
  stream(query: StreamQuery, read?: ReadAfter): Promise<StreamRead> {
    return this.query('stream', query, read);
  }

  /** A whole chain (GET /v1/traces/{requestId}, eventlog.query.trace). */
  trace(query: TraceQuery, read?: ReadAfter): Promise<Trace> {
    return this.query('trace', query, read);
  }

  /** A node and its descendants (GET /v1/traces/{requestId}/nodes/{nodeId}, eventlog.query.trace-node). */
  traceNode(query: TraceNodeQuery, read?: ReadAfter): Promise<Trace> {
    return this.query('traceNode', query, read);
  }

  /** The query DSL (POST /v1/query, eventlog.query.dsl); the client's tenant goes in from.tenant. */
  dsl(query: DslQuery, read?: ReadAfter): Promise<DslReply> {
    const tenant = query.from?.tenant ?? this.options.tenant;
    return this.transport.query('dsl', tenant === undefined ? query : { ...query, from: { ...query.from, tenant } }, readConditions(read));
  }

  /** Counts and ingest lag (GET /v1/stats, eventlog.query.stats). */
  stats(query: StatsQuery = {}, read?: ReadAfter): Promise<Stats> {
    return this.query('stats', query, read);
  }

  /**
   * Deletes a stream (DELETE /v1/streams/{stream}, eventlog.query.delete-stream; the token needs the
   * `delete` scope): its events leave every read, a StreamDeleted event becomes its next version.
   */
  deleteStream(request: DeleteStreamRequest): Promise<StreamDeletedResult> {
    return this.query('deleteStream', request);
  }

  /** Claims the next job (POST /v1/enroll, eventlog.query.enroll; scope `publish`): the claim event, or null when there is none. */
  enroll(request: EnrollRequest): Promise<StoredEvent | null> {
    return this.query('enroll', request);
  }

  /** Rejected records, newest first (GET /v1/dead-letters; HTTP only). */
  deadLetters(query: DeadLettersQuery = {}): Promise<DeadLetterPage> {
    return this.httpOnly('dead letters').request('GET', '/v1/dead-letters', this.withTenant(query));
  }

  /** Re-publishes one dead letter, optionally with a corrected value (POST /v1/dead-letters/{id}/replay; scope `publish`; HTTP only). */
  replayDeadLetter({ id, value, ...query }: ReplayDeadLetterRequest): Promise<ReplayResult> {
    return this.httpOnly('dead letters').request('POST', `/v1/dead-letters/${encodeURIComponent(String(id))}/replay`, this.withTenant(query), value === undefined ? {} : { value });
  }

  /** Re-publishes up to `limit` matching dead letters not replayed yet (POST /v1/dead-letters/replay; scope `publish`; HTTP only). */
  replayDeadLetters(request: ReplayDeadLettersRequest = {}): Promise<BulkReplayResult> {
    return this.httpOnly('dead letters').request('POST', '/v1/dead-letters/replay', {}, this.withTenant(request));
  }

  /** Publishes one event (HTTP: POST /v1/events; Kafka: a record on the ingest topic keyed by stream). */
  publish(event: PublishEvent): Promise<PublishResult> {
    return this.transport.publish(this.outgoing(event));
  }

  /**
   * Publishes one event and waits until it is persisted: the stored event, with its version and
   * position. A rejection by ingest throws EventLogError 409 with the dead-letter code; no outcome
   * within waitMs throws 504 (the event may still be persisted later: publishing it again with the
   * same id cannot store it twice).
   */
  async publishAndWait(event: PublishEvent, options: PublishAndWaitOptions = {}): Promise<StoredEvent> {
    const waitMs = options.waitMs ?? DEFAULT_WAIT_MS;
    const outcome = await this.transport.publishAndWait(this.outgoing(event), waitMs);
    if (outcome.kind === 'persisted') return outcome.event;
    const { id, topic, partition, offset } = outcome.result;
    throw new EventLogError({
      statusCode: 504,
      error: 'Gateway Timeout',
      message: `event ${id} (${topic}/${partition}@${offset}) was not persisted within ${waitMs} ms`,
      details: [],
      code: 'NOT_PERSISTED_IN_TIME',
    });
  }

  /**
   * Hands the events of the outbound topic to `handler`, in position order per partition, each once:
   * redeliveries (position ≤ the partition's checkpoint) are passed over. The checkpoint is kept by
   * the caller's functions or in a table of the caller's Postgres (then `context.tx` is the batch's
   * transaction, committed with the checkpoint). Needs `kafka` options whichever transport reads.
   */
  async subscribe(handler: EventHandler, options: SubscribeOptions): Promise<Subscription> {
    if (!this.options.kafka) throw new Error('EventLogClient: subscribe() reads the outbound topic and needs kafka.brokers');
    const topic = this.options.kafka.outboundTopic ?? DEFAULT_TOPICS.outbound;
    // A reference record carries no body: the event is read whole through the API, with the token.
    const whole = async (ref: { tenant: string; stream: string; version: number }) => {
      const read = await this.stream({ tenant: ref.tenant, stream: ref.stream, fromVersion: ref.version, limit: 1 });
      return read.events[0];
    };
    const subscription = await outboundSubscription().OutboundSubscription.start(this.options.kafka, topic, handler, options, whole);
    this.subscriptions.add(subscription);
    return {
      close: async () => {
        this.subscriptions.delete(subscription);
        await subscription.close();
      },
    };
  }

  private query<T>(name: QueryName, request: object & { tenant?: string }, read?: ReadAfter): Promise<T> {
    return this.transport.query(name, this.withTenant(request), readConditions(read));
  }

  private withTenant<R extends { tenant?: string }>(request: R): R {
    const tenant = request.tenant ?? this.options.tenant;
    return tenant === undefined ? request : { ...request, tenant };
  }

  private httpOnly(what: string): HttpTransport {
    if (!this.http) throw new Error(`EventLogClient: ${what} are served over HTTP only: give http.baseUrl`);
    return this.http;
  }

  /** An id, so the event can be followed on either transport, and the client's tenant when it names none. */
  private outgoing(event: PublishEvent): OutgoingEvent {
    const tenant = event.tenant ?? this.options.tenant;
    return { ...event, id: event.id ?? randomUUID(), ...(tenant === undefined ? {} : { tenant }) };
  }
}

/** A read's conditions as the wire carries them: each written record as `<topic>:<partition>:<offset>`. */
function readConditions(read: ReadAfter | undefined): ReadConditions | undefined {
  if (!read) return undefined;
  const after = read.after === undefined ? undefined : (Array.isArray(read.after) ? read.after : [read.after]).map((r) => (typeof r === 'string' ? r : `${r.topic}:${r.partition}:${r.offset}`));
  return { ...(after ? { after } : {}), ...(read.minPosition === undefined ? {} : { minPosition: read.minPosition }) };
}
