import { spawn } from 'node:child_process';
import { join } from 'node:path';
import { TestDatabase } from './database';
import { PROJECT_ROOT } from './env';

/** The rows each query has that the other lacks, duplicates counted (EXCEPT ALL both ways). */
async function diff(db: TestDatabase, kept: string, counted: string): Promise<unknown[]> {
  return (await db.pool.query(`(${kept} EXCEPT ALL ${counted}) UNION ALL (${counted} EXCEPT ALL ${kept})`)).rows;
}

/**
 * The rows where a rollup (event_counts, event_totals, open_chains) and counting the events again
 * disagree: empty when every rollup is exact.
 */
export async function rollupDifferences(db: TestDatabase): Promise<Record<string, unknown[]>> {
  return {
    event_counts: await diff(
      db,
      'SELECT tenant, grain, bucket, type, status, sum(n) FROM event_counts GROUP BY 1, 2, 3, 4, 5',
      `SELECT e.tenant, g.grain, date_bin(g.width, e.occurred_at, TIMESTAMPTZ '2000-01-01T00:00:00Z'), e.type, e.status, count(*)
         FROM events e CROSS JOIN (VALUES (10, INTERVAL '10 seconds'), (60, INTERVAL '1 minute'), (3600, INTERVAL '1 hour'), (86400, INTERVAL '1 day')) AS g(grain, width)
        GROUP BY 1, 2, 3, 4, 5`,
    ),
    event_totals: await diff(
      db,
      'SELECT tenant, type, status, source, sum(n), min(first_occurred_at), max(last_occurred_at) FROM event_totals GROUP BY 1, 2, 3, 4',
      `SELECT tenant, type, coalesce(status, ''), coalesce(source, ''), count(*), min(occurred_at), max(occurred_at) FROM events GROUP BY 1, 2, 3, 4`,
    ),
    open_chains: await diff(
      db,
      'SELECT tenant, request_id, position, id, node_id, type, status, recorded_at FROM open_chains',
      `SELECT tenant, request_id, position, id, node_id, type, status, recorded_at
         FROM (SELECT DISTINCT ON (tenant, request_id) * FROM events WHERE request_id IS NOT NULL ORDER BY tenant, request_id, position DESC) l
        WHERE status IN ('pending', 'waiting', 'running')`,
    ),
  };
}

export const NO_DIFFERENCES = { event_counts: [], event_totals: [], open_chains: [] };

/**
 * Rollup rows counted under another partition than the one holding their events (part_from is what
 * retention drops counts by): daily counts and totals against the events grouped by their partition's
 * lower bound ('-infinity' in the DEFAULT one).
 */
export async function misplacedRollups(db: TestDatabase): Promise<{ event_counts: unknown[]; event_totals: unknown[] }> {
  const bound = `coalesce((SELECT p.from_at FROM event_partitions p WHERE p.name = e.tableoid::regclass::text), '-infinity')`;
  return {
    event_counts: await diff(
      db,
      'SELECT tenant, type, status, part_from, sum(n) FROM event_counts WHERE grain = 86400 GROUP BY 1, 2, 3, 4',
      `SELECT e.tenant, e.type, e.status, ${bound}, count(*) FROM events e GROUP BY 1, 2, 3, 4`,
    ),
    event_totals: await diff(
      db,
      'SELECT tenant, type, status, source, part_from, n FROM event_totals',
      `SELECT e.tenant, e.type, coalesce(e.status, ''), coalesce(e.source, ''), ${bound}, count(*) FROM events e GROUP BY 1, 2, 3, 4, 5`,
    ),
  };
}

/** Start of the UTC day `offset` days from today. */
export function utcDay(offset: number): Date {
  const now = new Date();
  return new Date(Date.UTC(now.getUTCFullYear(), now.getUTCMonth(), now.getUTCDate() + offset));
}

/**
 * Appends `perTenant` events per tenant recorded on the day `offset` days from today, through the
 * parent table (as any writer other than ingest would), after every event already there: positions,
 * versions and recorded_at keep growing together. Some occurredAt fall on the day before, some
 * chains stay open. Moves the stream heads and the position counter as ingest would.
 */
export async function appendDay(db: TestDatabase, offset: number, tenants: string[], perTenant: number): Promise<void> {
  const from = utcDay(offset);
  await db.pool.query(
    `WITH base AS (SELECT coalesce(max(position), 0) AS p FROM events),
          rows AS (
            SELECT t.tenant, t.ord, g, (SELECT p FROM base) + (g - 1) * $4::int + t.ord AS position
              FROM unnest($2::text[]) WITH ORDINALITY AS t(tenant, ord), generate_series(1, $3::int) g
          )
     INSERT INTO events (position, tenant, id, stream, version, type, data, metadata, source, status, message, request_id,
                         node_id, occurred_at, recorded_at)
     SELECT position, tenant, tenant || '-' || position, 's-' || (position % 7),
            coalesce((SELECT version FROM streams s WHERE s.tenant = r.tenant AND s.stream = 's-' || (position % 7)), 0)
              + count(*) OVER (PARTITION BY tenant, position % 7 ORDER BY position),
            'T' || (position % 3), jsonb_build_object('n', position), '{}', 'src' || (position % 2),
            (ARRAY['running', 'success', NULL, ''])[1 + position % 4], 'm', 'r-' || (position % 5),
            'n-' || position, $1::timestamptz + (g * interval '1 minute') - interval '3 hours', $1::timestamptz + (g * interval '1 minute')
       FROM rows r ORDER BY position`,
    [from, tenants, perTenant, tenants.length],
  );
  await db.pool.query(
    `INSERT INTO streams (tenant, stream, version, first_occurred_at, last_occurred_at)
     SELECT tenant, stream, max(version), min(occurred_at), max(occurred_at) FROM events GROUP BY 1, 2
     ON CONFLICT (tenant, stream) DO UPDATE SET version = EXCLUDED.version,
       first_occurred_at = LEAST(streams.first_occurred_at, EXCLUDED.first_occurred_at),
       last_occurred_at = GREATEST(streams.last_occurred_at, EXCLUDED.last_occurred_at)`,
  );
  await db.pool.query('UPDATE event_position SET last = (SELECT max(position) FROM events), recorded_at = (SELECT max(recorded_at) FROM events)');
}

/** `npm run retention` as an operator runs it: the built CLI, its output and exit code. */
export function retentionCli(env: Record<string, string>, args: string[] = []): Promise<{ code: number | null; out: string }> {
  return new Promise((resolve) => {
    const child = spawn(process.execPath, [join(PROJECT_ROOT, 'dist/libs/store/src/retention/retention.main.js'), ...args], {
      env: { PATH: process.env.PATH, ...env },
    });
    let out = '';
    child.stdout.on('data', (d) => (out += d));
    child.stderr.on('data', (d) => (out += d));
    child.on('close', (code) => resolve({ code, out }));
  });
}
