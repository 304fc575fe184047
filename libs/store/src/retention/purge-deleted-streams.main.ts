import { Pool } from 'pg';
import { exitOnConfigError, loadConfig } from '@eventlog/config';
import { purgeDeletedStreams } from './purge-deleted-streams';

/**
 * `npm run purge-deleted-streams [-- --dry-run]`: the purge on its own, for an operator (or until
 * the retention job runs it): removes the hidden events of every deleted stream, audited.
 */
async function main() {
  const config = exitOnConfigError(() => loadConfig());
  const dryRun = process.argv.includes('--dry-run');
  const pool = new Pool({ connectionString: config.DATABASE_URL, max: 1 });
  try {
    const purged = await purgeDeletedStreams(pool, { dryRun });
    for (const p of purged) console.log(`${dryRun ? 'would purge' : 'purged'} ${p.removed} events of stream ${JSON.stringify(p.stream)} (tenant ${JSON.stringify(p.tenant)})`);
    console.log(`${purged.length} deleted stream(s) ${dryRun ? 'to purge' : 'purged'}`);
  } finally {
    await pool.end();
  }
}

main().catch((err) => {
  console.error(`purge-deleted-streams failed: ${(err as Error).message}`);
  process.exit(1);
});
