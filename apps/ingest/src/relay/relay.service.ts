import { Inject, Injectable, Logger, OnApplicationBootstrap, OnApplicationShutdown } from '@nestjs/common';
import { Kafka, Message, Producer } from 'kafkajs';
import { setTimeout as sleep } from 'node:timers/promises';
import { EventlogConfig } from '@eventlog/config';
import { appTopics, chunkByBytes, ensureTopicsWith, isTooLarge, KAFKA } from '@eventlog/kafka';
import { AppendCommits, OutboundRow, RelaySession } from '@eventlog/store';
import { IngestMetrics } from '../metrics/ingest.metrics';
import { HeldAppends } from './held-appends';
import { toOutboundRecord, toReferenceRecord } from './outbound-record';
import { OUTBOUND_HEADERS } from '@eventlog/contracts';

const BATCH = 2000;
// Bytes per produce request (see chunkByBytes).
const SEND_BYTES = 512 * 1024;
/**
 * Events of this process's committed appends held for publishing from memory: one group-commit
 * transaction at most. A relay further behind than that lets the oldest go and reads them back.
 */
const HELD_EVENTS = 20_000;
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
  /** An append was held or notified since the loop last looked. */
  private woken = false;
  /** The highest last position named by an append notification in this lease. */
  private notified = 0;
  private readonly held = new HeldAppends(HELD_EVENTS);
  private stopHolding?: () => void;
  private producer?: Producer;

  constructor(
    @Inject(KAFKA) private readonly kafka: Kafka,
    private readonly config: EventlogConfig,
    private readonly metrics: IngestMetrics,
    private readonly commits: AppendCommits,
  ) {}

  async onApplicationBootstrap() {
    await ensureTopicsWith(this.kafka, appTopics(this.config, [this.config.OUTBOUND_TOPIC]));
    // Its own producer: one send in flight at a time keeps each partition in position order.
    this.producer = this.kafka.producer({ allowAutoTopicCreation: false, maxInFlightRequests: 1 });
    await this.producer.connect();
    this.stopHolding = this.commits.listen((append) => {
      this.held.hold(append);
      this.wakeUp();
    });
    this.running = true;
    this.loop = this.run();
  }

  async onApplicationShutdown() {
    this.running = false;
    this.stopHolding?.();
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
          (lastPosition) => this.notifyAppended(lastPosition),
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
    this.notified = 0;
    this.held.start();
    try {
      let checkpoint = await session.checkpoint();
      let lagAt = 0;
      // When the relay last read from Postgres: at least once a poll interval while it finds no
      // held append to publish, in case a notification was missed. 0: read at once.
      let readAt = 0;
      let full = false;
      let next: Promise<OutboundRow[]> | undefined;
      while (this.running) {
        this.woken = false;
        if (Date.now() - lagAt >= LAG_EVERY_MS) {
          lagAt = Date.now();
          const lag = await session.lag(checkpoint);
          this.metrics.relayLagEvents.set(lag.last - checkpoint);
          this.metrics.relayLagSeconds.set(lag.oldestUnpublishedSeconds);
        }
        // This process's own appends, from memory, while the lease is certainly held (decision 042).
        let events = session.holding ? await this.held.take(checkpoint, BATCH) : [];
        const read = events.length > 0 ? 'memory' : 'postgres';
        if (events.length > 0) next = undefined;
        else if (full || this.notified > checkpoint || Date.now() - readAt >= IDLE_POLL_MS) {
          readAt = Date.now();
          // A read ahead began earlier, before notifications that came since.
          const notified = next ? undefined : this.notified;
          events = await (next ?? this.readAfter(session, checkpoint));
          // A full batch means more is waiting: read it from Postgres while this one goes to Kafka.
          full = events.length === BATCH;
          next = full ? this.readAfter(session, Number(events[events.length - 1].position)) : undefined;
          // Notified appends had committed before this read began, so it saw them all.
          if (!full && this.notified === notified) this.notified = 0;
        } else {
          await this.idle(IDLE_POLL_MS - (Date.now() - readAt));
          continue;
        }
        if (events.length === 0) continue;
        for (const messages of chunkByBytes(events.map(toOutboundRecord), SEND_BYTES)) await this.publish(messages);
        checkpoint = Number(events[events.length - 1].position);
        await session.saveCheckpoint(checkpoint);
        this.held.release(checkpoint);
        this.metrics.relayed.inc({ read }, events.length);
      }
    } finally {
      this.held.stop();
    }
  }

  /** Marked handled at once: if publishing fails first, a read still under way fails unobserved. */
  private readAfter(session: RelaySession, after: number): Promise<OutboundRow[]> {
    const rows = session.readAfter(after, BATCH);
    rows.catch(() => undefined);
    return rows;
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

  private notifyAppended(lastPosition: number) {
    this.notified = Math.max(this.notified, lastPosition);
    this.wakeUp();
  }

  private wakeUp() {
    this.woken = true;
    this.wake?.();
  }

  /** Until an append is held or notified, or `ms` pass (a notification can be missed on reconnect). */
  private async idle(ms: number) {
    if (this.woken || !this.running) return;
    const ac = new AbortController();
    await Promise.race([
      new Promise<void>((resolve) => (this.wake = resolve)),
      sleep(Math.max(0, ms), undefined, { signal: ac.signal }).catch(() => undefined),
    ]);
    ac.abort();
    this.wake = undefined;
  }
}
