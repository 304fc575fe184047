import { Client } from 'pg';
import { runMigrations } from '../../libs/store/src/migrate';
import { databaseUrl } from '../../test/support/env';

/** A freshly migrated database for one benchmark run (dropped and recreated: the log refuses DELETE). */
export async function freshDatabase(name: string): Promise<string> {
  const admin = new Client({ connectionString: databaseUrl('postgres') });
  await admin.connect();
  try {
    await admin.query(`DROP DATABASE IF EXISTS ${name} WITH (FORCE)`);
    await admin.query(`CREATE DATABASE ${name}`);
  } finally {
    await admin.end();
  }
  const url = databaseUrl(name);
  await runMigrations(url);
  return url;
}
