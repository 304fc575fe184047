import { ClientBase } from 'pg';
import { PartitionWidth } from '@eventlog/config';

/** One partition of the events table: the rows recorded in [fromAt, toAt). */
export interface EventPartition {
  name: string;
  fromAt: Date;
  toAt: Date;
}

/** Every partition of the time ranges (not the DEFAULT one), oldest first. */
export async function listPartitions(client: ClientBase): Promise<EventPartition[]> {
  const { rows } = await client.query<{ name: string; from_at: Date; to_at: Date }>('SELECT name, from_at, to_at FROM event_partitions ORDER BY from_at');
  return rows.map((r) => ({ name: r.name, fromAt: r.from_at, toAt: r.to_at }));
}

/** The partition an event recorded at `at` goes to; null when none covers it (the DEFAULT one takes it). */
export async function partitionCovering(client: ClientBase, at: Date): Promise<string | null> {
  const { rows } = await client.query<{ name: string }>('SELECT name FROM event_partitions WHERE from_at <= $1 AND $1 < to_at', [at]);
  return rows[0]?.name ?? null;
}

/**
 * Creates the partitions missing from now to `until`, each a UTC day, week or month (function
 * events_ensure_partitions, migration 017), and returns their names. Attaching waits for queries
 * that hold the DEFAULT partition: lockTimeoutMs bounds how long others queue behind it (the
 * caller tries again later; appends never need a partition to exist).
 */
export async function ensurePartitions(client: ClientBase, until: Date, width: PartitionWidth, lockTimeoutMs = 2000): Promise<string[]> {
  await client.query('BEGIN');
  try {
    await client.query(`SET LOCAL lock_timeout = ${Math.max(1, Math.floor(lockTimeoutMs))}`);
    const { rows } = await client.query<{ name: string }>('SELECT events_ensure_partitions($1, $2) AS name', [until, width]);
    await client.query('COMMIT');
    return rows.map((r) => r.name);
  } catch (err) {
    await client.query('ROLLBACK').catch(() => undefined);
    throw err;
  }
}
