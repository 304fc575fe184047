import { DynamicModule, Inject, Injectable, Module, OnApplicationShutdown } from '@nestjs/common';
import { Kafka, Message, Producer, RecordMetadata } from 'kafkajs';
import { EventlogConfig } from '@eventlog/config';
import { chunkByBytes } from './chunk-by-bytes';
import { createKafka, kafkajsLogSink } from './kafka-client.factory';

export const KAFKA = Symbol('KAFKA');
const SEND_BYTES = 512 * 1024;

/** One idempotent-enough producer per process (acks from all in-sync replicas), connected lazily. */
@Injectable()
export class ProducerService implements OnApplicationShutdown {
  private producer?: Producer;
  private connecting?: Promise<Producer>;

  constructor(@Inject(KAFKA) private readonly kafka: Kafka) {}

  private connected(): Promise<Producer> {
    if (this.producer) return Promise.resolve(this.producer);
    this.connecting ??= (async () => {
      const producer = this.kafka.producer({ allowAutoTopicCreation: false, retry: { retries: 5 } });
      await producer.connect();
      this.producer = producer;
      return producer;
    })().finally(() => (this.connecting = undefined));
    return this.connecting;
  }

  /** Produces and waits for the broker's ack from all in-sync replicas, in runs the broker accepts. */
  async send(topic: string, messages: Message[]): Promise<RecordMetadata[]> {
    const producer = await this.connected();
    const acks: RecordMetadata[] = [];
    for (const run of chunkByBytes(messages, SEND_BYTES)) acks.push(...(await producer.send({ topic, messages: run, acks: -1 })));
    return acks;
  }

  async onApplicationShutdown() {
    await this.producer?.disconnect();
  }
}

@Module({})
export class KafkaModule {
  /** `clientName` tells the apps apart in broker logs (eventlog-ingest, eventlog-query). */
  static forRoot(clientName: string): DynamicModule {
    return {
      module: KafkaModule,
      global: true,
      providers: [
        {
          provide: KAFKA,
          inject: [EventlogConfig],
          useFactory: (config: EventlogConfig) => createKafka(config, `${config.KAFKA_CLIENT_ID}-${clientName}`, kafkajsLogSink()),
        },
        ProducerService,
      ],
      exports: [KAFKA, ProducerService],
    };
  }
}
