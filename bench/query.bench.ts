import { readdirSync } from 'node:fs';
import { Kafka, logLevel } from 'kafkajs';
import { Client } from 'pg';
import { EventLogClient } from '@eventlog/client';
import { EventlogConfig } from '@eventlog/config';
import { QUERY_TOPICS } from '@eventlog/contracts';
import { MIGRATIONS_DIR } from '@eventlog/store';
import { AppProcess, databaseUrl, KAFKA_BROKERS, uniqueSuffix } from '@eventlog/testing';
import { backendsOf, freshDatabase } from './lib/bench-database';
import { cpuPerThousand, CpuGroups, readCpu } from './lib/cpu-usage';
import { quantile, Scenario } from './lib/scenario';

/*
 * Issue 3's speed figures. A dedicated database is bulk-loaded with traffic-shaped events (reused
 * when it already holds them), the real query app runs as a process, and 16 concurrent HTTP clients
 * measure each query. BENCH_QUERY_EVENTS scales the log down for a quick run.
 */
export const EVENTS = Number(process.env.BENCH_QUERY_EVENTS ?? 5_000_000);
const STREAMS = Math.max(100, Math.round(EVENTS / 100));
/** BENCH_QUERY_DATABASE: another name, so that two trees alternated by the partitioning bench each keep their own load. */
const DATABASE = process.env.BENCH_QUERY_DATABASE ?? `eventlog_bench_query_${EVENTS}`;
const CONCURRENCY = 16;
// BENCH_QUERY_TOPIC_PARTITIONS=<n>: the query app's QUERY_TOPIC_PARTITIONS, to compare request/reply latency by partition count.
/** BENCH_QUERY_ONLY=<regex>: only the rows whose query matches, for quick paired before/after runs. */
const ONLY = process.env.BENCH_QUERY_ONLY ? new RegExp(process.env.BENCH_QUERY_ONLY, 'i') : undefined;
const BASE = Date.UTC(2024, 0, 1);
const PARTITION_WIDTH = process.env.PARTITION_INTERVAL ?? new EventlogConfig().PARTITION_INTERVAL;
const SPACING_MS = 500;
const at = (position: number) => new Date(BASE + position * SPACING_MS).toISOString();
// Request r has 5 + (r·7919 mod 46) events: 5 to 50, about 27.5 on average.
const requestLength = (r: number) => 5 + ((r * 7919) % 46);

/** Whether the database already holds this bench's data, loaded by an earlier run. */
async function alreadyLoaded(url: string): Promise<boolean> {
  const migrations = readdirSync(MIGRATIONS_DIR).filter((f) => f.endsWith('.sql')).length;
  const probe = new Client({ connectionString: url });
  try {
    await probe.connect();
    const { rows } = await probe.query(
      `SELECT (SELECT last FROM event_position WHERE recorded_at > '-infinity') AS last, (SELECT count(*) FROM streams) AS streams,
              (SELECT count(*) FROM schema_migrations) AS migrations, (SELECT count(*) FROM events_default) AS spilled,
              (SELECT count(*) FROM pg_index WHERE NOT indisvalid) AS invalid`,
    );
    // Loaded by a build that put the dataset in the default partition, or left the indexes invalid: load it again.
    if (Number(rows[0].spilled) > 0 || Number(rows[0].invalid) > 0) return false;
    if (Number(rows[0].last) === EVENTS && Number(rows[0].streams) === STREAMS && Number(rows[0].migrations) === migrations) {
      return true;
    }
  } catch {
    // missing or half-made: load it
  } finally {
    await probe.end().catch(() => undefined);
  }
  return false;
}

/** The bench's database, loaded unless an earlier run did (the graphql scenario reads it too). */
export async function loadedDatabase(): Promise<{ url: string; notes: string[] }> {
  const url = databaseUrl(DATABASE);
  if (await alreadyLoaded(url)) return { url, notes: [`reused ${DATABASE} (${EVENTS} events already loaded)`] };
  const started = Date.now();
  await freshDatabase(DATABASE);
  const db = new Client({ connectionString: url });
  await db.connect();
  try {
    await db.query("SET maintenance_work_mem = '512MB'; SET work_mem = '256MB'");
    // Load without the secondary indexes and constraints, then build them from their own definitions.
    const { rows: indexes } = await db.query<{ name: string; def: string }>(
      `SELECT indexname AS name, indexdef AS def FROM pg_indexes
        WHERE tablename = 'events' AND indexname NOT IN (SELECT conname FROM pg_constraint WHERE conrelid = 'events'::regclass)`,
    );
    const { rows: constraints } = await db.query<{ name: string; def: string }>(
      "SELECT conname AS name, pg_get_constraintdef(oid) AS def FROM pg_constraint WHERE conrelid = 'events'::regclass AND contype IN ('p', 'u')",
    );
    for (const i of indexes) await db.query(`DROP INDEX ${i.name}`);
    for (const c of constraints) await db.query(`ALTER TABLE events DROP CONSTRAINT ${c.name}`);
    // The dataset's time gets the partitions a log recorded over it has, of the apps' width
    // (PARTITION_INTERVAL; the default partition is only a safety net).
    await db.query(
      `SELECT events_create_partition(d AT TIME ZONE 'UTC', (d + $3::interval) AT TIME ZONE 'UTC')
         FROM generate_series(date_trunc($4, $1::timestamptz AT TIME ZONE 'UTC'),
                              ($1::timestamptz + $2::int * interval '${SPACING_MS} milliseconds' + interval '50 milliseconds') AT TIME ZONE 'UTC', $3::interval) d`,
      [new Date(BASE).toISOString(), EVENTS, `1 ${PARTITION_WIDTH}`, PARTITION_WIDTH],
    );
    await db.query(
      `WITH req AS (SELECT r, 5 + ((r::bigint * 7919) % 46)::int AS len FROM generate_series(0, $1::int) r),
            spans AS (SELECT r, len, sum(len) OVER (ORDER BY r) - len AS start FROM req),
            ev AS (SELECT s.r, s.len, k, s.start + k + 1 AS p FROM spans s, generate_series(0, s.len - 1) k WHERE s.start + k + 1 <= $2)
       INSERT INTO events (position, tenant, id, stream, version, type, data, metadata, source, status, message,
                           request_id, node_id, parent_node_id, occurred_at, recorded_at)
       SELECT p, 'default', 'ev-' || p, 'svc-' || (r % $3),
              row_number() OVER (PARTITION BY r % $3 ORDER BY p),
              'Type' || (p % 20),
              jsonb_build_object('amount', p % 1000, 'device', (ARRAY['ios', 'android', 'web'])[1 + p % 3]),
              '{}'::jsonb, 'service-' || (r % 10),
              CASE WHEN k = len - 1 AND r % 10 = 0 THEN 'fail' WHEN k = len - 1 AND r % 17 = 0 THEN 'running' ELSE 'success' END,
              'step ' || k || ' of request ' || r, 'req-' || r, 'n' || k,
              CASE WHEN k = 0 THEN NULL ELSE 'n' || ((k - 1) / 3) END,
              $4::timestamptz + p * interval '${SPACING_MS} milliseconds',
              $4::timestamptz + p * interval '${SPACING_MS} milliseconds' + interval '50 milliseconds'
         FROM ev`,
      [Math.ceil(EVENTS / 5), EVENTS, STREAMS, new Date(BASE).toISOString()],
    );
    for (const c of constraints) await db.query(`ALTER TABLE events ADD CONSTRAINT ${c.name} ${c.def}`);
    // A partitioned table's index is listed `ON ONLY events` (the parent alone, left invalid until
    // each partition has its own): built here on the parent and every partition at once.
    for (const i of indexes) await db.query(i.def.replace(' ON ONLY ', ' ON '));
    await db.query(
      `INSERT INTO streams (tenant, stream, version, first_occurred_at, last_occurred_at)
       SELECT tenant, stream, max(version), min(occurred_at), max(occurred_at) FROM events GROUP BY tenant, stream`,
    );
    // The counter as appends leave it: its recorded_at is the newest event's (reads start from it).
    await db.query('UPDATE event_position SET last = $1, recorded_at = (SELECT max(recorded_at) FROM events)', [EVENTS]);
    // Every table the load filled, the rollups the triggers wrote among them: a deployment's
    // autovacuum would have analysed them, and this machine's Postgres runs with it off. Plans over an
    // unanalysed rollup are not the ones a deployment gets (decision 047).
    for (const table of ['events', 'streams', 'event_counts', 'event_totals']) await db.query(`VACUUM ANALYZE ${table}`);
  } finally {
    await db.end();
  }
  return { url, notes: [`loaded ${EVENTS} events into ${DATABASE} in ${((Date.now() - started) / 1000).toFixed(0)} s`] };
}

interface Measured {
  query: string;
  requests: number;
  concurrency: number;
  errors: number;
  p50: number;
  p99: number;
  target?: number;
  /** Completed requests per second of wall time. */
  perSecond: number;
  /** CPU ms per request of the query app, of Postgres, and of the load generator (this process). */
  cpu?: Record<string, number>;
  /** Mean time in the app's handler (guards to reply), from its /metrics, for the Kafka rows. */
  handlerMs?: number;
}

/**
 * The processes whose CPU a request costs: the query app (by pid), the Postgres backends serving
 * the bench's database (read before each row: other databases' backends on a shared machine are
 * not this bench's work), and the load generator, this process.
 */
let cpuGroups: CpuGroups = {};
let benchDatabaseUrl = '';

/**
 * `count` requests from `concurrency` workers; each request is made by `next(i)`. Latencies in ms
 * of the successful ones; failures (non-200, rejected calls) are counted, not hidden.
 */
async function measure(query: string, count: number, concurrency: number, next: (i: number) => Promise<unknown>, target?: number): Promise<Measured> {
  for (let i = 0; i < Math.min(concurrency, 4); i++) await succeeded(() => next(i)); // warm up
  const backends = await backendsOf(benchDatabaseUrl);
  cpuGroups.postgres = (pid, comm) => comm === 'postgres' && backends.has(pid);
  const times: number[] = [];
  const cpuFrom = readCpu(cpuGroups);
  const wallFrom = Date.now();
  let issued = 0;
  let errors = 0;
  await Promise.all(
    Array.from({ length: concurrency }, async () => {
      while (issued < count) {
        const i = issued++;
        const started = process.hrtime.bigint();
        if (await succeeded(() => next(i))) times.push(Number(process.hrtime.bigint() - started) / 1e6);
        else errors++;
      }
    }),
  );
  const wallMs = Date.now() - wallFrom;
  const cpuTo = readCpu(cpuGroups);
  // cpuPerThousand gives ms per 1,000 requests; per request is a thousandth of it.
  const perThousand = cpuFrom && cpuTo ? cpuPerThousand(cpuFrom, cpuTo, count) : undefined;
  const cpu = perThousand && Object.fromEntries(Object.entries(perThousand).map(([name, ms]) => [name, ms / 1000]));
  if (cpu) cpu.all = cpu.app + cpu.postgres;
  const perSecond = Math.round((count / wallMs) * 1000);
  const row = { query, requests: count, concurrency, errors, p50: quantile(times, 0.5), p99: quantile(times, 0.99), target, perSecond, cpu };
  console.log(`${query} | ${concurrency} clients | p50 ${row.p50.toFixed(1)} ms | p99 ${row.p99.toFixed(1)} ms | errors ${errors}`);
  return row;
}

async function succeeded(call: () => Promise<unknown>): Promise<boolean> {
  try {
    const res = await call();
    if (!(res instanceof Response)) return true;
    const body = await res.text();
    if (res.status === 200) return true;
    console.warn(`HTTP ${res.status}: ${body.slice(0, 200)}`);
    return false;
  } catch (err) {
    console.warn(`call failed: ${(err as Error).message}`);
    return false;
  }
}

/** Each query alone (1 client: its latency) and under load (16 clients on the same 2 cores). */
async function measureAll(baseUrl: string, prefix: string, client: EventLogClient, rows: Measured[]): Promise<void> {
  const get = (path: string) => fetch(`${baseUrl}${path}`);
  const post = (path: string, body: unknown) =>
    fetch(`${baseUrl}${path}`, { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify(body) });
  const random = (n: number) => Math.floor(Math.random() * n);
  const requests = Math.floor(EVENTS / 27.5);
  const thirtyEventRequests = Array.from({ length: Math.min(requests, 200_000) }, (_, r) => r).filter((r) => requestLength(r) === 30);
  const depth = Math.min(100_000, Math.floor(EVENTS / 2));
  const deep = (await (await get(`/v1/events?offset=${depth - 20}&limit=20&includeTotal=false`)).json()) as { nextCursor: string };
  const windowEvents = Math.min(1_000_000, Math.floor(EVENTS / 2));
  const window = () => {
    const start = 1 + random(EVENTS - windowEvents);
    return [{ field: 'occurredAt', operator: 'between', value: [at(start), at(start + windowEvents - 1)] }];
  };

  const both = async (name: string, loaded: number, next: (i: number) => Promise<unknown>, target?: number) => {
    if (ONLY && !ONLY.test(name)) return;
    rows.push(await measure(name, Math.max(4, Math.floor(loaded / 4)), 1, next, target));
    rows.push(await measure(name, loaded, CONCURRENCY, next, target));
  };
  // Every pool connection opened before the first row, so each row's Postgres backends are known at its start.
  await Promise.all(Array.from({ length: 2 * CONCURRENCY }, () => succeeded(() => get(`/v1/events/ev-${1 + random(EVENTS)}`))));
  const dslCount = (interval?: '1h') => () => post('/v1/query', { where: window(), reduce: { type: 'count', groupBy: ['type'], interval } });
  const thirty = () => thirtyEventRequests[random(thirtyEventRequests.length)];

  await both('log page 1 (includeTotal=false)', 400, () => get('/v1/events?pageSize=20&includeTotal=false'), 25);
  await both('log page 1 with totalCount (counts the whole tenant)', 32, () => get('/v1/events?pageSize=20'));
  await both(`page at depth ${depth} by cursor`, 400, () => get(`/v1/events?pageSize=20&includeTotal=false&cursor=${deep.nextCursor}`), 25);
  await both(`page at depth ${depth} by offset`, 200, () => get(`/v1/events?offset=${depth}&limit=20&includeTotal=false`), 25);
  await both('stream read, 100 events', 400, () => get(`/v1/streams/svc-${random(STREAMS)}/events?limit=100`), 15);
  await both('trace of 30 events', 400, () => get(`/v1/traces/req-${thirty()}`), 20);
  await both('node subtree (child of the root, recursive SQL)', 400, () => get(`/v1/traces/req-${thirty()}/nodes/n1`), 20);
  await both(`DSL count by type over ${windowEvents} events`, 48, dslCount(), 500);
  await both('same, bucketed by hour', 48, dslCount('1h'), 500);
  await both('stats of the whole tenant', 16, () => get('/v1/stats'));
  await both('stats of one stream', 400, () => get(`/v1/stats?stream=svc-${random(STREAMS)}`));
  await both('point query (event by id), HTTP', 400, () => get(`/v1/events/ev-${1 + random(EVENTS)}`));
  // Request/reply: the target (p50 ≤ 5 ms) is one caller's latency; with 16 callers on two cores it is queueing.
  const kafkaPoint = () => client.event({ id: `ev-${1 + random(EVENTS)}` });
  const kafkaName = 'point query (event by id), Kafka request/reply';
  if (ONLY && !ONLY.test(kafkaName)) return;
  for (const [count, clients, target] of [
    [400, 1, 5],
    [400, CONCURRENCY, undefined],
  ] as const) {
    const before = await handlerSeconds(baseUrl, QUERY_TOPICS.event);
    const row = await measure(kafkaName, count, clients, kafkaPoint, target);
    const after = await handlerSeconds(baseUrl, QUERY_TOPICS.event);
    row.handlerMs = ((after.sum - before.sum) / Math.max(1, after.count - before.count)) * 1000;
    rows.push(row);
  }
  rows.push(await rawKafkaHop(prefix, 400));
}

/** The query app's own time for a request topic so far (its eventlog_query_duration_seconds histogram). */
async function handlerSeconds(baseUrl: string, topic: string): Promise<{ sum: number; count: number }> {
  const text = await (await fetch(`${baseUrl}/metrics`)).text();
  const value = (kind: string) => {
    const line = text.split('\n').find((l) => l.startsWith(`eventlog_query_duration_seconds_${kind}{`) && l.includes('transport="kafka"') && l.includes(`${topic}"`) && l.includes('status="200"'));
    return line ? Number(line.slice(line.lastIndexOf(' ') + 1)) : 0;
  };
  return { sum: value('sum'), count: value('count') };
}

/**
 * The floor under request/reply: one kafkajs record produced and consumed (a consumer as the
 * client's reply consumer is set up), with no app between. A round trip is two of these hops plus
 * the app's handling.
 */
async function rawKafkaHop(prefix: string, count: number): Promise<Measured> {
  const topic = `${prefix}hop`;
  const kafka = new Kafka({ brokers: KAFKA_BROKERS.split(','), clientId: 'bench-hop', logLevel: logLevel.WARN });
  const admin = kafka.admin();
  const producer = kafka.producer();
  const consumer = kafka.consumer({ groupId: `${prefix}hop`, maxWaitTimeInMs: 500, minBytes: 1 });
  await Promise.all([admin.connect(), producer.connect(), consumer.connect()]);
  try {
    await admin.createTopics({ topics: [{ topic, numPartitions: 1 }], waitForLeaders: true });
    const arrived = new Map<string, () => void>();
    await consumer.subscribe({ topic, fromBeginning: true });
    await consumer.run({ eachMessage: async ({ message }) => arrived.get(message.value!.toString())?.() });
    const hop = (i: number) => {
      const id = String(i);
      const seen = new Promise<void>((resolve) => arrived.set(id, resolve));
      return producer.send({ topic, messages: [{ value: id }] }).then(() => seen);
    };
    await hop(-1); // joined and fetching
    return await measure('raw kafkajs hop (produce, consume), no app', count, 1, hop);
  } finally {
    await Promise.all([admin.disconnect(), producer.disconnect(), consumer.disconnect()]);
  }
}

/** The query app as a process on the bench's database, its topics under a prefix of this run's. */
export async function startBenchQueryApp(name: string, url: string): Promise<{ query: AppProcess; prefix: string }> {
  const prefix = `bench.${uniqueSuffix()}.`;
  const query = await AppProcess.start('query', name, {
    DATABASE_URL: url,
    DATABASE_POOL_SIZE: String(CONCURRENCY),
    QUERY_GROUP_ID: `${prefix}query`,
    QUERY_TOPIC_PREFIX: prefix,
    INGEST_TOPICS: `${prefix}ingest`,
    DLQ_TOPIC: `${prefix}dlq`,
    INGEST_GROUP_ID: `${prefix}ingest`,
    TOPIC_PARTITIONS: '16',
    ...(process.env.BENCH_QUERY_TOPIC_PARTITIONS ? { QUERY_TOPIC_PARTITIONS: process.env.BENCH_QUERY_TOPIC_PARTITIONS } : {}),
    LOG_LEVEL: 'warn',
  });
  return { query, prefix };
}

export const run: Scenario = async () => {
  const { url, notes } = await loadedDatabase();
  const { query, prefix } = await startBenchQueryApp('bench-query', url);
  benchDatabaseUrl = url;
  cpuGroups = { app: (pid: number) => pid === query.pid, postgres: () => false, client: (pid: number) => pid === process.pid };
  const client = new EventLogClient({ transport: 'kafka', kafka: { brokers: KAFKA_BROKERS.split(','), groupId: `${prefix}client`, topicPrefix: prefix }, timeoutMs: 30000 });
  const rows: Measured[] = [];
  try {
    await client.connect();
    await measureAll(query.url, prefix, client, rows);
  } finally {
    await client.close().catch(() => undefined);
    await query.stop();
  }
  return {
    name: `query: ${EVENTS.toLocaleString('en')} events, ${STREAMS.toLocaleString('en')} streams (p50/p99 in ms)`,
    rows: rows.map((r) => ({
      query: r.query,
      requests: r.requests,
      clients: r.concurrency,
      errors: r.errors,
      'p50 ms': r.p50.toFixed(1),
      'p99 ms': r.p99.toFixed(1),
      'requests/s': r.perSecond,
      'CPU ms/request (app + Postgres)': r.cpu ? `${r.cpu.all.toFixed(2)} (${r.cpu.app.toFixed(2)} + ${r.cpu.postgres.toFixed(2)})` : '',
      'client CPU ms/request': r.cpu ? r.cpu.client.toFixed(2) : '',
      'app handler mean ms': r.handlerMs === undefined ? '' : r.handlerMs.toFixed(1),
      target: r.target === undefined ? '' : `${r.query.includes('Kafka') ? 'p50' : 'p99'} ≤ ${r.target}`,
      met: r.target === undefined ? '' : (r.query.includes('Kafka') ? r.p50 : r.p99) <= r.target ? 'yes' : 'no',
    })),
    notes: [
      ...notes,
      'query app as a process, Fastify adapter, DATABASE_POOL_SIZE=16; one 2-core machine runs Postgres, Kafka, the app and the clients',
      'requests/s over the wall time of the row; CPU per request from /proc over the same time: the query app\'s process and the Postgres backends of the bench database; client: this process (fetch, or EventLogClient on Kafka)',
      'Kafka rows: EventLogClient (ClientKafka) round trip; the 1-client rows compare a point query over HTTP and over request/reply; app handler mean: the app\'s own histogram for the request topic (guards to reply), the rest of a round trip is the two Kafka hops (the raw hop row) and the client',
    ],
  };
};
