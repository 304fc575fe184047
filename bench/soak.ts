import { Admin, Kafka, logLevel, Partitioners, Producer } from 'kafkajs';
import { mkdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { setTimeout as sleep } from 'node:timers/promises';
import { Client, Pool } from 'pg';
import { ensureTopics } from '@eventlog/kafka';
import { ADMIN_DATABASE_URL, AppProcess, KAFKA_BROKERS, PROJECT_ROOT, uniqueSuffix } from '@eventlog/testing';
import { freshDatabase, settleWrites } from './lib/bench-database';
import { printTable } from './lib/scenario';
import { p, PacedProducer, QueryClients, QueryFigures, rssMiB, soakEvent } from './lib/soak-load';

/*
 * `npm run soak -- --minutes N [--rate R]` (issue 5, item 2). A fresh database and topics, a real
 * ingest and query app; the ingest maximum is measured (or given), then for N minutes events are
 * produced at half of it while 16 clients query. One line a minute; a summary against the targets
 * (zero errors, RSS growth < 10%, query p99 ≤ 2× idle) and bench/results/soak-<time>.json. At the
 * end every produced event must be in the log exactly once.
 */

const CLIENTS = 16;
const PARTITIONS = 12;
const CALIBRATION_EVENTS = Number(process.env.SOAK_CALIBRATION_EVENTS ?? 60_000);
const IDLE_SECONDS = 20;
const IDLE_WARM_UP_SECONDS = 10;
const RSS_SAMPLE_MS = 5000;

function args() {
  const argv = process.argv.slice(2);
  const value = (name: string) => {
    const i = argv.indexOf(`--${name}`);
    return i >= 0 ? argv[i + 1] : undefined;
  };
  const minutes = Number(value('minutes') ?? 10);
  const rate = value('rate') === undefined ? undefined : Number(value('rate'));
  if (!Number.isInteger(minutes) || minutes < 1) throw new Error('--minutes takes a whole number ≥ 1');
  if (rate !== undefined && !(rate > 0)) throw new Error('--rate takes events per second > 0');
  return { minutes, rate };
}

interface Soak {
  minutes: number;
  suffix: string;
  database: string;
  base: string;
  topics: { ingest: string; dlq: string; outbound: string };
  admin: Admin;
  producer: Producer;
  pool: Pool;
  ingest: AppProcess;
  query: AppProcess;
  log: (line: string) => void;
}

interface Calibration {
  rate: number;
  calibration: Record<string, number>;
  firstLoadEvent: number;
}

interface LoadRun {
  perMinute: Record<string, number | string>[];
  rss: { ingest: number[]; query: number[] }[];
  rssStart: { ingest: number; query: number };
  rssEnd: { ingest: number; query: number };
  produced: number;
  produceErrors: number;
  loadMs: number;
}

interface Stored {
  count: number;
  distinctIds: number;
  lowest: number;
  highest: number;
  foreign: number;
}

const lastPosition = async (pool: Pool) => Number((await pool.query<{ last: string }>('SELECT last FROM event_position')).rows[0].last);

async function waitPersisted(pool: Pool, n: number, timeoutMs: number): Promise<number> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const at = await lastPosition(pool);
    if (at >= n || Date.now() > deadline) return at;
    await sleep(100);
  }
}

/** A fresh database, the ingest topic, and a real ingest and query app on them. */
async function setUp(soak: Omit<Soak, 'pool' | 'ingest' | 'query'>, started: Partial<Soak>): Promise<Soak> {
  const { topics, base, suffix } = soak;
  const url = await freshDatabase(soak.database);
  started.pool = new Pool({ connectionString: url, max: 2 });
  await soak.admin.connect();
  // ensureTopics retries what a broker that just started answers (UNKNOWN_TOPIC_OR_PARTITION).
  await ensureTopics(soak.admin, [{ topic: topics.ingest, numPartitions: PARTITIONS }]);
  await soak.producer.connect();
  const env = {
    DATABASE_URL: url,
    INGEST_TOPICS: topics.ingest,
    INGEST_GROUP_ID: `${base}.ingest`,
    DLQ_TOPIC: topics.dlq,
    OUTBOUND_TOPIC: topics.outbound,
    TOPIC_PARTITIONS: String(PARTITIONS),
    LOG_LEVEL: 'warn',
  };
  started.ingest = await AppProcess.start('ingest', `soak-${suffix}-ingest`, env);
  started.query = await AppProcess.start('query', `soak-${suffix}-query`, {
    ...env,
    DATABASE_POOL_SIZE: String(CLIENTS),
    QUERY_GROUP_ID: `${base}.query`,
    QUERY_TOPIC_PREFIX: `${base}.`,
  });
  return { ...soak, pool: started.pool, ingest: started.ingest, query: started.query };
}

/**
 * 1. The ingest maximum: a burst produced as fast as the broker takes it, while ingest drains it.
 *    Producing is several times faster than ingesting, so the time until the last event is durable
 *    is ingest's, as in bench/ingest.bench.ts, without a separate 30 s produce phase.
 */
async function calibrate(soak: Soak, givenRate: number | undefined): Promise<Calibration> {
  const { producer, topics, pool, log } = soak;
  if (givenRate !== undefined) {
    // A few events so that the query mix has streams and traces to read.
    await producer.send({ topic: topics.ingest, messages: Array.from({ length: 2000 }, (_, j) => soakEvent(j)), acks: -1 });
    await waitPersisted(pool, 2000, 60_000);
    log(`rate given: ${givenRate} events/s`);
    return { rate: givenRate, calibration: {}, firstLoadEvent: 2000 };
  }
  const started = Date.now();
  for (let i = 0; i < CALIBRATION_EVENTS; i += 2000) {
    const messages = Array.from({ length: Math.min(2000, CALIBRATION_EVENTS - i) }, (_, j) => soakEvent(i + j));
    await producer.send({ topic: topics.ingest, messages, acks: -1 });
  }
  const producedMs = Date.now() - started;
  const reached = await waitPersisted(pool, CALIBRATION_EVENTS, 300_000);
  const ms = Date.now() - started;
  if (reached < CALIBRATION_EVENTS) throw new Error(`calibration: only ${reached} of ${CALIBRATION_EVENTS} events persisted in 300 s`);
  const max = Math.round((CALIBRATION_EVENTS / ms) * 1000);
  const rate = Math.max(1, Math.round(max / 2));
  log(`ingest maximum: ${CALIBRATION_EVENTS} events durable in ${ms} ms → ${max} events/s (produced in ${producedMs} ms); soak rate ${rate}/s`);
  return { rate, calibration: { events: CALIBRATION_EVENTS, produceMs: producedMs, ingestMs: ms, maxEventsPerSecond: max }, firstLoadEvent: CALIBRATION_EVENTS };
}

/**
 * 2. Query latency idle: the same 16 clients and mix, nothing produced, after a 10 s warm-up that
 *    is not measured (the query app's first requests and a cold cache are slower than any later
 *    minute). The calibration's rows are analyzed first, as autovacuum would have by now (it is
 *    off on the development machine's Postgres; unanalyzed, the idle p99 was 612 ms against 77),
 *    and its writes flushed.
 */
async function measureIdle(soak: Soak, clients: QueryClients): Promise<QueryFigures> {
  await soak.pool.query('ANALYZE');
  await settleWrites();
  clients.start(CLIENTS);
  await sleep(IDLE_WARM_UP_SECONDS * 1000);
  clients.take();
  await sleep(IDLE_SECONDS * 1000);
  await clients.stop();
  const idle = clients.take();
  soak.log(`idle: ${idle.requests} queries in ${IDLE_SECONDS} s, p50 ${p(idle.latencies, 0.5)} ms, p99 ${p(idle.latencies, 0.99)} ms, errors ${idle.errors}`);
  return idle;
}

/** One minute's line of the soak table. */
function minuteRow(minute: number, q: QueryFigures, counts: { produced: number; persisted: number; lag: number; produceErrors: number }, idleP99: number, rss: { ingest: number; query: number }) {
  return {
    minute,
    produced: counts.produced,
    persisted: counts.persisted,
    'lag (events)': counts.lag,
    queries: q.requests,
    'p50 ms': p(q.latencies, 0.5),
    'p99 ms': p(q.latencies, 0.99),
    'p99 / idle': Number((p(q.latencies, 0.99) / idleP99).toFixed(2)),
    errors: q.errors + counts.produceErrors,
    'produce errors': counts.produceErrors,
    'ingest RSS MiB': rss.ingest,
    'query RSS MiB': rss.query,
    'slowest query (p99)': Object.entries(q.byQuery).map(([k, v]) => [k, p(v, 0.99)] as const).sort((a, b) => b[1] - a[1])[0]?.join(' ') ?? '',
  };
}

function printMinute(row: ReturnType<typeof minuteRow>, q: QueryFigures, paced: PacedProducer): void {
  console.log(
    `minute ${row.minute}: produced ${row.produced}, persisted ${row.persisted} (lag ${row['lag (events)']}), ${row.queries} queries p50 ${row['p50 ms']} ms p99 ${row['p99 ms']} ms (${row['p99 / idle']}× idle), ` +
      `errors ${row.errors}, RSS ingest ${row['ingest RSS MiB']} MiB query ${row['query RSS MiB']} MiB` +
      (q.lastError ? `; last error: ${q.lastError}` : '') + (paced.lastError ? `; produce: ${paced.lastError}` : ''),
  );
}

/** 3. The soak: half the maximum, paced, with 16 query clients, for N minutes. */
async function runLoad(soak: Soak, cal: Calibration, clients: QueryClients, known: { persisted: number }, idleP99: number): Promise<LoadRun> {
  const { ingest, query, pool } = soak;
  const rssStart = { ingest: await rssMiB(ingest.url), query: await rssMiB(query.url) };
  const paced = new PacedProducer(soak.producer, soak.topics.ingest, cal.firstLoadEvent);
  const perMinute: Record<string, number | string>[] = [];
  const started = Date.now();
  paced.start(cal.rate);
  clients.start(CLIENTS);
  // RSS every few seconds: one reading swings by a fifth with the collector's rhythm, so a minute
  // is described by the median of its readings.
  const rss: { ingest: number[]; query: number[] }[] = [];
  const sampleRss = async () => {
    const m = Math.floor((Date.now() - started) / 60_000);
    const [i, q] = [await rssMiB(ingest.url), await rssMiB(query.url)];
    (rss[m] ??= { ingest: [], query: [] }).ingest.push(i);
    rss[m].query.push(q);
  };
  const sampler = setInterval(() => void sampleRss().catch(() => undefined), RSS_SAMPLE_MS);
  const before = { produced: 0, produceErrors: 0, persisted: await lastPosition(pool) };
  for (let minute = 1; minute <= soak.minutes; minute++) {
    await sleep(Math.max(0, started + minute * 60_000 - Date.now()));
    const persisted = await lastPosition(pool);
    // Traces are read only for events ten seconds old: positions follow commit order, not ids.
    known.persisted = Math.max(cal.firstLoadEvent, persisted - cal.rate * 10);
    const q: QueryFigures = clients.take();
    const counts = { produced: paced.produced - before.produced, persisted: persisted - before.persisted, lag: cal.firstLoadEvent + paced.produced - persisted, produceErrors: paced.errors - before.produceErrors };
    const minuteRss = {
      ingest: p(rss[minute - 1]?.ingest ?? [await rssMiB(ingest.url)], 0.5),
      query: p(rss[minute - 1]?.query ?? [await rssMiB(query.url)], 0.5),
    };
    const row = minuteRow(minute, q, counts, idleP99, minuteRss);
    perMinute.push(row);
    // Autovacuum analyzes a table each time a tenth of it is new: at soak rates every 20 to 60 s.
    await pool.query('ANALYZE');
    Object.assign(before, { produced: paced.produced, produceErrors: paced.errors, persisted });
    printMinute(row, q, paced);
  }
  const loadMs = Date.now() - started;
  clearInterval(sampler);
  await paced.stop();
  await clients.stop();
  const rssEnd = { ingest: await rssMiB(ingest.url), query: await rssMiB(query.url) };
  return { perMinute, rss, rssStart, rssEnd, produced: paced.produced, produceErrors: paced.errors, loadMs };
}

/** 4. Every produced event persisted exactly once: count, distinct ids, and the id range. */
async function checkExactlyOnce(soak: Soak, total: number): Promise<{ stored: Stored; exactlyOnce: boolean; dlq: number }> {
  const { pool, admin, topics } = soak;
  // Ingest may end the load behind (the queries share its cores): let it drain while it still
  // makes progress, so that the check below tells loss from backlog.
  let reached = await lastPosition(pool);
  for (let before = -1; reached < total && reached > before; ) {
    before = reached;
    reached = await waitPersisted(pool, total, 30_000);
  }
  const { rows } = await pool.query<{ n: string; ids: string; lo: string; hi: string; outside: string }>(
    `SELECT count(*) AS n, count(DISTINCT id) AS ids,
            min(CASE WHEN id ~ '^soak-[0-9]+$' THEN substring(id from 6)::bigint END) AS lo,
            max(CASE WHEN id ~ '^soak-[0-9]+$' THEN substring(id from 6)::bigint END) AS hi,
            count(*) FILTER (WHERE id !~ '^soak-[0-9]+$') AS outside
       FROM events`,
  );
  const stored = { count: Number(rows[0].n), distinctIds: Number(rows[0].ids), lowest: Number(rows[0].lo), highest: Number(rows[0].hi), foreign: Number(rows[0].outside) };
  const exactlyOnce = reached >= total && stored.count === total && stored.distinctIds === total && stored.lowest === 0 && stored.highest === total - 1 && stored.foreign === 0;
  const dlq = (await admin.fetchTopicOffsets(topics.dlq).catch(() => [])).reduce((n, o) => n + Number(o.high), 0);
  return { stored, exactlyOnce, dlq };
}

/** 5. The summary against the targets. */
function summarize(soak: Soak, cal: Calibration, idle: QueryFigures, load: LoadRun, check: { stored: Stored; exactlyOnce: boolean; dlq: number }) {
  const { perMinute } = load;
  const idleP99 = p(idle.latencies, 0.99);
  const total = cal.firstLoadEvent + load.produced;
  const growth = (a: number, b: number) => Number((((b - a) / a) * 100).toFixed(1));
  const worstP99 = Math.max(...perMinute.map((r) => Number(r['p99 ms'])));
  const queryErrors = perMinute.reduce((n, r) => n + Number(r.errors), 0);
  const errors = queryErrors + idle.errors + (check.exactlyOnce ? 0 : 1) + check.dlq;
  const throughput = Math.round((load.produced / load.loadMs) * 1000);
  const summary = [
    { figure: 'ingest maximum (events/s)', value: cal.calibration.maxEventsPerSecond ?? 'given', target: '', met: '' },
    { figure: 'soak rate (events/s)', value: `${cal.rate} target, ${throughput} produced`, target: '½ of the maximum', met: throughput >= cal.rate * 0.95 ? 'yes' : 'no' },
    { figure: 'events produced / persisted exactly once', value: `${total} / ${check.stored.distinctIds}`, target: 'all, once', met: check.exactlyOnce ? 'yes' : 'no' },
    { figure: 'dead letters', value: check.dlq, target: '0', met: check.dlq === 0 ? 'yes' : 'no' },
    { figure: 'query p99 idle (ms)', value: idleP99, target: '', met: '' },
    { figure: 'query p99 per minute (ms)', value: perMinute.map((r) => r['p99 ms']).join(', '), target: `≤ ${(2 * idleP99).toFixed(1)} (2× idle)`, met: worstP99 <= 2 * idleP99 ? 'yes' : 'no' },
    ...(['ingest', 'query'] as const).map((app) => {
      const [first, last] = [perMinute[0], perMinute[perMinute.length - 1]].map((r) => Number(r[`${app} RSS MiB`]));
      return { figure: `${app} RSS under load, minute 1 → ${soak.minutes} (median, MiB)`, value: `${first} → ${last} (${growth(first, last)}%)`, target: '< 10%', met: growth(first, last) < 10 ? 'yes' : 'no' };
    }),
    { figure: 'errors (queries, produce, lost/duplicated, dead letters)', value: `${errors} (${queryErrors} during load incl. ${load.produceErrors} produce, ${idle.errors} idle)`, target: '0', met: errors === 0 ? 'yes' : 'no' },
  ];
  return { summary, errors };
}

function report(soak: Soak, cal: Calibration, idle: QueryFigures, load: LoadRun, check: { stored: Stored; exactlyOnce: boolean; dlq: number }, rssLaunched: { ingest: number; query: number }): number {
  const { summary, errors } = summarize(soak, cal, idle, load, check);
  const { minutes } = soak;
  const { rssStart, rssEnd, perMinute } = load;
  printTable({ name: `soak: ${minutes} min at ${cal.rate} events/s, ${CLIENTS} query clients`, rows: perMinute.map(({ 'slowest query (p99)': _s, ...r }) => r) });
  printTable({
    name: 'soak summary',
    rows: summary,
    notes: [
      `RSS right after start: ingest ${rssLaunched.ingest} MiB, query ${rssLaunched.query} MiB; idle, before the load: ingest ${rssStart.ingest}, query ${rssStart.query}; after it: ingest ${rssEnd.ingest}, query ${rssEnd.query}`,
      `RSS growth is taken under load, from the first minute's median of readings every ${RSS_SAMPLE_MS / 1000} s to the last's: idle to loaded is a change of regime, not growth`,
      `stored: ${JSON.stringify(check.stored)}`,
      'one machine runs Kafka, Postgres, both apps and the load generator',
    ],
  });
  const dir = join(PROJECT_ROOT, 'bench', 'results');
  mkdirSync(dir, { recursive: true });
  const file = join(dir, `soak-${new Date().toISOString().replace(/[:.]/g, '-')}.json`);
  const idleFigures = { requests: idle.requests, p50: p(idle.latencies, 0.5), p99: p(idle.latencies, 0.99), errors: idle.errors };
  writeFileSync(
    file,
    JSON.stringify({ at: new Date().toISOString(), minutes, clients: CLIENTS, partitions: PARTITIONS, rate: cal.rate, calibration: cal.calibration, idle: idleFigures, perMinute, rssLaunched, rssStart, rssEnd, rssReadings: load.rss, stored: check.stored, exactlyOnce: check.exactlyOnce, deadLetters: check.dlq, errors, summary }, null, 2),
  );
  console.log(`\nresults written to ${file}`);
  return errors === 0 ? 0 : 1;
}

async function tearDown(soak: Omit<Soak, 'pool' | 'ingest' | 'query'>, started: Partial<Soak>): Promise<void> {
  const { admin, producer, topics } = soak;
  await Promise.all([started.query?.stop(), started.ingest?.stop()]);
  await producer.disconnect().catch(() => undefined);
  await admin.deleteTopics({ topics: [topics.ingest, topics.dlq, topics.outbound] }).catch(() => undefined);
  await admin.disconnect().catch(() => undefined);
  await started.pool?.end().catch(() => undefined);
  const drop = new Client({ connectionString: ADMIN_DATABASE_URL });
  await drop.connect();
  await drop.query(`DROP DATABASE IF EXISTS ${soak.database} WITH (FORCE)`).finally(() => drop.end());
}

async function main() {
  const { minutes, rate: givenRate } = args();
  const suffix = uniqueSuffix();
  const base = `soak.${suffix}`;
  const kafka = new Kafka({ clientId: 'eventlog-soak', brokers: KAFKA_BROKERS.split(','), logLevel: logLevel.NOTHING });
  const plan = {
    minutes,
    suffix,
    database: `eventlog_soak_${suffix}`,
    base,
    topics: { ingest: `${base}.ingest`, dlq: `${base}.dlq`, outbound: `${base}.events` },
    admin: kafka.admin(),
    producer: kafka.producer({ allowAutoTopicCreation: false, createPartitioner: Partitioners.DefaultPartitioner }),
    log: (line: string) => console.log(`[soak ${new Date().toISOString().slice(11, 19)}] ${line}`),
  };
  const started: Partial<Soak> = {};
  try {
    const soak = await setUp(plan, started);
    const rssLaunched = { ingest: await rssMiB(soak.ingest.url), query: await rssMiB(soak.query.url) };
    soak.log(`database ${soak.database}, topics ${base}.*, ingest ${soak.ingest.url}, query ${soak.query.url}`);
    const cal = await calibrate(soak, givenRate);
    const known = { persisted: cal.firstLoadEvent };
    const clients = new QueryClients(soak.query.url, () => known.persisted);
    const idle = await measureIdle(soak, clients);
    const load = await runLoad(soak, cal, clients, known, p(idle.latencies, 0.99));
    const check = await checkExactlyOnce(soak, cal.firstLoadEvent + load.produced);
    return report(soak, cal, idle, load, check, rssLaunched);
  } finally {
    await tearDown(plan, started);
  }
}

main().then(
  (code) => process.exit(code),
  (err) => {
    console.error(err);
    process.exit(1);
  },
);
