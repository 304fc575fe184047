import { Inject, Injectable, OnApplicationShutdown } from '@nestjs/common';
import { Admin, Kafka, PartitionerArgs, Partitioners } from 'kafkajs';
import { EventlogConfig } from '@eventlog/config';
import { PublishResult } from '@eventlog/contracts';
import { KAFKA, ProducerService } from '@eventlog/kafka';

const METADATA_TTL_MS = 60_000;

export interface Envelope {
  id: string;
  stream: string;
  [field: string]: unknown;
}

/**
 * Produces envelopes to the first ingest topic, keyed by stream, in one request. Each record's
 * partition is chosen here with the same murmur2 partitioner kafkajs uses for keyed records, so the
 * broker's base offset per partition gives every record its own offset.
 */
@Injectable()
export class IngestPublisher implements OnApplicationShutdown {
  private readonly partitioner = Partitioners.DefaultPartitioner();
  private admin?: Promise<Admin>;
  private metadata?: { at: number; partitions: Promise<PartitionerArgs['partitionMetadata']> };

  constructor(
    @Inject(KAFKA) private readonly kafka: Kafka,
    private readonly producer: ProducerService,
    private readonly config: EventlogConfig,
  ) {}

  get topic(): string {
    return this.config.INGEST_TOPICS[0];
  }

  async publish(envelopes: Envelope[]): Promise<PublishResult[]> {
    const partitionMetadata = await this.partitions();
    const topic = this.topic;
    const messages = envelopes.map((envelope) => {
      const key = Buffer.from(envelope.stream);
      const value = Buffer.from(JSON.stringify(envelope));
      return { key, value, partition: this.partitioner({ topic, partitionMetadata, message: { key, value } }) };
    });
    const acks = await this.producer.send(topic, messages);
    const next = new Map(acks.map((a) => [a.partition, Number(a.baseOffset)]));
    return envelopes.map((envelope, i) => {
      const partition = messages[i].partition;
      const offset = next.get(partition)!;
      next.set(partition, offset + 1);
      return { id: envelope.id, topic, partition, offset };
    });
  }

  private partitions(): Promise<PartitionerArgs['partitionMetadata']> {
    if (!this.metadata || Date.now() - this.metadata.at > METADATA_TTL_MS) {
      const partitions = this.fetchPartitions();
      this.metadata = { at: Date.now(), partitions };
      partitions.catch(() => (this.metadata = undefined));
    }
    return this.metadata.partitions;
  }

  private async fetchPartitions(): Promise<PartitionerArgs['partitionMetadata']> {
    this.admin ??= (async () => {
      const admin = this.kafka.admin();
      await admin.connect();
      return admin;
    })().catch((err) => {
      this.admin = undefined;
      throw err;
    });
    const { topics } = await (await this.admin).fetchTopicMetadata({ topics: [this.topic] });
    return topics[0].partitions;
  }

  async onApplicationShutdown() {
    await (await this.admin?.catch(() => undefined))?.disconnect();
  }
}
