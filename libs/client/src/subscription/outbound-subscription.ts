import { Consumer, Kafka, KafkaMessage, logLevel } from 'kafkajs';
import type { StoredEvent } from '@eventlog/contracts';
import type { KafkaOptions } from '../client-options';
import { CheckpointOption, CheckpointStore, functionStore, PgClient, PostgresCheckpointStore } from './checkpoint';
import { handlePartitionBatch, header } from './partition-batch';

/** Header of a record that stands for an event too large for the topic (the relay's reference record). */
const TRUNCATED_HEADER = 'eventlog-truncated';

export interface SubscribeOptions {
  /** The subscription's name: its Kafka consumer group and the key of its checkpoint. */
  subscription: string;
  /** Where the checkpoint is kept: the caller's functions, or a table in the caller's Postgres. */
  checkpoint: CheckpointOption;
  /** Hand over only this tenant's events; the others are passed over (and checkpointed). */
  tenant?: string;
}

export interface SubscriptionContext {
  /** The outbound topic's partition: events of one stream are always in one partition. */
  partition: number;
  position: number;
  /** With a Postgres checkpoint: the batch's transaction. Writes through it commit with the checkpoint. */
  tx?: PgClient;
}

export type EventHandler = (event: StoredEvent, context: SubscriptionContext) => Promise<void> | void;

/** A running subscription; close() stops it after the batch in hand. */
export interface Subscription {
  close(): Promise<void>;
}

type Reference = Pick<StoredEvent, 'tenant' | 'stream' | 'version' | 'position'>;

/**
 * The outbound topic, handed to a handler in position order per partition (the order the relay
 * publishes in, decision 009), each event once: a record at or below the partition's checkpoint is
 * a redelivery and is passed over. The checkpoint is stored after the handler returns, and the
 * Kafka offset is committed only after the checkpoint, so a crash repeats nothing checkpointed and
 * skips nothing (decision 034).
 */
export class OutboundSubscription implements Subscription {
  private constructor(
    private readonly consumer: Consumer,
    private readonly store: CheckpointStore,
  ) {}

  static async start(
    kafkaOptions: KafkaOptions,
    topic: string,
    handler: EventHandler,
    options: SubscribeOptions,
    wholeEvent: (reference: Reference) => Promise<StoredEvent>,
  ): Promise<OutboundSubscription> {
    const store = 'postgres' in options.checkpoint
      ? await PostgresCheckpointStore.create(options.checkpoint, options.subscription, topic)
      : functionStore(options.checkpoint);
    // A new group starts at the beginning: what it has not handled, it has not checkpointed either.
    const kafka = new Kafka({ clientId: kafkaOptions.clientId ?? 'eventlog-client', brokers: kafkaOptions.brokers, ssl: kafkaOptions.ssl, sasl: kafkaOptions.sasl, logLevel: logLevel.WARN });
    const consumer = kafka.consumer({ groupId: options.subscription, maxWaitTimeInMs: 100, sessionTimeout: 30000, heartbeatInterval: 3000, allowAutoTopicCreation: false });
    const subscription = new OutboundSubscription(consumer, store);
    const eventOf = async (message: KafkaMessage): Promise<StoredEvent> => {
      const value = JSON.parse(message.value?.toString('utf8') ?? 'null');
      return header(message.headers, TRUNCATED_HEADER) === undefined ? value : wholeEvent(value);
    };
    await consumer.connect();
    try {
      await consumer.subscribe({ topic, fromBeginning: true });
      await consumer.run({
        // Offsets are resolved only once their positions are checkpointed; kafkajs commits resolved offsets.
        eachBatchAutoResolve: false,
        eachBatch: (payload) => handlePartitionBatch(payload, store, handler, eventOf, options.tenant),
      });
    } catch (err) {
      await subscription.close();
      throw err;
    }
    return subscription;
  }

  async close(): Promise<void> {
    await this.consumer.disconnect();
    await this.store.close();
  }
}
