import { ClientBase } from 'pg';
import { PartitionWidth } from '@eventlog/config';
import { ensurePartitions, listPartitions } from '../partitions/event-partitions';
import { dropPartition, dropRetired, partitionEventCount, partitionTenants } from './drop-partition';
import { purgeDeletedStreams } from './purge-deleted-streams';
import { planRetention, RetentionPolicy } from './retention-plan';

/** Days of partitions kept ready ahead of today, so appends never wait for one to be created. */
export const PARTITION_DAYS_AHEAD = 7;

export interface RetentionContext {
  /** A connection of the job's own, holding its lease (RetentionSession). */
  client: ClientBase;
  policy: RetentionPolicy;
  /** The width of the partitions created ahead (PARTITION_INTERVAL). */
  width: PartitionWidth;
  now: Date;
  /** Say what would be done, do nothing. */
  dryRun: boolean;
  /** One line per thing done (or that would be). */
  report: (line: string) => void;
}

/** One step of the retention job; the job runs them in order, each on its own transaction(s). */
export interface RetentionStep {
  name: string;
  run(ctx: RetentionContext): Promise<void>;
}

/** Partitions for now and the days ahead (the app's own upkeep: no cron outside the service). */
export const createPartitionsAhead: RetentionStep = {
  name: 'partitions-ahead',
  async run(ctx) {
    const until = new Date(ctx.now.getTime() + PARTITION_DAYS_AHEAD * 86_400_000);
    if (ctx.dryRun) return;
    for (const name of await ensurePartitions(ctx.client, until, ctx.width)) ctx.report(`created partition ${name}`);
  },
};

/** Whole partitions every tenant in them has expired, with the rollups corrected (dropPartition). */
export const dropExpiredPartitions: RetentionStep = {
  name: 'expired-partitions',
  async run(ctx) {
    if (!ctx.dryRun) await dropRetired(ctx.client);
    const closed = (await listPartitions(ctx.client)).filter((p) => p.toAt.getTime() <= ctx.now.getTime());
    const withTenants = [];
    for (const p of closed) withTenants.push({ ...p, tenants: await partitionTenants(ctx.client, p.name) });
    for (const verdict of planRetention(withTenants, ctx.policy, ctx.now)) {
      const { name, fromAt, toAt } = verdict.partition;
      const range = `${fromAt.toISOString()} .. ${toAt.toISOString()}`;
      if (!verdict.drop) {
        ctx.report(`keep ${name} (${range}): ${verdict.reason}`);
      } else if (ctx.dryRun) {
        ctx.report(`would drop ${name} (${range}, ${await partitionEventCount(ctx.client, name)} events): ${verdict.reason}`);
      } else {
        const day = await dropPartition(ctx.client, verdict.partition);
        ctx.report(
          `dropped ${name} (${range}, ${day.events} events) in ${day.transactionMs.toFixed(0)} ms, space reclaimed in ${day.reclaimMs.toFixed(0)} ms: ${verdict.reason}`,
        );
      }
    }
  },
};

/** The rows of deleted streams, removed through the audited eventlog_purge_stream (decision 041). */
export const purgeStreams: RetentionStep = {
  name: 'purge-deleted-streams',
  async run(ctx) {
    for (const p of await purgeDeletedStreams(ctx.client, { dryRun: ctx.dryRun })) {
      ctx.report(`${ctx.dryRun ? 'would purge' : 'purged'} ${p.removed} events of deleted stream ${JSON.stringify(p.stream)} (tenant ${JSON.stringify(p.tenant)})`);
    }
  },
};

/** The job's steps, in order. */
export const RETENTION_STEPS: readonly RetentionStep[] = [createPartitionsAhead, dropExpiredPartitions, purgeStreams];

/** Runs the steps in order; a step that fails stops the run (the next run starts over). */
export async function runRetention(ctx: RetentionContext, steps: readonly RetentionStep[] = RETENTION_STEPS): Promise<void> {
  for (const step of steps) {
    try {
      await step.run(ctx);
    } catch (err) {
      throw new Error(`retention step ${step.name}: ${(err as Error).message}`);
    }
  }
}
