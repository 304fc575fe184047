import { Consumer, Kafka, logLevel, Partitioners, Producer } from 'kafkajs';
import { randomUUID } from 'node:crypto';
import { setTimeout as sleep } from 'node:timers/promises';
import { EmptyError, lastValueFrom, NEVER, takeUntil, tap, timeout, TimeoutError } from 'rxjs';
import { DEFAULT_TENANT, DLQ_HEADERS, PublishResult, QUERY_TOPICS, replyTopicOf, StoredEvent } from '@eventlog/contracts';
import { DEFAULT_TOPICS, KafkaOptions } from '../client-options';
import { errorOf, EventLogError, isErrorBody } from '../eventlog-error';
import { consumerReady } from './consumer-ready';
import { ReplyClientKafka } from './reply-client-kafka';
import { OutgoingEvent, PublishOutcome, QueryName, ReadConditions, Transport } from './transport';

const JOIN_TIMEOUT_MS = 30000;
/** Between two looks for an awaited event: short at first (most events land within milliseconds), then less often. */
const LOOK_AGAIN_MS = [10, 20, 40, 80, 160, 250];

type Rejection = { code: string; message: string };

/** The request topics that only read: sent again when their reply partition moves to another member. */
const READS = new Set<QueryName>(['events', 'event', 'stream', 'trace', 'traceNode', 'dsl', 'stats']);
/** A wait that ended without a reply: its reply partition moved (or Nest completed it empty). */
const NO_REPLY = Symbol('no reply');

/**
 * Reads over the query app's request topics (Nest's ClientKafka: it subscribes to every `.reply`
 * topic before connecting, puts the NestJS headers on each request, and the token in `x-auth-token`);
 * publishes by producing to the ingest topic as any producer does, keyed by stream.
 */
export class KafkaTransport implements Transport {
  private readonly client: ReplyClientKafka;
  private readonly kafka: Kafka;
  private readonly topics: Record<QueryName, string>;
  private readonly ingestTopic: string;
  private readonly deadLetterTopic: string;
  private readonly groupId: string;
  private producer?: Producer;
  private deadLetters?: Consumer;
  private deadLettersWatched?: Promise<void>;
  /** publishAndWait calls waiting on a rejection, by tenant and id. */
  private readonly rejections = new Map<string, (rejection: Rejection) => void>();

  constructor(
    options: KafkaOptions,
    private readonly token: string | undefined,
    private readonly timeoutMs: number,
  ) {
    if (!options.groupId) throw new Error('EventLogClient: the Kafka transport needs kafka.groupId (the group of its reply consumers)');
    this.groupId = options.groupId;
    const prefix = options.topicPrefix ?? '';
    this.topics = Object.fromEntries(Object.entries(QUERY_TOPICS).map(([k, t]) => [k, prefix + t])) as Record<QueryName, string>;
    this.ingestTopic = options.ingestTopic ?? DEFAULT_TOPICS.ingest;
    this.deadLetterTopic = options.deadLetterTopic ?? DEFAULT_TOPICS.deadLetter;
    const client = { clientId: options.clientId ?? 'eventlog-client', brokers: options.brokers, ssl: options.ssl, sasl: options.sasl };
    this.kafka = new Kafka({ ...client, logLevel: logLevel.WARN });
    this.client = new ReplyClientKafka({
      // kafkajs logs every group join and stop at INFO: in a service's log only warnings are news.
      client: { ...client, logLevel: logLevel.WARN },
      // Without this Nest appends "-client" to the group id.
      postfixId: '',
      // A reply ends the broker's fetch wait at once (minBytes 1); the wait bounds only the
      // fetches of an idle client, each naming every reply partition (decision 037).
      consumer: { groupId: this.groupId, maxWaitTimeInMs: 500, minBytes: 1, sessionTimeout: 30000, heartbeatInterval: 3000, allowAutoTopicCreation: false },
      // Replies are matched by correlation id and only wanted while a call waits: committing their
      // offsets buys nothing, and a restarted client starts at the end anyway. Reply partitions are
      // read side by side rather than one batch after another.
      run: { autoCommit: false, partitionsConsumedConcurrently: 16 },
      producer: { allowAutoTopicCreation: false, createPartitioner: Partitioners.DefaultPartitioner },
    });
    for (const topic of Object.values(this.topics)) this.client.subscribeToResponseOf(topic);
  }

  /** Connects and waits until this instance owns a partition of every reply topic. */
  async connect(): Promise<void> {
    this.producer = this.kafka.producer({ allowAutoTopicCreation: false, createPartitioner: Partitioners.DefaultPartitioner });
    await Promise.all([this.client.connect(), this.producer.connect()]);
    const replies = Object.values(this.topics).map(replyTopicOf);
    const deadline = Date.now() + Math.max(this.timeoutMs, JOIN_TIMEOUT_MS);
    while (!replies.every((t) => this.client.getConsumerAssignments()[t] !== undefined)) {
      if (Date.now() > deadline) throw new Error(`EventLogClient: no reply partitions assigned for ${replies.join(', ')}`);
      await sleep(20);
    }
  }

  async close(): Promise<void> {
    await Promise.all([this.client.close(), this.producer?.disconnect(), this.deadLetters?.disconnect()]);
  }

  async query<T>(name: QueryName, request: object, read: ReadConditions = {}): Promise<T> {
    const topic = this.topics[name];
    // {value, headers} explicitly: Nest would take a request with a `key` or `value` field for the record itself.
    const message = { value: { ...request, ...read }, headers: this.token === undefined ? {} : { 'x-auth-token': this.token } };
    const replyTopic = replyTopicOf(topic);
    const deadline = Date.now() + this.timeoutMs;
    try {
      for (;;) {
        // Nest asks for the reply on the lowest reply partition this member holds now. A rebalance
        // (another client of the group joining or leaving) may give that partition to another
        // member, which drops the reply: a read is then sent again, within the same deadline. A
        // write (enroll, deleteStream) is not repeated; it times out as before.
        const partition = this.client.getConsumerAssignments()[replyTopic];
        let moved = false;
        const move = READS.has(name) ? this.client.lost(replyTopic, partition).pipe(tap(() => (moved = true))) : NEVER;
        const reply = await lastValueFrom(this.client.send<T | string>(topic, message).pipe(takeUntil(move), timeout(Math.max(0, deadline - Date.now()))), {
          defaultValue: NO_REPLY,
        });
        if (reply === NO_REPLY) {
          if (moved) continue;
          throw new EmptyError();
        }
        // Nest's Kafka parser turns only JSON objects and arrays back into values: a reply of JSON
        // null (enroll with nothing to claim) arrives as the text "null".
        return (reply === 'null' ? null : reply) as T;
      }
    } catch (err) {
      if (err instanceof TimeoutError) throw errorOf(504, `no reply on ${replyTopicOf(topic)} within ${this.timeoutMs} ms`);
      if (isErrorBody(err)) throw new EventLogError(err);
      throw err;
    }
  }

  /**
   * Produces to the ingest topic. Ingest does not read tokens: on this path Kafka's own
   * authentication (kafka.sasl) and ACLs decide who may write (decision 034).
   */
  async publish(event: OutgoingEvent): Promise<PublishResult> {
    if (!this.producer) throw new Error('EventLogClient: connect() first');
    const [ack] = await this.producer.send({ topic: this.ingestTopic, acks: -1, timeout: this.timeoutMs, messages: [{ key: event.stream, value: JSON.stringify(event) }] });
    return { id: event.id, topic: this.ingestTopic, partition: ack.partition, offset: Number(ack.baseOffset) };
  }

  /**
   * Produces, then looks the event up by id over the `event` request topic (with the token) until it
   * is stored; a dead-letter record with its id ends the wait as a rejection.
   */
  async publishAndWait(event: OutgoingEvent, waitMs: number): Promise<PublishOutcome> {
    // Joined before the first such publish, so that no rejection can pass before it is watched.
    this.deadLettersWatched ??= this.watchDeadLetters().catch((err) => {
      this.deadLettersWatched = undefined;
      throw err;
    });
    await this.deadLettersWatched;
    const key = JSON.stringify([event.tenant ?? DEFAULT_TENANT, event.id]);
    let rejected: Rejection | undefined;
    const rejection = new Promise<void>((resolve) =>
      this.rejections.set(key, (r) => {
        rejected = r;
        resolve();
      }),
    );
    try {
      const result = await this.publish(event);
      const deadline = Date.now() + waitMs;
      for (let look = 0; ; look++) {
        const stored = await this.find(event);
        if (stored) return { kind: 'persisted', event: stored };
        const pause = Math.min(LOOK_AGAIN_MS[Math.min(look, LOOK_AGAIN_MS.length - 1)], deadline - Date.now());
        if (pause <= 0) return { kind: 'pending', result };
        await Promise.race([sleep(pause), rejection]);
        if (rejected) {
          throw new EventLogError({ statusCode: 409, error: 'Conflict', message: `event ${event.id} was rejected: ${rejected.message}`, details: [], code: rejected.code });
        }
      }
    } finally {
      this.rejections.delete(key);
    }
  }

  private async find(event: OutgoingEvent): Promise<StoredEvent | undefined> {
    try {
      return await this.query<StoredEvent>('event', { id: event.id, tenant: event.tenant });
    } catch (err) {
      if (err instanceof EventLogError && err.statusCode === 404) return undefined;
      throw err;
    }
  }

  /** A group of this instance's own, from the end: rejections of records it publishes from now on. */
  private async watchDeadLetters(): Promise<void> {
    const consumer = this.kafka.consumer({
      groupId: `${this.groupId}.dead-letters.${randomUUID()}`,
      maxWaitTimeInMs: 100,
      sessionTimeout: 30000,
      heartbeatInterval: 3000,
      allowAutoTopicCreation: false,
    });
    await this.deadLetters?.disconnect(); // a watch that failed to start
    this.deadLetters = consumer;
    const ready = consumerReady(consumer, JOIN_TIMEOUT_MS, `dead-letter consumer of ${this.deadLetterTopic}`);
    ready.catch(() => undefined); // awaited below; this only keeps an early failure from counting as unhandled
    await consumer.connect();
    await consumer.subscribe({ topic: this.deadLetterTopic, fromBeginning: false });
    await consumer.run({
      eachMessage: async ({ message }) => {
        if (this.rejections.size === 0 || !message.value) return;
        let record: { id?: unknown; tenant?: unknown };
        try {
          record = JSON.parse(message.value.toString('utf8'));
        } catch {
          return; // not one of ours: the client publishes JSON
        }
        if (typeof record?.id !== 'string') return;
        const tenant = typeof record.tenant === 'string' ? record.tenant : DEFAULT_TENANT;
        this.rejections.get(JSON.stringify([tenant, record.id]))?.({
          code: message.headers?.[DLQ_HEADERS.code]?.toString() ?? 'UNKNOWN',
          message: message.headers?.[DLQ_HEADERS.message]?.toString() ?? '',
        });
      },
    });
    await ready;
  }
}
