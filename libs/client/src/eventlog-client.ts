import { Logger, OnModuleDestroy, OnModuleInit } from '@nestjs/common';
import { ClientKafka } from '@nestjs/microservices';
import { KafkaConfig, Partitioners } from 'kafkajs';
import { lastValueFrom, timeout, TimeoutError } from 'rxjs';
import { setTimeout as sleep } from 'node:timers/promises';
import {
  ApiErrorBody,
  DslQueryDto,
  EventPage,
  GetEventRequestDto,
  ListEventsQueryDto,
  QUERY_TOPICS,
  ReadStreamRequestDto,
  replyTopicOf,
  Stats,
  StatsQueryDto,
  StoredEvent,
  StreamRead,
  Trace,
  TraceNodeRequestDto,
  TraceRequestDto,
  DslReply,
} from '@eventlog/contracts';

export interface EventLogClientOptions {
  /** kafkajs client settings: brokers, and ssl/sasl for a real cluster. */
  kafka: Pick<KafkaConfig, 'brokers' | 'ssl' | 'sasl'> & { clientId?: string };
  /**
   * Consumer group of this service's reply consumers. Instances of one service share it, and each
   * gets reply partitions of its own; different services use different groups.
   */
  groupId: string;
  /** Per-call limit in ms (default 10000); a call that gets no reply in time fails with statusCode 504. */
  timeoutMs?: number;
  /** The query app's QUERY_TOPIC_PREFIX, if it has one. */
  topicPrefix?: string;
}

/** A failed call: the query API's error body (400, 404, 503…), or 504 for no reply in time. */
export class EventLogError extends Error {
  readonly statusCode: number;
  readonly error: string;
  readonly details: ApiErrorBody['details'];
  readonly code?: string;

  constructor(body: ApiErrorBody) {
    super(body.message);
    this.name = 'EventLogError';
    this.statusCode = body.statusCode;
    this.error = body.error;
    this.details = body.details ?? [];
    this.code = body.code;
  }
}

type Request<T> = Partial<T>;

/**
 * The query API over Kafka request/reply, one typed method per request topic. Built on Nest's
 * ClientKafka: it subscribes to every `.reply` topic before connecting, puts the NestJS headers on
 * each request and bounds every call with a timeout. Use it as a Nest provider
 * (EventLogClientModule) or on its own: `await client.connect()`, then call, then `close()`.
 */
export class EventLogClient implements OnModuleInit, OnModuleDestroy {
  private readonly logger = new Logger(EventLogClient.name);
  private readonly client: ClientKafka;
  private readonly topics: Record<keyof typeof QUERY_TOPICS, string>;
  private readonly timeoutMs: number;

  constructor(options: EventLogClientOptions) {
    const prefix = options.topicPrefix ?? '';
    this.topics = Object.fromEntries(Object.entries(QUERY_TOPICS).map(([k, t]) => [k, prefix + t])) as typeof this.topics;
    this.timeoutMs = options.timeoutMs ?? 10000;
    this.client = new ClientKafka({
      client: { clientId: 'eventlog-client', ...options.kafka, brokers: options.kafka.brokers },
      // Without this Nest appends "-client" to the group id.
      postfixId: '',
      // kafkajs waits up to 5 s for data by default: a reply arriving mid-wait would stall the call.
      consumer: { groupId: options.groupId, maxWaitTimeInMs: 50, sessionTimeout: 30000, heartbeatInterval: 3000, allowAutoTopicCreation: false },
      // Replies are matched by correlation id and only wanted while a call waits: committing their
      // offsets (kafkajs does after every batch, a broker round trip before the next fetch) buys
      // nothing, and a restarted client starts at the end anyway. Reply partitions are read side
      // by side rather than one batch after another.
      run: { autoCommit: false, partitionsConsumedConcurrently: 16 },
      producer: { allowAutoTopicCreation: false, createPartitioner: Partitioners.DefaultPartitioner },
    });
    for (const topic of Object.values(this.topics)) this.client.subscribeToResponseOf(topic);
  }

  /** Connects and waits until this instance owns a partition of every reply topic. */
  async connect(): Promise<void> {
    await this.client.connect();
    const replies = Object.values(this.topics).map(replyTopicOf);
    const deadline = Date.now() + Math.max(this.timeoutMs, 30000);
    while (!replies.every((t) => this.client.getConsumerAssignments()[t] !== undefined)) {
      if (Date.now() > deadline) throw new Error(`EventLogClient: no reply partitions assigned for ${replies.join(', ')}`);
      await sleep(20);
    }
    this.logger.log(`connected; replies on ${replies.length} topics`);
  }

  close(): Promise<void> {
    return this.client.close();
  }

  async onModuleInit() {
    await this.connect();
  }

  async onModuleDestroy() {
    await this.close();
  }

  /** eventlog.query.events — the log (GET /v1/events). */
  events(query: Request<ListEventsQueryDto> = {}): Promise<EventPage> {
    return this.call(this.topics.events, query);
  }

  /** eventlog.query.event — one event by id (GET /v1/events/{id}). */
  event(query: Request<GetEventRequestDto> & { id: string }): Promise<StoredEvent> {
    return this.call(this.topics.event, query);
  }

  /** eventlog.query.stream — a stream's head and a read (GET /v1/streams/{stream}/events). */
  stream(query: Request<ReadStreamRequestDto> & { stream: string }): Promise<StreamRead> {
    return this.call(this.topics.stream, query);
  }

  /** eventlog.query.trace — a whole chain (GET /v1/traces/{requestId}). */
  trace(query: Request<TraceRequestDto> & { requestId: string }): Promise<Trace> {
    return this.call(this.topics.trace, query);
  }

  /** eventlog.query.trace-node — a node and its descendants (GET /v1/traces/{requestId}/nodes/{nodeId}). */
  traceNode(query: Request<TraceNodeRequestDto> & { requestId: string; nodeId: string }): Promise<Trace> {
    return this.call(this.topics.traceNode, query);
  }

  /** eventlog.query.dsl — the query DSL (POST /v1/query). */
  query(query: Request<DslQueryDto>): Promise<DslReply> {
    return this.call(this.topics.dsl, query);
  }

  /** eventlog.query.stats — counts and ingest lag (GET /v1/stats). */
  stats(query: Request<StatsQueryDto> = {}): Promise<Stats> {
    return this.call(this.topics.stats, query);
  }

  private async call<T>(topic: string, payload: object): Promise<T> {
    try {
      return await lastValueFrom(this.client.send<T>(topic, payload).pipe(timeout(this.timeoutMs)));
    } catch (err) {
      if (err instanceof TimeoutError) {
        throw new EventLogError({ statusCode: 504, error: 'Gateway Timeout', message: `no reply on ${replyTopicOf(topic)} within ${this.timeoutMs} ms`, details: [] });
      }
      if (typeof err === 'object' && err !== null && typeof (err as ApiErrorBody).statusCode === 'number') throw new EventLogError(err as ApiErrorBody);
      throw err;
    }
  }
}
