import { randomUUID } from 'node:crypto';
import type { DslReply, EventPage, PublishResult, Stats, StoredEvent, StreamRead, Trace } from '@eventlog/contracts';
import { DEFAULT_TOPICS, EventLogClientOptions } from './client-options';
import { EventLogError } from './eventlog-error';
import type { DslQuery, EventQuery, EventsQuery, PublishAndWaitOptions, PublishEvent, StatsQuery, StreamQuery, TraceNodeQuery, TraceQuery } from './requests';
import type { EventHandler, SubscribeOptions, Subscription } from './subscription/outbound-subscription';
import { HttpTransport } from './transports/http-transport';
import type { OutgoingEvent, QueryName, Transport } from './transports/transport';

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
  private readonly subscriptions = new Set<Subscription>();

  constructor(private readonly options: EventLogClientOptions) {
    const timeoutMs = options.timeoutMs ?? 10000;
    if (options.transport === 'http') {
      if (!options.http?.baseUrl) throw new Error('EventLogClient: the HTTP transport needs http.baseUrl');
      this.transport = new HttpTransport(options.http.baseUrl, options.token, timeoutMs);
    } else if (options.transport === 'kafka') {
      if (!options.kafka) throw new Error('EventLogClient: the Kafka transport needs kafka.brokers and kafka.groupId');
      this.transport = new (kafkaTransport().KafkaTransport)(options.kafka, options.token, timeoutMs);
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
  events(query: EventsQuery = {}): Promise<EventPage> {
    return this.query('events', query);
  }

  /** One event by id (GET /v1/events/{id}, eventlog.query.event). */
  event(query: EventQuery): Promise<StoredEvent> {
    return this.query('event', query);
  }

  /** A stream's head and a read (GET /v1/streams/{stream}/events, eventlog.query.stream). */
  stream(query: StreamQuery): Promise<StreamRead> {
    return this.query('stream', query);
  }

  /** A whole chain (GET /v1/traces/{requestId}, eventlog.query.trace). */
  trace(query: TraceQuery): Promise<Trace> {
    return this.query('trace', query);
  }

  /** A node and its descendants (GET /v1/traces/{requestId}/nodes/{nodeId}, eventlog.query.trace-node). */
  traceNode(query: TraceNodeQuery): Promise<Trace> {
    return this.query('traceNode', query);
  }

  /** The query DSL (POST /v1/query, eventlog.query.dsl); the client's tenant goes in from.tenant. */
  dsl(query: DslQuery): Promise<DslReply> {
    const tenant = query.from?.tenant ?? this.options.tenant;
    return this.transport.query('dsl', tenant === undefined ? query : { ...query, from: { ...query.from, tenant } });
  }

  /** Counts and ingest lag (GET /v1/stats, eventlog.query.stats). */
  stats(query: StatsQuery = {}): Promise<Stats> {
    return this.query('stats', query);
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

  private query<T>(name: QueryName, request: object & { tenant?: string }): Promise<T> {
    const tenant = request.tenant ?? this.options.tenant;
    return this.transport.query(name, tenant === undefined ? request : { ...request, tenant });
  }

  /** An id, so the event can be followed on either transport, and the client's tenant when it names none. */
  private outgoing(event: PublishEvent): OutgoingEvent {
    const tenant = event.tenant ?? this.options.tenant;
    return { ...event, id: event.id ?? randomUUID(), ...(tenant === undefined ? {} : { tenant }) };
  }
}
