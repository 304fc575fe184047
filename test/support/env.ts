import { randomBytes } from 'node:crypto';
import { existsSync } from 'node:fs';
import { dirname, join } from 'node:path';

/** The repository root, whether this runs from test/support (jest) or dist/test/support (bench). */
export const PROJECT_ROOT = (() => {
  let dir = __dirname;
  while (!existsSync(join(dir, 'package-lock.json'))) dir = dirname(dir);
  return dir;
})();

/** Where the suite finds its infrastructure; scripts/infra.sh starts it when it is local. */
export const KAFKA_BROKERS = process.env.KAFKA_BROKERS ?? '127.0.0.1:9092';
export const ADMIN_DATABASE_URL = process.env.TEST_ADMIN_DATABASE_URL ?? 'postgres://postgres@127.0.0.1:5432/postgres';
/**
 * The migrated database every test file clones. Each run makes its own (global-setup sets the
 * variable before the workers start), so two runs on one machine do not drop each other's.
 */
export const templateDatabase = () => process.env.EVENTLOG_TEST_TEMPLATE ?? 'eventlog_test_template';

/** A short random suffix for names that must not collide across files and reruns. */
export const uniqueSuffix = () => randomBytes(4).toString('hex');

/**
 * This run's id, in every topic it creates so that its teardown deletes them all and nothing of
 * another run (global-setup sets it before the workers start; a bench or a lone process makes one).
 */
export const testRunId = () => (process.env.EVENTLOG_TEST_RUN ??= uniqueSuffix());

export function databaseUrl(name: string): string {
  const url = new URL(ADMIN_DATABASE_URL);
  url.pathname = `/${name}`;
  return url.toString();
}
