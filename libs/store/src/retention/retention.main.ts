import { exitOnConfigError, loadConfig } from '@eventlog/config';
import { setTimeout as sleep } from 'node:timers/promises';
import { runRetention } from './retention-job';
import { acquireRetentionLease } from './retention-session';

const WAIT_FOR_LEASE_MS = 60_000;

/**
 * `npm run retention [-- --dry-run]`: one run of the retention job that ingest also runs on its
 * schedule (RETENTION_INTERVAL), with the same RETENTION; --dry-run prints what would go.
 */
async function main() {
  const dryRun = process.argv.includes('--dry-run');
  const config = exitOnConfigError(() => loadConfig());
  const deadline = Date.now() + WAIT_FOR_LEASE_MS;
  let client = await acquireRetentionLease(config.DATABASE_URL, (err) => console.error(`retention connection: ${err.message}`));
  while (!client && Date.now() < deadline) {
    await sleep(1000);
    client = await acquireRetentionLease(config.DATABASE_URL, (err) => console.error(`retention connection: ${err.message}`));
  }
  if (!client) throw new Error('another retention run holds the lease (ingest\'s scheduled run?); try again');
  try {
    if (config.retention.byTenant.size === 0 && config.retention.otherMs === undefined) console.log('RETENTION is not set: every event is kept');
    await runRetention({ client, policy: config.retention, width: config.PARTITION_INTERVAL, now: new Date(), dryRun, report: (line) => console.log(line) });
    if (dryRun) console.log('dry run: nothing was changed');
  } finally {
    await client.end();
  }
}

main().catch((err) => {
  console.error(`retention failed: ${(err as Error).message}`);
  process.exit(1);
});
