import { execFileSync } from 'node:child_process';
import { join } from 'node:path';
import { Client } from 'pg';
import { runMigrations } from '../../libs/store/src/migrate';
import { ADMIN_DATABASE_URL, databaseUrl, TEMPLATE_DATABASE } from './env';

const root = join(__dirname, '..', '..');

/**
 * Once per run: brings Kafka and Postgres up (a no-op when running), builds the apps that the tests
 * start as real processes, and migrates a template database that every test file clones.
 */
export default async function globalSetup() {
  execFileSync('bash', [join(root, 'scripts/infra.sh'), 'up'], { stdio: 'inherit' });
  execFileSync('npm', ['run', '--silent', 'build'], { cwd: root, stdio: 'inherit' });

  const admin = new Client({ connectionString: ADMIN_DATABASE_URL });
  await admin.connect();
  try {
    const { rows } = await admin.query<{ datname: string }>(
      "SELECT datname FROM pg_database WHERE datname LIKE 'eventlog\\_test\\_%'",
    );
    for (const { datname } of rows) await admin.query(`DROP DATABASE IF EXISTS "${datname}" WITH (FORCE)`);
    await admin.query(`CREATE DATABASE ${TEMPLATE_DATABASE}`);
  } finally {
    await admin.end();
  }
  await runMigrations(databaseUrl(TEMPLATE_DATABASE));
}
