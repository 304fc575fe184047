import { readFileSync } from 'node:fs';
import { Kafka, logLevel } from 'kafkajs';
import { Pool } from 'pg';
import { NewEvent } from '@eventlog/contracts';
import { ensureTopics } from '@eventlog/kafka';
import { copyRows, partitionCovering, PlannedRow } from '@eventlog/store';
import { AppProcess, KAFKA_BROKERS, uniqueSuffix } from '@eventlog/testing';
import { freshDatabase, settleWrites, waitForRelayed } from './lib/bench-database';
import { Scenario } from './lib/scenario';
import { cpuPerThousand, CpuReading, readCpu } from './lib/cpu-usage';
import { runNaiveIngest } from './peers/naive-ingest';

const EVENTS = Number(process.env.BENCH_INGEST_EVENTS ?? 200_000);
const STREAMS = 10_000;
const PARTITIONS = 12;
const NAIVE_SECONDS = Number(process.env.BENCH_NAIVE_SECONDS ?? 30);
/**
 * The eventlog layouts to run (comma list; all by default), for a quicker paired before/after of
 * one: ingest alone always runs, it is what the others are compared with.
 */
const LAYOUTS: Layout[] = ['alone', ...(['relay inside', 'relay process'] as const).filter((l) => (process.env.BENCH_INGEST_LAYOUTS ?? l).split(',').includes(l))];

/** ~1 KiB JSON envelopes, keyed by stream, as a producer service would send them. */
function makeEvent(i: number) {
  return {
    id: `bench-${i}`,
    stream: `stream-${i % STREAMS}`,
    type: `Type${i % 20}`,
    status: i % 10 === 0 ? 'fail' : 'success',
    source: 'bench-producer',
    message: `step ${i} done`,
    data: { seq: i, amount: i % 997, note: 'x'.repeat(820) },
  };
}

async function produceAll(kafka: Kafka, topic: string): Promise<number> {
  const producer = kafka.producer({ allowAutoTopicCreation: false });
  await producer.connect();
  const started = Date.now();
  const chunk = 2000;
  for (let i = 0; i < EVENTS; i += chunk * 4) {
    await Promise.all(
      [0, 1, 2, 3].map((k) => {
        const from = i + k * chunk;
        const to = Math.min(EVENTS, from + chunk);
        if (from >= to) return undefined;
        const messages = [];
        for (let j = from; j < to; j++) {
          const e = makeEvent(j);
          messages.push({ key: e.stream, value: JSON.stringify(e) });
        }
        return producer.send({ topic, messages, acks: -1 });
      }),
    );
  }
  await producer.disconnect();
  return Date.now() - started;
}

/** Waits until `n` events are durable; calls `onFirst` once some are, and returns when and how many. */
async function waitForCount(pool: Pool, n: number, onFirst: () => void): Promise<{ at: number; count: number }> {
  let first = { at: 0, count: 0 };
  for (;;) {
    const { rows } = await pool.query<{ last: string }>('SELECT last FROM event_position');
    const last = Number(rows[0].last);
    if (last > 0 && first.at === 0) {
      first = { at: Date.now(), count: last };
      onFirst();
    }
    if (last >= n) return first;
    await new Promise((r) => setTimeout(r, 50));
  }
}

/**
 * The ceiling: the same rows, versions and positions precomputed, COPYed in one transaction by the
 * store's own COPY writer (its column list, EVENT_TABLE_COLUMNS). CPU is read around the COPY only.
 */
async function copyCeiling(databaseUrl: string): Promise<{ ms: number; cpu?: Record<string, number> }> {
  const pool = new Pool({ connectionString: databaseUrl, max: 1 });
  const client = await pool.connect();
  const versions = new Map<string, number>();
  const rows: PlannedRow[] = [];
  for (let i = 0; i < EVENTS; i++) {
    const e = makeEvent(i);
    const version = (versions.get(e.stream) ?? 0) + 1;
    versions.set(e.stream, version);
    const event: NewEvent = { ...e, tenant: 'default', metadata: {}, requestId: null, nodeId: e.id, parentNodeId: null, occurredAt: new Date(), expectedVersion: 'any', kafka: null };
    rows.push({ event, version, position: i + 1 });
  }
  const groups = cpuGroups({}, databaseNameOf(databaseUrl));
  const cpuFrom = readCpu(groups);
  const started = Date.now();
  await client.query('BEGIN');
  const recordedAt = new Date();
  await copyRows(client, rows, recordedAt.toISOString(), await partitionCovering(client, recordedAt));
  await client.query('COMMIT');
  const ms = Date.now() - started;
  const cpuTo = readCpu(groups);
  client.release();
  await pool.end();
  return { ms, cpu: cpuFrom && cpuTo ? cpuPerThousand(cpuFrom, cpuTo, EVENTS) : undefined };
}

function metricValue(text: string, name: string): number {
  const m = new RegExp(`^${name} ([0-9.e+-]+)$`, 'm').exec(text);
  return m ? Number(m[1]) : NaN;
}

/**
 * Every process on the shared cores: the apps by pid, the broker (the only JVM here), Postgres, and
 * this bench (the poller, or the naive peer and the COPY ceiling it runs). Postgres is the run's
 * own database's backends and the server's background writers: other databases' backends (tests
 * and benches running beside this one on a shared machine) are not this run's cost.
 */
function cpuGroups(pids: { ingest?: number; relay?: number }, database: string) {
  return {
    ingest: (pid: number) => pid === pids.ingest,
    relay: (pid: number) => pid === pids.relay,
    broker: (_pid: number, comm: string) => comm === 'java',
    postgres: (pid: number, comm: string) => comm === 'postgres' && servesDatabase(pid, database),
    bench: (pid: number) => pid === process.pid,
  };
}

/** The database named by a connection URL. */
const databaseNameOf = (url: string) => new URL(url).pathname.slice(1);

/**
 * Whether a Postgres process works for `database`: a backend's title names its database
 * (`postgres: 15/main: user database host(port) state`); the background processes (WAL writer,
 * checkpointer, background writer) name none and write for every database.
 */
function servesDatabase(pid: number, database: string): boolean {
  let title: string;
  try {
    title = readFileSync(`/proc/${pid}/cmdline`, 'utf8').replace(/\0/g, ' ');
  } catch {
    return false;
  }
  if (/: (checkpointer|background writer|walwriter)\b/.test(title)) return true;
  return title.split(' ').includes(database);
}

/** How ingest runs: alone, beside a relay process of its own, or with the relay inside (as `npm start` runs it). */
type Layout = 'alone' | 'relay process' | 'relay inside';

interface IngestRun {
  /** Events/s from the first durable event to the last. */
  rate: number;
  sustained: number;
  ingestMs: number;
  withStartMs: number;
  metrics: string;
  /** CPU ms per 1,000 events from the first durable event until all are durable (and relayed, with a relay). */
  cpu?: Record<string, number>;
}

/** Ingests the produced topic into a fresh database with a new consumer group, in the given layout. */
async function ingestOnce(topic: string, layout: Layout): Promise<IngestRun> {
  const label = layout.replace(' ', '_');
  const url = await freshDatabase(`eventlog_bench_ingest_${label}`);
  const pool = new Pool({ connectionString: url, max: 1 });
  const env = {
    DATABASE_URL: url,
    INGEST_TOPICS: topic,
    INGEST_GROUP_ID: `${topic}.${label}.group`,
    DLQ_TOPIC: `${topic}.dlq`,
    OUTBOUND_TOPIC: `${topic}.${label}.out`,
    LOG_LEVEL: 'warn',
  };
  const relay = layout === 'relay process' ? await AppProcess.start('relay', `bench-relay-${label}`, env) : undefined;
  const started = Date.now();
  const ingest = await AppProcess.start('ingest', `bench-ingest-${label}`, { ...env, INGEST_RUNS_RELAY: String(layout === 'relay inside') });
  const groups = cpuGroups({ ingest: ingest.pid, relay: relay?.pid }, databaseNameOf(url));
  let cpuFrom: CpuReading | undefined;
  const firstDurable = await waitForCount(pool, EVENTS, () => (cpuFrom = readCpu(groups)));
  // Sustained: the events made durable after the first poll that saw any, over the time since.
  const ingestMs = Date.now() - firstDurable.at;
  const sustained = EVENTS - firstDurable.count;
  const withStartMs = Date.now() - started;
  if (layout !== 'alone') await waitForRelayed(pool, EVENTS);
  const cpuTo = readCpu(groups);
  const metrics = await (await fetch(`${ingest.url}/metrics`)).text();
  await ingest.stop();
  await relay?.stop();
  await pool.end();
  return {
    rate: Math.round((sustained / ingestMs) * 1000),
    sustained,
    ingestMs,
    withStartMs,
    metrics,
    cpu: cpuFrom && cpuTo ? cpuPerThousand(cpuFrom, cpuTo, sustained) : undefined,
  };
}

export const run: Scenario = async () => {
  const kafka = new Kafka({ brokers: KAFKA_BROKERS.split(','), logLevel: logLevel.NOTHING });
  const topic = `bench.ingest.${uniqueSuffix()}`;
  const admin = kafka.admin();
  await admin.connect();
  await ensureTopics(admin, [{ topic, numPartitions: PARTITIONS }]);

  const produceMs = await produceAll(kafka, topic);

  // Each phase starts with earlier writes flushed: the naive peer, one fsync per event, otherwise
  // runs slower behind the ingest runs' dirty pages (measured: 280-325/s after them, 632 alone).
  const layouts = LAYOUTS;
  const runs = new Map<Layout, IngestRun>();
  for (const layout of layouts) {
    await settleWrites();
    runs.set(layout, await ingestOnce(topic, layout));
  }

  const naiveUrl = await freshDatabase('eventlog_bench_naive');
  await settleWrites();
  const naiveGroups = cpuGroups({}, databaseNameOf(naiveUrl));
  const naiveCpuFrom = readCpu(naiveGroups);
  const naive = await runNaiveIngest({ brokers: KAFKA_BROKERS.split(','), topic, databaseUrl: naiveUrl, deadline: Date.now() + NAIVE_SECONDS * 1000 });
  const naiveCpuTo = readCpu(naiveGroups);

  const copyUrl = await freshDatabase('eventlog_bench_copy');
  await settleWrites();
  const copy = await copyCeiling(copyUrl);

  const outbound = layouts.filter((l) => l !== 'alone').map((l) => `${topic}.${l.replace(' ', '_')}.out`);
  await admin.deleteTopics({ topics: [topic, `${topic}.dlq`, ...outbound] }).catch(() => undefined);
  await admin.disconnect();

  const rate = (n: number, ms: number) => Math.round((n / ms) * 1000);
  const naiveRate = rate(naive.written, naive.ms);
  const copyRate = rate(EVENTS, copy.ms);
  const alone = runs.get('alone')!;
  // CPU ms per 1,000 events of each process, and of all together (the budget of issue 15).
  const cpuColumns = (cpu?: Record<string, number>) => ({
    'CPU ms/1k: all': cpu?.all ?? '',
    ingest: cpu?.ingest || '',
    relay: cpu?.relay || '',
    broker: cpu?.broker ?? '',
    postgres: cpu?.postgres ?? '',
    bench: cpu?.bench ?? '',
  });
  const row = (system: string, eventsPerSecond: number, cpu?: Record<string, number>) => ({
    system,
    'events/s': eventsPerSecond,
    'of alone': `${Math.round((100 * eventsPerSecond) / alone.rate)}%`,
    'vs naive': `${(eventsPerSecond / naiveRate).toFixed(1)}x`,
    'of COPY ceiling': `${Math.round((100 * eventsPerSecond) / copyRate)}%`,
    ...cpuColumns(cpu),
  });
  const batches = metricValue(alone.metrics, 'eventlog_ingest_batch_duration_seconds_count');
  const batchSeconds = metricValue(alone.metrics, 'eventlog_ingest_batch_duration_seconds_sum');
  const described: Record<Layout, string> = {
    alone: 'eventlog ingest alone (INGEST_RUNS_RELAY=false)',
    'relay inside': 'eventlog default deployment: relay inside ingest, as `npm start` runs it',
    'relay process': 'eventlog ingest with the relay as a process of its own (docker-compose layout)',
  };
  return {
    name: `ingest: ${EVENTS} events of ~1 KiB, ${STREAMS} streams, ${PARTITIONS} partitions, synchronous_commit on`,
    rows: [
      ...layouts.map((l) => row(described[l], runs.get(l)!.rate, runs.get(l)!.cpu)),
      row(`naive peer (eachMessage, INSERT per event, max+1; ${Math.round(naive.ms / 1000)} s from its first write)`, naiveRate, naiveCpuFrom && naiveCpuTo ? cpuPerThousand(naiveCpuFrom, naiveCpuTo, naive.written) : undefined),
      row('COPY ceiling (same rows, one COPY)', copyRate, copy.cpu),
    ],
    notes: [
      `produce: ${EVENTS} events in ${produceMs} ms (${rate(EVENTS, produceMs)}/s), before ingest started`,
      ...layouts.map(
        (l) =>
          `${l}: ${runs.get(l)!.sustained} events in ${runs.get(l)!.ingestMs} ms after the first were durable (the rate above); ` +
          `${runs.get(l)!.withStartMs} ms from process start, including start-up and group join (${rate(EVENTS, runs.get(l)!.withStartMs)}/s)`,
      ),
      'CPU ms per 1,000 events, from /proc: for the eventlog rows from the first durable event until all were durable and, with a relay, relayed; ' +
        'the naive peer over its whole run (it runs in the bench process); the COPY ceiling around its transaction; ' +
        '"bench" is the bench process (polling, or the naive peer and the COPY writer it runs)',
      `batches (alone): ${batches}, mean ${Math.round(EVENTS / batches)} events and ${((1000 * batchSeconds) / batches).toFixed(1)} ms each from fetch to durable`,
    ],
  };
};
