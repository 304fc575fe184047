import { BeforeApplicationShutdown, Inject, Injectable, Logger, OnApplicationBootstrap } from '@nestjs/common';
import { Consumer, EachBatchPayload, Kafka } from 'kafkajs';
import { setTimeout as sleep } from 'node:timers/promises';
import { EventlogConfig } from '@eventlog/config';
import { keyOf, partsOf } from '@eventlog/contracts';
import { appTopics, ensureTopicsWith, KAFKA } from '@eventlog/kafka';
import { IngestOffsetsRepository } from '@eventlog/store';
import { BatchDecoder, DecodedBatch } from '../decoding/batch-decoder';
import { KafkaRecord } from '../decoding/kafka-record';
import { AppendService } from '../appending/append.service';
import { PartitionAppends } from '../appending/partition-appends';
import { DurableOffsets } from '../offsets/durable-offsets';
import { IngestMetrics } from '../metrics/ingest.metrics';

const MAX_BACKOFF_MS = 2000;
const HEARTBEAT_EVERY_MS = 3000;
/** Records a partition may have fetched and waiting behind its unit in flight before fetching stops. */
const MAX_WAITING_RECORDS = 4000;

/**
 * The Kafka side of ingest: one consumer in the ingest group. A batch is decoded as soon as it is
 * fetched and handed to its partition's queue (PartitionAppends), and the consumer fetches on: Node
 * decodes the next fetch while Postgres commits the last, and what arrives meanwhile joins the next
 * transaction. The group's offset is committed only once the batch's outcomes are durable
 * (DurableOffsets). A failed append (Postgres or the broker away) is retried with backoff; a
 * partition's later batches wait behind it, so nothing is skipped, reordered or committed early.
 */
@Injectable()
export class IngestConsumerService implements OnApplicationBootstrap, BeforeApplicationShutdown {
  private readonly logger = new Logger(IngestConsumerService.name);
  private consumer?: Consumer;
  private offsets?: DurableOffsets;
  private readonly appends = new PartitionAppends(
    (batch, partition) => this.persistUntilDurable(batch, partition),
    (partition, nextOffset, arrivals) => this.markDurable(partition, nextOffset, arrivals),
    MAX_WAITING_RECORDS,
  );
  /** The partitions the group gave this member at its last join. */
  private assigned = new Set<string>();
  private stopping = false;

  constructor(
    @Inject(KAFKA) private readonly kafka: Kafka,
    private readonly config: EventlogConfig,
    private readonly decoder: BatchDecoder,
    private readonly append: AppendService,
    private readonly metrics: IngestMetrics,
    private readonly durableOffsets: IngestOffsetsRepository,
  ) {}

  async onApplicationBootstrap() {
    await ensureTopicsWith(this.kafka, appTopics(this.config, [...this.config.INGEST_TOPICS, this.config.DLQ_TOPIC]));

    const consumer = this.kafka.consumer({
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
    this.consumer = consumer;
    this.offsets = new DurableOffsets(
      async (offsets) => {
        // Postgres first, for readers waiting on these records (after=…): the group's offset is
        // then never ahead of it, and a crash in between is made good by the redelivery.
        await this.durableOffsets.record(offsets);
        await consumer.commitOffsets(offsets);
      },
      (err) => this.logger.warn(`offset commit failed, retried with the next: ${err.message}`),
      (topic, partition) => this.assigned.has(keyOf(topic, partition)),
    );
    consumer.on(consumer.events.GROUP_JOIN, ({ payload }) => {
      this.assigned = new Set(Object.entries(payload.memberAssignment).flatMap(([topic, partitions]) => partitions.map((p) => keyOf(topic, p))));
      // After a join kafkajs fetches every assigned partition from the group's committed offset.
      for (const key of this.assigned) this.appends.reset(key);
    });
    await consumer.connect();
    const topics: (string | RegExp)[] = [...this.config.INGEST_TOPICS];
    if (this.config.INGEST_TOPIC_PATTERN) topics.push(new RegExp(this.config.INGEST_TOPIC_PATTERN));
    // A new group starts at the beginning: events produced before ingest first ran are not lost.
    await consumer.subscribe({ topics, fromBeginning: true });
    await consumer.run({
      eachBatchAutoResolve: false,
      // kafkajs would commit what is resolved, and a batch is resolved before it is durable.
      autoCommit: false,
      // Every partition of a fetch at once: their appends meet in one transaction (GroupCommit).
      partitionsConsumedConcurrently: 12,
      eachBatch: (payload) => this.handleBatch(payload),
    });
    this.logger.log(`consuming ${topics.join(', ')} as group ${this.config.INGEST_GROUP_ID}`);
  }

  private async handleBatch({ batch, resolveOffset, heartbeat, pause }: EachBatchPayload) {
    if (batch.messages.length === 0) return;
    // Shutting down: fetch nothing more from this partition; what is unresolved is redelivered.
    if (this.stopping) return void pause();
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
    const decoded = await this.decoder.decode(records);
    if (this.stopping) return void pause();
    const key = keyOf(batch.topic, batch.partition);
    const room = this.appends.add(key, decoded, records.length, String(BigInt(batch.lastOffset()) + 1n), started);
    this.metrics.lag.set({ topic: batch.topic, partition: String(batch.partition) }, Number(batch.offsetLag()));
    resolveOffset(batch.lastOffset());
    await whileHeartbeating(room, heartbeat);
  }

  private markDurable(partition: string, nextOffset: string, arrivals: bigint[]) {
    const now = process.hrtime.bigint();
    for (const arrived of arrivals) this.metrics.batchSeconds.observe(Number(now - arrived) / 1e9);
    // A partition given to another member is committed by that member; a late commit from here
    // could only move its offset back.
    if (!this.assigned.has(partition)) return;
    const [topic, number] = partsOf(partition);
    this.offsets!.markDurable(topic, Number(number), nextOffset);
  }

  /**
   * Appends until durable; false if given up because the app is stopping or the partition went to
   * another member, which appends the batch again from the group's committed offset.
   */
  private async persistUntilDurable(batch: DecodedBatch, partition: string): Promise<boolean> {
    const first = batch.accepted[0]?.record ?? batch.letters[0]?.record;
    const where = `${partition}@${first?.offset}`;
    for (let attempt = 1; ; attempt++) {
      try {
        await this.append.persist(batch);
        return true;
      } catch (err) {
        if (this.stopping || !this.assigned.has(partition)) return false;
        this.metrics.retries.inc();
        const wait = Math.min(MAX_BACKOFF_MS, 100 * 2 ** Math.min(attempt, 5));
        this.logger.warn(`batch ${where} failed (attempt ${attempt}), retrying in ${wait} ms: ${(err as Error).message}`);
        await sleep(wait);
      }
    }
  }

  /**
   * SIGTERM: take no new batches, let the appends under way finish (a failing one is abandoned),
   * commit what is durable, then leave the group. What was not committed is redelivered, and absorbed.
   */
  async beforeApplicationShutdown() {
    this.stopping = true;
    await this.appends.drained();
    await this.offsets?.flush();
    await this.consumer?.disconnect();
  }
}

/** Waits for `promise`, heartbeating meanwhile so that a long wait does not cost the group membership. */
async function whileHeartbeating(promise: Promise<unknown>, heartbeat: () => Promise<void>): Promise<void> {
  let settled = false;
  const settle = () => (settled = true);
  void promise.then(settle, settle);
  while (!settled) {
    // A plain timer, cleared: aborting a timers/promises sleep builds a DOMException, once a batch.
    let timer: NodeJS.Timeout | undefined;
    try {
      await Promise.race([promise, new Promise((resolve) => (timer = setTimeout(resolve, HEARTBEAT_EVERY_MS)))]);
    } finally {
      clearTimeout(timer);
    }
    if (!settled) await heartbeat().catch(() => undefined);
  }
}
