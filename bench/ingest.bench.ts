import { Kafka, logLevel } from 'kafkajs';
import { Pool } from 'pg';
import { NewEvent } from '@eventlog/contracts';
import { ensureTopics } from '@eventlog/kafka';
import { copyRows, PlannedRow } from '@eventlog/store';
import { AppProcess, KAFKA_BROKERS, uniqueSuffix } from '@eventlog/testing';
import { freshDatabase, settleWrites } from './lib/bench-database';
import { Scenario } from './lib/scenario';
import { runNaiveIngest } from './peers/naive-ingest';

const EVENTS = Number(process.env.BENCH_INGEST_EVENTS ?? 200_000);
const STREAMS = 10_000;
const PARTITIONS = 12;
const NAIVE_SECONDS = Number(process.env.BENCH_NAIVE_SECONDS ?? 30);

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

/** Waits until `n` events are durable; returns when it first saw some durable, and how many. */
async function waitForCount(pool: Pool, n: number): Promise<{ at: number; count: number }> {
  let first = { at: 0, count: 0 };
  for (;;) {
    const { rows } = await pool.query<{ last: string }>('SELECT last FROM event_position');
    const last = Number(rows[0].last);
    if (last > 0 && first.at === 0) first = { at: Date.now(), count: last };
    if (last >= n) return first;
    await new Promise((r) => setTimeout(r, 50));
  }
}

/**
 * The ceiling: the same rows, versions and positions precomputed, COPYed in one transaction by the
 * store's own COPY writer (its column list, EVENT_TABLE_COLUMNS).
 */
async function copyCeiling(databaseUrl: string): Promise<number> {
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
  const started = Date.now();
  await client.query('BEGIN');
  await copyRows(client, rows, new Date().toISOString());
  await client.query('COMMIT');
  const ms = Date.now() - started;
  client.release();
  await pool.end();
  return ms;
}

function metricValue(text: string, name: string): number {
  const m = new RegExp(`^${name} ([0-9.e+-]+)$`, 'm').exec(text);
  return m ? Number(m[1]) : NaN;
}

interface IngestRun {
  /** Events/s from the first durable event to the last. */
  rate: number;
  sustained: number;
  ingestMs: number;
  withStartMs: number;
  metrics: string;
}

/**
 * Ingests the produced topic into a fresh database with a new consumer group, ingest running with
 * INGEST_RUNS_RELAY=false. `withRelay`: the relay runs beside it as its own process (the
 * deployment layout), publishing to the outbound topic on the same cores while ingest runs.
 */
async function ingestOnce(topic: string, withRelay: boolean): Promise<IngestRun> {
  const label = withRelay ? 'relaying' : 'alone';
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
  const relay = withRelay ? await AppProcess.start('relay', `bench-relay-${label}`, env) : undefined;
  const started = Date.now();
  const ingest = await AppProcess.start('ingest', `bench-ingest-${label}`, { ...env, INGEST_RUNS_RELAY: 'false' });
  const firstDurable = await waitForCount(pool, EVENTS);
  // Sustained: the events made durable after the first poll that saw any, over the time since.
  const ingestMs = Date.now() - firstDurable.at;
  const sustained = EVENTS - firstDurable.count;
  const withStartMs = Date.now() - started;
  const metrics = await (await fetch(`${ingest.url}/metrics`)).text();
  await ingest.stop();
  await relay?.stop();
  await pool.end();
  return { rate: Math.round((sustained / ingestMs) * 1000), sustained, ingestMs, withStartMs, metrics };
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
  await settleWrites();
  const alone = await ingestOnce(topic, false);
  await settleWrites();
  const relaying = await ingestOnce(topic, true);

  const naiveUrl = await freshDatabase('eventlog_bench_naive');
  await settleWrites();
  const naive = await runNaiveIngest({ brokers: KAFKA_BROKERS.split(','), topic, databaseUrl: naiveUrl, deadline: Date.now() + NAIVE_SECONDS * 1000 });

  const copyUrl = await freshDatabase('eventlog_bench_copy');
  await settleWrites();
  const copyMs = await copyCeiling(copyUrl);

  const outbound = [`${topic}.relaying.out`];
  await admin.deleteTopics({ topics: [topic, `${topic}.dlq`, ...outbound] }).catch(() => undefined);
  await admin.disconnect();

  const rate = (n: number, ms: number) => Math.round((n / ms) * 1000);
  const naiveRate = rate(naive.written, naive.ms);
  const copyRate = rate(EVENTS, copyMs);
  const row = (system: string, eventsPerSecond: number) => ({
    system,
    'events/s': eventsPerSecond,
    'vs naive': `${(eventsPerSecond / naiveRate).toFixed(1)}x`,
    'of COPY ceiling': `${Math.round((100 * eventsPerSecond) / copyRate)}%`,
  });
  const batches = metricValue(alone.metrics, 'eventlog_ingest_batch_duration_seconds_count');
  const batchSeconds = metricValue(alone.metrics, 'eventlog_ingest_batch_duration_seconds_sum');
  return {
    name: `ingest: ${EVENTS} events of ~1 KiB, ${STREAMS} streams, ${PARTITIONS} partitions, synchronous_commit on`,
    rows: [
      row('eventlog ingest (eachBatch pipelined, group commit, COPY); relay not running', alone.rate),
      row('eventlog ingest with the relay process publishing beside it, same 2 cores', relaying.rate),
      row(`naive peer (eachMessage, INSERT per event, max+1; ${Math.round(naive.ms / 1000)} s from its first write)`, naiveRate),
      row('COPY ceiling (same rows, one COPY)', copyRate),
    ],
    notes: [
      `produce: ${EVENTS} events in ${produceMs} ms (${rate(EVENTS, produceMs)}/s), before ingest started`,
      ...[alone, relaying].map(
        (r, i) =>
          `${i === 0 ? 'alone' : 'with the relay'}: ${r.sustained} events in ${r.ingestMs} ms after the first were durable (the rate above); ` +
          `${r.withStartMs} ms from process start, including start-up and group join (${rate(EVENTS, r.withStartMs)}/s)`,
      ),
      `batches (alone): ${batches}, mean ${Math.round(EVENTS / batches)} events and ${((1000 * batchSeconds) / batches).toFixed(1)} ms each from fetch to durable`,
    ],
  };
};
