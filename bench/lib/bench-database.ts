import { execFileSync } from 'node:child_process';
import { Client, Pool } from 'pg';
import { runMigrations } from '@eventlog/store';
import { databaseUrl } from '@eventlog/testing';

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

/**
 * Flushes what earlier phases wrote (Postgres CHECKPOINT, then the OS's dirty pages, the broker's
 * log segments among them), so that a phase does not pay for the previous one's writes in its own
 * commits' latency.
 */
export async function settleWrites(): Promise<void> {
  const admin = new Client({ connectionString: databaseUrl('postgres') });
  await admin.connect();
  try {
    await admin.query('CHECKPOINT');
  } finally {
    await admin.end();
  }
  execFileSync('sync');
}

/** The Postgres backends serving one database (the apps keep their pools open, so these stay). */
export async function backendsOf(url: string): Promise<Set<number>> {
  const db = new Client({ connectionString: url });
  await db.connect();
  try {
    const { rows } = await db.query<{ pid: number }>('SELECT pid FROM pg_stat_activity WHERE datname = current_database() AND pid <> pg_backend_pid()');
    return new Set(rows.map((r) => r.pid));
  } finally {
    await db.end();
  }
}

/** Waits until the relay's checkpoint has passed position `n`. */
export async function waitForRelayed(pool: Pool, n: number): Promise<void> {
  for (;;) {
    const { rows } = await pool.query<{ p: string }>('SELECT coalesce(max(position), 0) AS p FROM relay_checkpoint');
    if (Number(rows[0].p) >= n) return;
    await new Promise((r) => setTimeout(r, 50));
  }
}
