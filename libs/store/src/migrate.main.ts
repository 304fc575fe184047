import { exitOnConfigError, loadConfig } from '@eventlog/config';
import { runMigrations } from './migrate';

/** `npm run migrate` (after scripts/ensure-database.js has created the database): applies pending migrations. */
async function main() {
  const config = exitOnConfigError(() => loadConfig());
  const applied = await runMigrations(config.DATABASE_URL);
  console.log(applied.length ? `applied ${applied.join(', ')}` : 'schema up to date');
}

main().catch((err) => {
  console.error(`migrate failed: ${(err as Error).message}`);
  process.exit(1);
});
