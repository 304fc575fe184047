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

/**
 * Drops one partition of the log with the rollups' partitions of its counts (migration 013), in
 * one transaction: readers see the events and their counts go together, and nothing is scanned or
 * subtracted. Open chains whose latest event goes are closed (an index range on recorded_at).
 * Stream heads stay: a stream's version never restarts. Each DROP takes an ACCESS EXCLUSIVE lock
 * on its parent until the commit, milliseconds later; appends (which write into today's partition)
 * wait at most that long, and lockTimeoutMs bounds how long the drop queues behind a long query
 * (the run fails, the next one tries again). Returns the number of events dropped.
 */
export async function dropPartition(client: ClientBase, partition: EventPartition, lockTimeoutMs = 1000): Promise<number> {
  const suffix = partition.name.slice('events_'.length);
  const [events, counts, totals] = [partition.name, `event_counts_${suffix}`, `event_totals_${suffix}`].map((t) => client.escapeIdentifier(t));
  await client.query('BEGIN');
  try {
    await client.query(`SET LOCAL lock_timeout = ${Math.max(1, Math.floor(lockTimeoutMs))}`);
    // The whole day's count is one row per tenant, type and status at the 1-day grain.
    const { rows } = await client.query<{ n: string | null }>(`SELECT sum(n)::text AS n FROM ${counts} WHERE grain = 86400`);
    await client.query('DELETE FROM open_chains WHERE recorded_at >= $1 AND recorded_at < $2', [partition.fromAt, partition.toAt]);
    await client.query('DELETE FROM event_partitions WHERE name = $1', [partition.name]);
    await client.query(`DROP TABLE ${events}, ${counts}, ${totals}`);
    await client.query('COMMIT');
    return Number(rows[0].n ?? 0);
  } catch (err) {
    await client.query('ROLLBACK').catch(() => undefined);
    throw err;
  }
}
