import { execFileSync } from 'node:child_process';
import { join } from 'node:path';
import { Client } from 'pg';
// jest loads globalSetup outside its module registry, so moduleNameMapper does not apply here:
// migrate.ts is imported by path (it imports no other @eventlog library).
import { runMigrations } from '../../libs/store/src/migrate';
import { ADMIN_DATABASE_URL, testRunId, uniqueSuffix } from './env';

const root = join(__dirname, '..', '..');

/** Test databases older than this are leftovers of runs that died before their teardown. */
const STALE_AFTER = '6 hours';

/**
 * Once per run: brings Kafka and Postgres up (a no-op when running), builds the apps that the tests
 * start as real processes, and migrates this run's template database that every test file clones.
 */
export default async function globalSetup() {
  testRunId(); // before the workers start, so that they inherit it
  execFileSync('bash', [join(root, 'scripts/infra.sh'), 'up'], { stdio: 'inherit' });
  await buildAndMigrateTemplate(ADMIN_DATABASE_URL);
}

/** Builds dist and creates this run's migrated template database on the server of `adminUrl`. */
export async function buildAndMigrateTemplate(adminUrl: string) {
  execFileSync('npm', ['run', '--silent', 'build'], { cwd: root, stdio: 'inherit' });

  const template = `eventlog_test_template_${uniqueSuffix()}`;
  process.env.EVENTLOG_TEST_TEMPLATE = template;
  const admin = new Client({ connectionString: adminUrl });
  await admin.connect();
  try {
    // A database's PG_VERSION file is written when it is created: its age is the database's age.
    const { rows } = await admin.query<{ datname: string }>(
      `SELECT datname FROM pg_database
        WHERE datname LIKE 'eventlog\\_test\\_%'
          AND (pg_stat_file('base/' || oid || '/PG_VERSION', true)).modification < now() - $1::interval`,
      [STALE_AFTER],
    );
    for (const { datname } of rows) await admin.query(`DROP DATABASE IF EXISTS "${datname}" WITH (FORCE)`);
    await admin.query(`CREATE DATABASE ${template}`);
  } finally {
    await admin.end();
  }
  const url = new URL(adminUrl);
  url.pathname = `/${template}`;
  await runMigrations(url.toString());
}
