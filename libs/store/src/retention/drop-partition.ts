import { ClientBase } from 'pg';
import { EventPartition } from '../partitions/event-partitions';

/** The tenants with rows in a partition: a skip scan of its (tenant, position) index, one probe per tenant. */
export async function partitionTenants(client: ClientBase, name: string): Promise<string[]> {
  const part = client.escapeIdentifier(name);
  const { rows } = await client.query<{ tenant: string }>(
    `WITH RECURSIVE t(tenant) AS (
       (SELECT tenant FROM ${part} ORDER BY tenant LIMIT 1)
       UNION ALL
       SELECT (SELECT p.tenant FROM ${part} p WHERE p.tenant > t.tenant ORDER BY p.tenant LIMIT 1) FROM t WHERE t.tenant IS NOT NULL
     )
     SELECT tenant FROM t WHERE tenant IS NOT NULL`,
  );
  return rows.map((r) => r.tenant);
}

export async function partitionEventCount(client: ClientBase, name: string): Promise<number> {
  const { rows } = await client.query<{ n: string }>(`SELECT count(*) AS n FROM ${client.escapeIdentifier(name)}`);
  return Number(rows[0].n);
}

/** The three tables of one day: the log's partition and the rollups' partitions of its counts. */
function dayTables(partition: EventPartition): { parent: string; table: string }[] {
  const suffix = partition.name.slice('events_'.length);
  return [
    { parent: 'events', table: partition.name },
    { parent: 'event_counts', table: `event_counts_${suffix}` },
    { parent: 'event_totals', table: `event_totals_${suffix}` },
  ];
}

export interface DroppedDay {
  events: number;
  /** The transaction that takes the day out of the log and the rollups (what appends may wait for). */
  transactionMs: number;
  /** The DROP of the detached tables after it (files unlinked). */
  reclaimMs: number;
}

// A detached day waits under this prefix for its DROP (reclaiming the space) after the commit.
const RETIRED = 'retired_';

/**
 * Takes one partition out of the log with the rollups' partitions of its counts (migration 013), in
 * one transaction: readers see the events and their counts go together, and nothing is scanned or
 * subtracted. Open chains whose latest event goes are closed (an index range on recorded_at).
 * Stream heads stay: a stream's version never restarts. The transaction DETACHes rather than
 * DROPs: a DROP unlinks the files at commit, while the ACCESS EXCLUSIVE locks on the parents (which
 * appends wait for) are still held — long for a day of a million events. The detached tables are
 * dropped after the commit (dropRetired), when nothing waits for them. lockTimeoutMs bounds how
 * long the detach queues behind a long query (the run fails, the next one tries again). Returns
 * the number of events taken out and how long each phase took.
 */
export async function dropPartition(client: ClientBase, partition: EventPartition, lockTimeoutMs = 1000): Promise<DroppedDay> {
  const tables = dayTables(partition);
  const started = performance.now();
  await client.query('BEGIN');
  let events: number;
  try {
    await client.query(`SET LOCAL lock_timeout = ${Math.max(1, Math.floor(lockTimeoutMs))}`);
    // A few rows per tenant, type, status and source: the day's count without reading its events.
    const { rows } = await client.query<{ n: string | null }>(`SELECT sum(n)::text AS n FROM ${client.escapeIdentifier(tables[2].table)}`);
    events = Number(rows[0].n ?? 0);
    await client.query('DELETE FROM open_chains WHERE recorded_at >= $1 AND recorded_at < $2', [partition.fromAt, partition.toAt]);
    await client.query('DELETE FROM event_partitions WHERE name = $1', [partition.name]);
    for (const { parent, table } of tables) {
      await client.query(`ALTER TABLE ${parent} DETACH PARTITION ${client.escapeIdentifier(table)}`);
      await client.query(`ALTER TABLE ${client.escapeIdentifier(table)} RENAME TO ${client.escapeIdentifier(RETIRED + table)}`);
    }
    await client.query('COMMIT');
  } catch (err) {
    await client.query('ROLLBACK').catch(() => undefined);
    throw err;
  }
  const committed = performance.now();
  await dropRetired(client);
  return { events, transactionMs: committed - started, reclaimMs: performance.now() - committed };
}

/**
 * Drops the detached days (also those a run that died after its commit left behind): the tables
 * are out of the log and the rollups, so only this waits on their locks.
 */
export async function dropRetired(client: ClientBase): Promise<void> {
  const { rows } = await client.query<{ name: string }>(
    `SELECT c.relname AS name FROM pg_class c JOIN pg_namespace n ON n.oid = c.relnamespace
      WHERE n.nspname = current_schema() AND c.relkind = 'r' AND c.relname ~ '^retired_(events|event_counts|event_totals)_'`,
  );
  for (const { name } of rows) await client.query(`DROP TABLE ${client.escapeIdentifier(name)}`);
}
