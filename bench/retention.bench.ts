import { Client, Pool } from 'pg';
import { NewEvent } from '@eventlog/contracts';
import { dropPartition, EventStoreRepository, listPartitions } from '@eventlog/store';
import { freshDatabase, settleWrites } from './lib/bench-database';
import { quantile, Scenario } from './lib/scenario';

const EVENTS = Number(process.env.BENCH_RETENTION_EVENTS ?? 1_000_000);
const FILL_CHUNK = 100_000;
const APPEND_BATCH = 100;
const BASELINE_MS = 3000;

const dayStart = (offset: number) => {
  const now = new Date();
  return new Date(Date.UTC(now.getUTCFullYear(), now.getUTCMonth(), now.getUTCDate() + offset));
};

function appendEvent(i: number): NewEvent {
  return {
    id: `live-${i}`, tenant: 'default', stream: `live-${i % 50}`, type: 'Live', data: { i }, metadata: {}, source: 'bench', status: 'success',
    message: null, requestId: null, nodeId: `live-${i}`, parentNodeId: null, occurredAt: new Date(), expectedVersion: 'any', kafka: null,
  } as NewEvent;
}

/**
 * Retention: dropping a day's partition of EVENTS events (its rollup partitions with it), while an
 * appender writes batches of APPEND_BATCH into today's partition through the store's own append
 * path. Reports the drop's time and how long appends waited on it (their slowest batch during the
 * drop against their p50/max before it).
 */
export const run: Scenario = async () => {
  const url = await freshDatabase('eventlog_bench_retention');
  const admin = new Client({ connectionString: url });
  await admin.connect();
  const from = dayStart(-3);
  const to = dayStart(-2);
  const { rows } = await admin.query<{ name: string }>('SELECT events_create_partition($1, $2) AS name', [from, to]);
  const part = admin.escapeIdentifier(rows[0].name);
  // Straight into the partition, with its triggers: the rollups count it as ingest would have.
  for (let at = 0; at < EVENTS; at += FILL_CHUNK) {
    await admin.query(
      `INSERT INTO ${part} (position, tenant, id, stream, version, type, data, metadata, source, status, message, node_id, occurred_at, recorded_at)
       SELECT g, 't' || (g % 3), 'old-' || g, 's-' || (g % 1000), g / 1000 + 1, 'Type' || (g % 20), jsonb_build_object('seq', g, 'note', repeat('x', 200)), '{}',
              'bench', CASE WHEN g % 10 = 0 THEN 'fail' ELSE 'success' END, 'step ' || g, 'n-' || g,
              $1::timestamptz + (g * interval '86399 seconds' / $3::int), $1::timestamptz + (g * interval '86399 seconds' / $3::int)
         FROM generate_series($2::int + 1, $2::int + ${FILL_CHUNK}) g WHERE g <= $3::int`,
      [from, at, EVENTS],
    );
  }
  await admin.query(`INSERT INTO streams SELECT tenant, stream, max(version), min(occurred_at), max(occurred_at) FROM ${part} GROUP BY 1, 2`);
  await admin.query('UPDATE event_position SET last = $1, recorded_at = now()', [EVENTS]);
  await admin.query('VACUUM ANALYZE');
  await settleWrites();

  const pool = new Pool({ connectionString: url, max: 2 });
  const repo = new EventStoreRepository(pool);
  const appends: { start: number; ms: number }[] = [];
  let stop = false;
  let next = 0;
  const appender = (async () => {
    while (!stop) {
      const batch = Array.from({ length: APPEND_BATCH }, () => appendEvent(next++));
      const start = performance.now();
      await repo.appendBatch(batch);
      appends.push({ start, ms: performance.now() - start });
    }
  })();
  await new Promise((r) => setTimeout(r, BASELINE_MS));
  const partition = (await listPartitions(admin)).find((p) => p.fromAt.getTime() === from.getTime())!;
  const dropStart = performance.now();
  const day = await dropPartition(admin, partition);
  const dropEnd = performance.now();
  await new Promise((r) => setTimeout(r, 1000));
  stop = true;
  await appender;
  await pool.end();
  await admin.end();

  const before = appends.filter((a) => a.start + a.ms < dropStart).map((a) => a.ms);
  const during = appends.filter((a) => a.start < dropEnd && a.start + a.ms > dropStart).map((a) => a.ms);
  const fmt = (ms: number) => `${ms.toFixed(1)} ms`;
  return {
    name: `retention: drop a day of ${EVENTS.toLocaleString('en')} events while appending`,
    rows: [
      { measure: 'drop, in all', value: fmt(dropEnd - dropStart) },
      { measure: 'of which the transaction (events + rollup partitions detached)', value: fmt(day.transactionMs) },
      { measure: 'of which the DROP of the detached tables after it', value: fmt(day.reclaimMs) },
      { measure: 'events dropped', value: day.events },
      { measure: `append of ${APPEND_BATCH}, p50 before the drop`, value: fmt(quantile(before, 0.5)) },
      { measure: `append of ${APPEND_BATCH}, max before the drop`, value: fmt(Math.max(...before)) },
      { measure: `append of ${APPEND_BATCH}, slowest overlapping the drop`, value: during.length ? fmt(Math.max(...during)) : 'none overlapped' },
    ],
    notes: [`${appends.length} appends of ${APPEND_BATCH} in all; ${during.length} overlapped the drop`],
  };
};
