import { KafkaOptions, ServerKafka } from '@nestjs/microservices';
import { consumerReady } from './consumer-ready';

type Callback = (err?: unknown, ...rest: unknown[]) => void;

/**
 * Nest's Kafka server with two additions. Request topics carry an optional prefix
 * (QUERY_TOPIC_PREFIX), so handlers keep the contract names in @MessagePattern. And listen()
 * completes only once the consumer has joined its group and fetched, so the app declares itself
 * ready only when a request sent now will be answered.
 */
export class QueryKafkaServer extends ServerKafka {
  private ready?: Promise<void>;

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
    this.ready = consumerReady(this.consumer, this.readyTimeoutMs, 'query request consumer');
    this.ready.catch(() => undefined); // awaited in listen(); this only keeps an early failure from counting as unhandled
  }

  override async listen(callback: Callback): Promise<void> {
    await super.listen((err?: unknown) => {
      if (err) return callback(err);
      this.ready!.then(() => callback(), callback);
    });
  }
}
