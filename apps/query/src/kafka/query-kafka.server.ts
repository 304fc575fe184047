import { KafkaOptions, ServerKafka } from '@nestjs/microservices';
import { EachMessagePayload } from 'kafkajs';
import { AnsweredOffsets } from './answered-offsets';
import { consumerReady } from './consumer-ready';

/** How often answered requests' offsets are committed (the consumer runs with autoCommit off). */
const COMMIT_INTERVAL_MS = 1000;

type Callback = (err?: unknown, ...rest: unknown[]) => void;

/**
 * Nest's Kafka server with three additions. Request topics carry an optional prefix
 * (QUERY_TOPIC_PREFIX), so handlers keep the contract names in @MessagePattern. listen()
 * completes only once the consumer has joined its group and fetched, so the app declares itself
 * ready only when a request sent now will be answered. And offsets are committed once a second,
 * off the request path: kafkajs's auto-commit sends an OffsetCommit after every batch and fetches
 * nothing until the broker answers it, which every request waiting behind it paid for. A request
 * is committed only once it has been answered, so a crash can answer one twice (callers match
 * replies by correlation id) but never leaves one unanswered; and only by the member that holds its
 * partition (AnsweredOffsets).
 */
export class QueryKafkaServer extends ServerKafka {
  private ready?: Promise<void>;
  private readonly answered = new AnsweredOffsets();
  private commitTimer?: NodeJS.Timeout;

  constructor(
    options: Required<KafkaOptions>['options'],
    private readonly topicPrefix: string,
    private readonly readyTimeoutMs = 60000,
  ) {
    super(options);
  }

  override addHandler(pattern: unknown, ...rest: Parameters<ServerKafka['addHandler']> extends [unknown, ...infer R] ? R : never) {
    super.addHandler(typeof pattern === 'string' ? this.topicPrefix + pattern : pattern, ...rest);
  }

  protected override registerConsumerEventListeners() {
    super.registerConsumerEventListeners();
    if (!this.consumer) return;
    this.consumer.on(this.consumer.events.GROUP_JOIN, ({ payload }) => this.answered.assign(payload.memberAssignment));
    this.ready = consumerReady(this.consumer, this.readyTimeoutMs, 'query request consumer');
    this.ready.catch(() => undefined); // awaited in listen(); this only keeps an early failure from counting as unhandled
  }

  override getMessageHandler() {
    const handle = super.getMessageHandler();
    return async (payload: EachMessagePayload) => {
      await handle(payload);
      this.answered.answer(payload.topic, payload.partition, payload.message.offset);
    };
  }

  private async commitAnswered(): Promise<void> {
    const offsets = this.answered.take();
    if (!this.consumer || offsets.length === 0) return;
    // During a rebalance the broker refuses; the next owner of the partition answers from the last commit.
    await this.consumer.commitOffsets(offsets).catch(() => undefined);
  }

  override async close(): Promise<void> {
    clearInterval(this.commitTimer);
    await this.commitAnswered();
    await super.close();
  }

  override async listen(callback: Callback): Promise<void> {
    this.commitTimer = setInterval(() => void this.commitAnswered(), COMMIT_INTERVAL_MS);
    this.commitTimer.unref();
    await super.listen((err?: unknown) => {
      if (err) return callback(err);
      this.ready!.then(() => callback(), callback);
    });
  }
}
