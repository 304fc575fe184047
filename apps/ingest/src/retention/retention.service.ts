import { Injectable, Logger, OnApplicationBootstrap, OnApplicationShutdown } from '@nestjs/common';
import { Client } from 'pg';
import { setTimeout as sleep } from 'node:timers/promises';
import { EventlogConfig } from '@eventlog/config';
import { acquireRetentionLease, createPartitionsAhead, runRetention } from '@eventlog/store';

/**
 * The retention job inside ingest: at start, then every RETENTION_INTERVAL, partitions are created
 * ahead and expired ones dropped (libs/store/src/retention). One instance at a time runs it, under
 * the job's lease; an instance that finds it held skips that round.
 */
@Injectable()
export class RetentionService implements OnApplicationBootstrap, OnApplicationShutdown {
  private readonly logger = new Logger(RetentionService.name);
  private readonly stop = new AbortController();
  private loop?: Promise<void>;

  constructor(private readonly config: EventlogConfig) {}

  async onApplicationBootstrap() {
    // Before the consumer starts: today's partition and the next days' exist when the first batch comes.
    await this.runOnce(true).catch((err) => this.logger.warn(`partitions ahead: ${(err as Error).message}`));
    this.loop = this.run();
  }

  async onApplicationShutdown() {
    this.stop.abort();
    await this.loop;
  }

  private async run() {
    while (!this.stop.signal.aborted) {
      await sleep(this.config.RETENTION_INTERVAL, undefined, { signal: this.stop.signal }).catch(() => undefined);
      if (this.stop.signal.aborted) return;
      await this.runOnce(false).catch((err) => this.logger.warn(`retention run failed, next in ${this.config.RETENTION_INTERVAL} ms: ${(err as Error).message}`));
    }
  }

  /** One run under the lease; `aheadOnly` creates the partitions ahead and drops nothing. */
  private async runOnce(aheadOnly: boolean) {
    const client: Client | undefined = await acquireRetentionLease(this.config.DATABASE_URL, (err) => this.logger.warn(`retention connection: ${err.message}`));
    if (!client) return;
    try {
      await runRetention(
        { client, policy: this.config.retention, width: this.config.PARTITION_INTERVAL, now: new Date(), dryRun: false, report: (line) => this.logger.log(line) },
        aheadOnly ? [createPartitionsAhead] : undefined,
      );
    } finally {
      await client.end().catch(() => undefined);
    }
  }
}
