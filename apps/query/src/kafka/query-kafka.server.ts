import { KafkaOptions, ServerKafka } from '@nestjs/microservices';
import { setTimeout as sleep } from 'node:timers/promises';
import { Consumer } from 'kafkajs';
import { AnsweredOffsets } from './answered-offsets';
import { consumerReady } from './consumer-ready';

/** How often answered requests' offsets are committed (the consumer runs with autoCommit off). */
const COMMIT_INTERVAL_MS = 1000;
/** Requests being answered at once, over every request topic, before fetching waits. */
const MAX_IN_FLIGHT = 256;
/** How long close() lets requests in flight finish before committing and leaving the group. */
const CLOSE_WAIT_MS = 10000;

type Callback = (err?: unknown, ...rest: unknown[]) => void;

/**
 * Nest's Kafka server with four additions. Request topics carry an optional prefix
 * (QUERY_TOPIC_PREFIX), so handlers keep the contract names in @MessagePattern. listen()
 * completes only once the consumer has joined its group and fetched, so the app declares itself
 * ready only when a request sent now will be answered. And offsets are committed once a second,
 * off the request path: kafkajs's auto-commit sends an OffsetCommit after every batch and fetches
 * nothing until the broker answers it, which every request waiting behind it paid for. A request
 * is committed only once it and every request before it in its partition have been answered, so a
 * crash can answer one twice (callers match replies by correlation id) but never leaves one
 * unanswered; and only by the member that holds its partition (AnsweredOffsets). And requests are
 * answered concurrently, not one after another.
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

  /**
   * Nest's bindEvents with eachBatch, which hands each request to its handler and returns without
   * waiting for the answer. kafkajs fetches again only once every batch of a fetch has been
   * handled, so with eachMessage one slow request (a large DSL query, a read waiting on `after`)
   * held up every request topic for as long as it ran; now requests are answered side by side, in
   * any order, and a few request partitions serve many callers (decision 045). Past
   * MAX_IN_FLIGHT requests the batch waits, so a flood queues in Kafka rather than in memory.
   */
  override async bindEvents(consumer: Consumer): Promise<void> {
    const topics = [...this.messageHandlers.keys()];
    if (topics.length > 0) await consumer.subscribe({ ...this.options.subscribe, topics });
    const handle = super.getMessageHandler();
    await consumer.run({
      ...this.options.run,
      eachBatch: async ({ batch, heartbeat, pause }) => {
        const { topic, partition } = batch;
        for (const message of batch.messages) {
          await this.answered.inFlightBelow(MAX_IN_FLIGHT);
          this.answered.begin(topic, partition, message.offset);
          handle({ topic, partition, message, heartbeat, pause })
            // Nest turns a handler's errors into error replies; what reaches here failed to be answered at all.
            .catch((err: unknown) => this.logger.error(`request ${topic}/${partition}@${message.offset} not answered: ${(err as Error)?.message ?? err}`))
            .finally(() => this.answered.answer(topic, partition, message.offset));
        }
      },
    });
  }

  private async commitAnswered(): Promise<void> {
    const offsets = this.answered.take();
    if (!this.consumer || offsets.length === 0) return;
    // During a rebalance the broker refuses; the next owner of the partition answers from the last commit.
    await this.consumer.commitOffsets(offsets).catch(() => undefined);
  }

  override async close(): Promise<void> {
    clearInterval(this.commitTimer);
    await Promise.race([this.answered.inFlightBelow(1), sleep(CLOSE_WAIT_MS, undefined, { ref: false })]);
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
