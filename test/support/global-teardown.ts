import { Client } from 'pg';
import { ADMIN_DATABASE_URL, KAFKA_BROKERS, templateDatabase } from './env';
import { deleteTopicsUnder, runTopicPrefix } from './kafka';

/** Drops this run's template and deletes this run's topics; each test file drops its own database. */
export default async function globalTeardown() {
  const admin = new Client({ connectionString: ADMIN_DATABASE_URL });
  await admin.connect();
  try {
    await admin.query(`DROP DATABASE IF EXISTS ${templateDatabase()} WITH (FORCE)`);
  } finally {
    await admin.end();
  }
  const deleted = await deleteTopicsUnder(KAFKA_BROKERS, runTopicPrefix());
  console.log(`teardown: deleted this run's ${deleted} topics`);
}
