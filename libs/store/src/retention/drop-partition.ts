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

// The rollups' bucket origin (migration 005).
const ORIGIN = "TIMESTAMPTZ '2000-01-01T00:00:00Z'";

/**
 * Drops one partition and takes its events out of the rollups, in one transaction: readers see the
 * rows and their counts go together. The partition is read once, grouped by every rollup key at
 * the finest grain; event_counts and event_totals are lowered by that (a row that reaches zero is
 * deleted), and a total's first/last occurredAt that came from the partition is looked up again in
 * the partitions that stay. Open chains whose latest event goes are closed. Stream heads stay: a
 * stream's version never restarts. The DROP comes last, so the lock it takes on events (which
 * stops reads of the log, not appends to a partition) lasts only until the commit; lockTimeoutMs
 * bounds how long it queues behind a long query (the run fails, the next one tries again).
 * Returns the number of events dropped.
 */
export async function dropPartition(client: ClientBase, partition: EventPartition, lockTimeoutMs = 1000): Promise<number> {
  const part = client.escapeIdentifier(partition.name);
  await client.query('BEGIN');
  try {
    await client.query(`SET LOCAL lock_timeout = ${Math.max(1, Math.floor(lockTimeoutMs))}`);
    // Closed already (recorded_at only moves forward); the lock makes sure no writer adds a row after the count.
    await client.query(`LOCK TABLE ${part} IN SHARE MODE`);
    await client.query(
      `CREATE TEMPORARY TABLE retention_rows ON COMMIT DROP AS
       SELECT tenant, date_bin(INTERVAL '10 seconds', occurred_at, ${ORIGIN}) AS bucket, type, status, source,
              count(*)::bigint AS n, min(occurred_at) AS first, max(occurred_at) AS last
         FROM ${part} GROUP BY 1, 2, 3, 4, 5`,
    );
    const { rows: total } = await client.query<{ n: string | null }>('SELECT sum(n)::text AS n FROM retention_rows');

    await client.query(
      `WITH c10 AS (SELECT tenant, bucket, type, status, sum(n)::bigint AS n FROM retention_rows GROUP BY 1, 2, 3, 4),
            d AS (
              SELECT tenant, 10 AS grain, bucket, type, status, n FROM c10
              UNION ALL
              SELECT tenant, g.grain, date_bin(g.width, bucket, ${ORIGIN}), type, status, sum(n)::bigint
                FROM c10 CROSS JOIN (VALUES (60, INTERVAL '1 minute'), (3600, INTERVAL '1 hour'), (86400, INTERVAL '1 day')) AS g(grain, width)
               GROUP BY 1, 2, 3, 4, 5
            ),
            lowered AS (
              UPDATE event_counts c SET n = c.n - d.n FROM d
               WHERE c.tenant = d.tenant AND c.grain = d.grain AND c.bucket = d.bucket AND c.type = d.type
                 AND c.status IS NOT DISTINCT FROM d.status AND c.n > d.n
              RETURNING 1
            )
       DELETE FROM event_counts c USING d
        WHERE c.tenant = d.tenant AND c.grain = d.grain AND c.bucket = d.bucket AND c.type = d.type
          AND c.status IS NOT DISTINCT FROM d.status AND c.n <= d.n`,
    );
    // The partition's range as parameters: the lookups below prune it, the only rows they must not see.
    await client.query(
      `WITH d AS (
         SELECT tenant, type, coalesce(status, '') AS status, coalesce(source, '') AS source, sum(n)::bigint AS n, min(first) AS first, max(last) AS last
           FROM retention_rows GROUP BY 1, 2, 3, 4
       ), gone AS (
         DELETE FROM event_totals t USING d
          WHERE t.tenant = d.tenant AND t.type = d.type AND t.status = d.status AND t.source = d.source AND t.n <= d.n
         RETURNING 1
       )
       UPDATE event_totals t SET
         n = t.n - d.n,
         first_occurred_at = CASE WHEN d.first > t.first_occurred_at THEN t.first_occurred_at ELSE (
           SELECT min(e.occurred_at) FROM events e
            WHERE e.tenant = t.tenant AND e.type = t.type AND coalesce(e.status, '') = t.status AND coalesce(e.source, '') = t.source
              AND (e.recorded_at < $1 OR e.recorded_at >= $2)) END,
         last_occurred_at = CASE WHEN d.last < t.last_occurred_at THEN t.last_occurred_at ELSE (
           SELECT max(e.occurred_at) FROM events e
            WHERE e.tenant = t.tenant AND e.type = t.type AND coalesce(e.status, '') = t.status AND coalesce(e.source, '') = t.source
              AND (e.recorded_at < $1 OR e.recorded_at >= $2)) END
         FROM d
        WHERE t.tenant = d.tenant AND t.type = d.type AND t.status = d.status AND t.source = d.source AND t.n > d.n`,
      [partition.fromAt, partition.toAt],
    );
    await client.query('DELETE FROM open_chains WHERE recorded_at >= $1 AND recorded_at < $2', [partition.fromAt, partition.toAt]);
    await client.query('DELETE FROM event_partitions WHERE name = $1', [partition.name]);
    await client.query(`DROP TABLE ${part}`);
    await client.query('COMMIT');
    return Number(total[0].n ?? 0);
  } catch (err) {
    await client.query('ROLLBACK').catch(() => undefined);
    throw err;
  }
}
