import { BeforeApplicationShutdown, Inject, Injectable, Logger, OnApplicationBootstrap } from '@nestjs/common';
import { Consumer, EachBatchPayload, Kafka } from 'kafkajs';
import { setTimeout as sleep } from 'node:timers/promises';
import { EventlogConfig } from '../../../../libs/config/src';
import { ensureTopicsWith, KAFKA, recordBytesFor } from '../../../../libs/kafka/src';
import { AppendService } from '../append/append.service';
import { IngestMetrics } from '../metrics/ingest.metrics';
import { KafkaRecord } from './kafka-record';

const MAX_BACKOFF_MS = 2000;

/**
 * The Kafka side of ingest: one consumer in the ingest group, a batch at a time per partition.
 * A batch's offsets are resolved and committed only after AppendService has made every outcome
 * durable; a failure (Postgres or the broker away) retries the same batch with backoff for as long
 * as this consumer owns the partition, so nothing is skipped and nothing is committed early.
 */
@Injectable()
export class IngestConsumerService implements OnApplicationBootstrap, BeforeApplicationShutdown {
  private readonly logger = new Logger(IngestConsumerService.name);
  private consumer?: Consumer;

  constructor(
    @Inject(KAFKA) private readonly kafka: Kafka,
    private readonly config: EventlogConfig,
    private readonly append: AppendService,
    private readonly metrics: IngestMetrics,
  ) {}

  async onApplicationBootstrap() {
    await ensureTopicsWith(this.kafka, [
      ...this.config.INGEST_TOPICS.map((topic) => ({ topic, numPartitions: this.config.TOPIC_PARTITIONS })),
      {
        topic: this.config.DLQ_TOPIC,
        numPartitions: this.config.TOPIC_PARTITIONS,
        maxMessageBytes: recordBytesFor(this.config.MAX_EVENT_BYTES),
      },
    ]);

    this.consumer = this.kafka.consumer({
      groupId: this.config.INGEST_GROUP_ID,
      // A member killed without leaving is noticed after this; its partitions wait that long.
      sessionTimeout: 15000,
      rebalanceTimeout: 60000,
      heartbeatInterval: 3000,
      maxWaitTimeInMs: 250,
      maxBytesPerPartition: 2 * 1024 * 1024,
      maxBytes: 16 * 1024 * 1024,
      allowAutoTopicCreation: false,
    });
    await this.consumer.connect();
    const topics: (string | RegExp)[] = [...this.config.INGEST_TOPICS];
    if (this.config.INGEST_TOPIC_PATTERN) topics.push(new RegExp(this.config.INGEST_TOPIC_PATTERN));
    // A new group starts at the beginning: events produced before ingest first ran are not lost.
    await this.consumer.subscribe({ topics, fromBeginning: true });
    await this.consumer.run({
      eachBatchAutoResolve: false,
      // Only resolved offsets are committed, and a batch is resolved once durable; committing them
      // every 500 ms rather than per batch saves a round trip per batch (redelivery is absorbed).
      autoCommit: true,
      autoCommitInterval: 500,
      // Every partition of a fetch at once: their appends meet in one transaction (GroupCommit).
      partitionsConsumedConcurrently: 12,
      eachBatch: (payload) => this.handleBatch(payload),
    });
    this.logger.log(`consuming ${topics.join(', ')} as group ${this.config.INGEST_GROUP_ID}`);
  }

  private async handleBatch({ batch, resolveOffset, commitOffsetsIfNecessary, heartbeat, isRunning, isStale }: EachBatchPayload) {
    if (batch.messages.length === 0) return;
    const started = process.hrtime.bigint();
    const records: KafkaRecord[] = batch.messages.map((m) => ({
      topic: batch.topic,
      partition: batch.partition,
      offset: m.offset,
      key: m.key,
      value: m.value,
      headers: m.headers,
      timestamp: m.timestamp,
    }));
    this.metrics.consumed.inc({ topic: batch.topic }, records.length);
    this.metrics.batchSize.observe(records.length);

    for (let attempt = 1; ; attempt++) {
      // Stopping or rebalanced away: leave the batch unresolved; it is redelivered, and absorbed.
      if (!isRunning() || isStale()) return;
      try {
        await this.append.process(records);
        break;
      } catch (err) {
        this.metrics.retries.inc();
        const wait = Math.min(MAX_BACKOFF_MS, 100 * 2 ** Math.min(attempt, 5));
        this.logger.warn(
          `batch ${batch.topic}[${batch.partition}]@${batch.firstOffset()} failed (attempt ${attempt}), retrying in ${wait} ms: ${(err as Error).message}`,
        );
        await sleep(wait);
        await heartbeat().catch(() => undefined);
      }
    }

    resolveOffset(batch.lastOffset());
    await commitOffsetsIfNecessary();
    this.metrics.lag.set({ topic: batch.topic, partition: String(batch.partition) }, Number(batch.offsetLag()));
    this.metrics.batchSeconds.observe(Number(process.hrtime.bigint() - started) / 1e9);
  }

  /** SIGTERM: kafkajs lets the running batches finish, commits what is resolved and leaves the group. */
  async beforeApplicationShutdown() {
    await this.consumer?.disconnect();
  }
}
