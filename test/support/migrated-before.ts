import { cpSync, mkdtempSync, readdirSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { runMigrations } from '@eventlog/store';
import { TestDatabase } from './database';

export const MIGRATIONS = join(__dirname, '..', '..', 'libs', 'store', 'migrations');
export const migrationFiles = () => readdirSync(MIGRATIONS).filter((f) => f.endsWith('.sql'));

/**
 * A fresh database migrated up to, not including, migration `first`; `migrateRest` applies the
 * others and returns their names. For tests of what a migration does to rows already there.
 */
export async function migratedBefore(label: string, first: string) {
  const before = mkdtempSync(join(tmpdir(), 'migrations-'));
  const fresh = await TestDatabase.create(label);
  for (const file of migrationFiles().filter((f) => f < first)) cpSync(join(MIGRATIONS, file), join(before, file));
  await fresh.pool.query('DROP SCHEMA public CASCADE; CREATE SCHEMA public');
  await runMigrations(fresh.url, before);
  return {
    fresh,
    migrateRest: () => runMigrations(fresh.url, MIGRATIONS),
    rest: migrationFiles().filter((f) => f >= first),
    drop: async () => {
      rmSync(before, { recursive: true, force: true });
      await fresh.drop();
    },
  };
}
