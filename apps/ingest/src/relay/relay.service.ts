import { Inject, Injectable, Logger, OnApplicationBootstrap, OnApplicationShutdown } from '@nestjs/common';
import { Kafka, Message, Producer } from 'kafkajs';
import { setTimeout as sleep } from 'node:timers/promises';
import { EventlogConfig } from '@eventlog/config';
import { appTopics, chunkByBytes, ensureTopicsWith, isTooLarge, KAFKA } from '@eventlog/kafka';
import { RelaySession } from '@eventlog/store';
import { IngestMetrics } from '../metrics/ingest.metrics';
import { toOutboundRecord, toReferenceRecord } from './outbound-record';
import { OUTBOUND_HEADERS } from '@eventlog/contracts';

const BATCH = 2000;
// Bytes per produce request (see chunkByBytes).
const SEND_BYTES = 512 * 1024;
const IDLE_POLL_MS = 1000;
const LEASE_RETRY_MS = 1000;
// How often the lag gauges are refreshed: a query of its own, kept off most publishing rounds.
const LAG_EVERY_MS = 1000;

/**
 * Publishes every persisted event to OUTBOUND_TOPIC in position order, at least once. One instance
 * at a time holds the lease; the others wait and take over when its connection dies. Progress is a
 * durable checkpoint in Postgres written after the broker acknowledged the batch, so a crash
 * republishes at most one batch and skips nothing.
 */
@Injectable()
export class RelayService implements OnApplicationBootstrap, OnApplicationShutdown {
  private readonly logger = new Logger(RelayService.name);
  private running = false;
  private loop?: Promise<void>;
  private wake?: () => void;
  /** An append was notified since the relay last read. */
  private appended = false;
  private producer?: Producer;

  constructor(
    @Inject(KAFKA) private readonly kafka: Kafka,
    private readonly config: EventlogConfig,
    private readonly metrics: IngestMetrics,
  ) {}

  async onApplicationBootstrap() {
    await ensureTopicsWith(this.kafka, appTopics(this.config, [this.config.OUTBOUND_TOPIC]));
    // Its own producer: one send in flight at a time keeps each partition in position order.
    this.producer = this.kafka.producer({ allowAutoTopicCreation: false, maxInFlightRequests: 1 });
    await this.producer.connect();
    this.running = true;
    this.loop = this.run();
  }

  async onApplicationShutdown() {
    this.running = false;
    this.wake?.();
    await this.loop;
    await this.producer?.disconnect();
  }

  private async run() {
    while (this.running) {
      let session: RelaySession | undefined;
      try {
        session = await RelaySession.tryAcquire(
          this.config.DATABASE_URL,
          this.config.OUTBOUND_TOPIC,
          () => this.notifyAppended(),
          (err) => this.logger.warn(`relay connection: ${err.message}`),
        );
        if (!session) {
          await sleep(LEASE_RETRY_MS);
          continue;
        }
        this.logger.log(`relay active for ${this.config.OUTBOUND_TOPIC}`);
        this.metrics.relayActive.set(1);
        await this.publishWhileHolding(session);
      } catch (err) {
        this.logger.warn(`relay interrupted, retrying: ${(err as Error).message}`);
        await sleep(LEASE_RETRY_MS);
      } finally {
        this.metrics.relayActive.set(0);
        await session?.close();
      }
    }
  }

  private async publishWhileHolding(session: RelaySession) {
    let checkpoint = await session.checkpoint();
    let lagAt = 0;
    // Marked handled at once: if publishing fails first, a read still under way fails unobserved.
    const read = (after: number) => {
      const rows = session.readAfter(after, BATCH);
      rows.catch(() => undefined);
      return rows;
    };
    let next = read(checkpoint);
    while (this.running) {
      const events = await next;
      const last = events.length > 0 ? Number(events[events.length - 1].position) : checkpoint;
      // A full batch means more is waiting: read it from Postgres while this one goes to Kafka.
      if (events.length === BATCH) next = read(last);
      if (events.length > 0) {
        for (const messages of chunkByBytes(events.map(toOutboundRecord), SEND_BYTES)) await this.publish(messages);
        checkpoint = last;
        await session.saveCheckpoint(checkpoint);
        this.metrics.relayed.inc(events.length);
      }
      if (Date.now() - lagAt >= LAG_EVERY_MS) {
        lagAt = Date.now();
        const lag = await session.lag(checkpoint);
        this.metrics.relayLagEvents.set(lag.last - checkpoint);
        this.metrics.relayLagSeconds.set(lag.oldestUnpublishedSeconds);
      }
      if (events.length < BATCH) {
        await this.idle();
        next = read(checkpoint);
      }
    }
  }

  /** Sends one run in order; a record the topic refuses as too large goes as a reference record. */
  private async publish(messages: Message[]): Promise<void> {
    const send = (run: Message[]) => this.producer!.send({ topic: this.config.OUTBOUND_TOPIC, acks: -1, messages: run });
    try {
      await send(messages);
    } catch (err) {
      if (!isTooLarge(err)) throw err;
      // One at a time, in order; those already acknowledged are sent again (delivery is at least once).
      for (const message of messages) {
        await send([message]).catch(async (single) => {
          if (!isTooLarge(single)) throw single;
          this.logger.warn(`event at position ${String(message.headers?.[OUTBOUND_HEADERS.position])} is larger than ${this.config.OUTBOUND_TOPIC} accepts: published as a reference`);
          await send([toReferenceRecord(message)]);
        });
      }
    }
  }

  private notifyAppended() {
    this.appended = true;
    this.wake?.();
  }

  /** Until an append is notified, or a poll interval passes (a notification can be missed on reconnect). */
  private async idle() {
    if (this.appended || !this.running) {
      this.appended = false;
      return;
    }
    const ac = new AbortController();
    await Promise.race([
      new Promise<void>((resolve) => (this.wake = resolve)),
      sleep(IDLE_POLL_MS, undefined, { signal: ac.signal }).catch(() => undefined),
    ]);
    ac.abort();
    this.wake = undefined;
    this.appended = false;
  }
}
