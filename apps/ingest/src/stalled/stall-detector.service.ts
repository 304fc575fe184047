import { Injectable, Logger, OnApplicationBootstrap, OnApplicationShutdown } from '@nestjs/common';
import { setTimeout as sleep } from 'node:timers/promises';
import { EventlogConfig } from '@eventlog/config';
import { ProducerService } from '@eventlog/kafka';
import { StallRule, StallSession } from '@eventlog/store';
import { IngestMetrics } from '../metrics/ingest.metrics';
import { chainStalledEnvelope } from './chain-stalled-event';

// Stalled chains handled per round; a full round is followed by another at once.
const BATCH = 500;
const POLL_MS = 1000;
const LEASE_RETRY_MS = 1000;
// A ChainStalled produced but not yet persisted is found again next round; it is produced again
// (harmless: the same id) only if it is still not in the log after this long.
const RESEND_AFTER_MS = 30_000;

/**
 * Appends one eventlog.ChainStalled event under every chain whose latest node is running or
 * waiting and has had no event for CHAIN_STALL_AFTER (or its type's override). The event goes to
 * the ingest topic, so ingest persists it like any other and the relay and live feed carry it.
 * One instance at a time holds the lease; exactness comes from the event's id, derived from the
 * stalled node's latest event (docs/decisions/031-stalled-chains.md).
 */
@Injectable()
export class StallDetectorService implements OnApplicationBootstrap, OnApplicationShutdown {
  private readonly logger = new Logger(StallDetectorService.name);
  private readonly rule: StallRule;
  private running = false;
  private loop?: Promise<void>;
  private readonly stop = new AbortController();
  /** Ids produced by this process, and when, so that one not yet persisted is not sent every round. */
  private readonly produced = new Map<string, number>();

  constructor(
    private readonly config: EventlogConfig,
    private readonly producer: ProducerService,
    private readonly metrics: IngestMetrics,
  ) {
    this.rule = { defaultMs: config.CHAIN_STALL_AFTER, byTypeMs: config.chainStallAfterByType };
  }

  onApplicationBootstrap() {
    this.running = true;
    this.loop = this.run();
  }

  async onApplicationShutdown() {
    this.running = false;
    this.stop.abort();
    await this.loop;
  }

  private async run() {
    while (this.running) {
      let session: StallSession | undefined;
      try {
        session = await StallSession.tryAcquire(this.config.DATABASE_URL, (err) => this.logger.warn(`stall detector connection: ${err.message}`));
        if (!session) {
          await this.pause(LEASE_RETRY_MS);
          continue;
        }
        this.logger.log('stall detector active');
        this.metrics.stallDetectorActive.set(1);
        await this.detectWhileHolding(session);
      } catch (err) {
        this.logger.warn(`stall detector interrupted, retrying: ${(err as Error).message}`);
        await this.pause(LEASE_RETRY_MS);
      } finally {
        this.metrics.stallDetectorActive.set(0);
        await session?.close();
      }
    }
  }

  private async detectWhileHolding(session: StallSession) {
    while (this.running) {
      const chains = await session.stalledChains(this.rule, BATCH);
      const now = Date.now();
      for (const [id, at] of this.produced) if (now - at >= RESEND_AFTER_MS) this.produced.delete(id);
      const envelopes = chains.map((chain) => chainStalledEnvelope(chain, new Date(now))).filter((e) => !this.produced.has(e.id));
      if (envelopes.length > 0) {
        await this.producer.send(
          this.config.INGEST_TOPICS[0],
          envelopes.map((e) => ({ key: e.stream, value: JSON.stringify(e) })),
        );
        for (const e of envelopes) this.produced.set(e.id, now);
        this.metrics.chainsStalled.inc(envelopes.length);
        this.logger.log(`${envelopes.length} stalled chain(s) reported: ${envelopes.slice(0, 5).map((e) => `${e.tenant}/${e.requestId}`).join(', ')}`);
      }
      if (chains.length < BATCH || envelopes.length === 0) await this.pause(POLL_MS);
    }
  }

  private pause(ms: number): Promise<void> {
    return sleep(ms, undefined, { signal: this.stop.signal }).catch(() => undefined);
  }
}
