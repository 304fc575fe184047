import { spawn } from 'node:child_process';
import { readdirSync, readFileSync } from 'node:fs';
import { cpus } from 'node:os';
import { join } from 'node:path';
import { Admin, Kafka, logLevel } from 'kafkajs';
import { Client } from 'pg';
import { recordBytesFor } from '@eventlog/kafka';
import { AppProcess, KAFKA_BROKERS, PROJECT_ROOT, uniqueSuffix } from '@eventlog/testing';
import { freshDatabase } from './lib/bench-database';
import { cpuShares, CpuReading, readCpu } from './lib/cpu-usage';
import { quantile, Scenario } from './lib/scenario';

/*
 * Issue 4's speed figures: how fast the relay moves a backlog from Postgres to the outbound topic,
 * and the produce → outbound latency with ingest running at half its measured maximum.
 */
const BACKLOG = Number(process.env.BENCH_RELAY_EVENTS ?? 200_000);
const LATENCY_SECONDS = Number(process.env.BENCH_RELAY_SECONDS ?? 60);
/** Produced at the same rate before the measured window: start-up, JIT and group joins. */
const WARM_UP_SECONDS = Number(process.env.BENCH_RELAY_WARM_UP_SECONDS ?? 5);

/**
 * Where the relay runs in the latency run: inside ingest, as `npm start` runs it (the default
 * deployment, and issue 15's latency target), or, with BENCH_RELAY_LAYOUT=process, as a process of
 * its own beside ingest (docker-compose).
 */
const RELAY_IN_OWN_PROCESS = process.env.BENCH_RELAY_LAYOUT === 'process';

/**
 * Half the newest ingest maximum in bench/results for the same layout: the most the whole path
 * sustains on this machine. Else BENCH_RELAY_RATE, else 2,000/s.
 */
function latencyRate(): { rate: number; basis: string } {
  if (process.env.BENCH_RELAY_RATE) return { rate: Number(process.env.BENCH_RELAY_RATE), basis: 'BENCH_RELAY_RATE' };
  const dir = join(PROJECT_ROOT, 'bench', 'results');
  // The ingest bench's row for this layout (ingest.bench.ts names them).
  const layoutRow = RELAY_IN_OWN_PROCESS ? 'relay as a process of its own' : 'relay inside ingest';
  for (const file of readdirSync(dir).filter((f) => f.endsWith('.json')).sort().reverse()) {
    // Soak reports share the folder and have no `results`.
    const results = (JSON.parse(readFileSync(join(dir, file), 'utf8')).results ?? []) as { name: string; rows: Record<string, unknown>[] }[];
    const row = results.find((r) => r.name.startsWith('ingest:'))?.rows.find((r) => String(r.system).includes(layoutRow));
    if (row) return { rate: Math.round(Number(row['events/s']) / 2), basis: `half of ingest's ${row['events/s']}/s with the ${layoutRow}, in ${file}` };
  }
  return { rate: 2000, basis: 'default (no ingest result yet)' };
}

async function relayBacklog(kafka: Kafka): Promise<{ ms: number }> {
  const url = await freshDatabase('eventlog_bench_relay');
  const db = new Client({ connectionString: url });
  await db.connect();
  await db.query(
    `INSERT INTO events (position, tenant, id, stream, version, type, data, metadata, node_id, occurred_at)
     SELECT i, 'default', 'r-' || i, 'stream-' || (i % 10000), i / 10000 + 1, 'Type' || (i % 20),
            jsonb_build_object('seq', i, 'note', repeat('x', 820)), '{}', 'r-' || i, now()
       FROM generate_series(1, $1::int) AS i`,
    [BACKLOG],
  );
  await db.query(
    `INSERT INTO streams SELECT 'default', stream, max(version), min(occurred_at), max(occurred_at) FROM events GROUP BY stream`,
  );
  await db.query('UPDATE event_position SET last = $1, recorded_at = (SELECT max(recorded_at) FROM events)', [BACKLOG]);
  const topic = `bench.relay.${uniqueSuffix()}`;
  const started = Date.now();
  const relay = await AppProcess.start('relay', 'bench-relay', {
    DATABASE_URL: url,
    INGEST_TOPICS: `${topic}.in`,
    DLQ_TOPIC: `${topic}.dlq`,
    OUTBOUND_TOPIC: `${topic}.out`,
    LOG_LEVEL: 'warn',
  });
  for (;;) {
    const { rows } = await db.query('SELECT coalesce(max(position), 0) AS p FROM relay_checkpoint');
    if (Number(rows[0].p) >= BACKLOG) break;
    await new Promise((r) => setTimeout(r, 100));
  }
  const ms = Date.now() - started;
  await relay.stop();
  await db.end();
  const admin = kafka.admin();
  await admin.connect();
  await admin.deleteTopics({ topics: [`${topic}.in`, `${topic}.dlq`, `${topic}.out`] }).catch(() => undefined);
  await admin.disconnect();
  return { ms };
}

interface Latency {
  /** Produce → appended to the outbound topic (the broker's LogAppendTime). */
  total: number;
  /** Produce → recorded in Postgres, and recorded → appended to the outbound topic. */
  toRecorded: number;
  toOutbound: number;
  /** Produced during the warm-up, and left out of the steady-state figures. */
  warmUp: boolean;
}

/**
 * Produces at `rate` for a warm-up and then for LATENCY_SECONDS, with ingest and the relay in the
 * layout chosen above; then reads the outbound topic back. The outbound topic is made with
 * LogAppendTime, so each record's timestamp is the moment the broker appended it: no subscriber
 * needs to run beside the system under test (on these 2 cores a live reader's fetching and parsing
 * competed with it for CPU), and the latency is produce → on the outbound topic, which is what a
 * subscriber anywhere can see; its own fetch wait comes on top.
 */
type LatencyEnv = Record<'DATABASE_URL' | 'INGEST_TOPICS' | 'INGEST_GROUP_ID' | 'DLQ_TOPIC' | 'OUTBOUND_TOPIC' | 'LOG_LEVEL', string>;

async function createLatencyTopics(admin: Admin, env: LatencyEnv): Promise<void> {
  await admin.createTopics({
    waitForLeaders: true,
    topics: [
      { topic: env.INGEST_TOPICS, numPartitions: 12 },
      {
        topic: env.OUTBOUND_TOPIC,
        numPartitions: 12,
        configEntries: [
          { name: 'message.timestamp.type', value: 'LogAppendTime' },
          { name: 'max.message.bytes', value: String(recordBytesFor(1024 * 1024)) },
        ],
      },
    ],
  });
}

/**
 * The load, from kcat (librdkafka), as from any non-Node service: kafkajs producing the same rate
 * took about half a core of the two that the system under test runs on. Returns how many events
 * were produced and each process's CPU over the measured window.
 */
async function produceWithKcat(topic: string, rate: number, window: { begin: number; measureFrom: number; end: number }, pids: { ingest?: number; relay?: number }) {
  const producer = spawn('kcat', ['-P', '-b', KAFKA_BROKERS, '-t', topic, '-K', '\t', '-X', 'acks=all', '-X', 'linger.ms=5'], {
    stdio: ['pipe', 'ignore', 'inherit'],
  });
  const exited = new Promise<number | null>((resolve) => producer.on('exit', resolve));
  // Paced in 20 ms ticks, as a steady stream of producers would send; a tick that ran long is made
  // up in the next, so the rate holds on average. sentAt is when the tick's lines are handed to kcat.
  const tick = 20;
  let produced = 0;
  const { begin, measureFrom, end } = window;
  // The lines are spelled out rather than JSON.stringify'd: the generator shares the 2 cores with
  // the system under test, and its ids and stream names need no escaping.
  const note = 'x'.repeat(800);
  // Every process on the shared cores, read at the start and the end of the measured window: the
  // broker is the only JVM here, and every Postgres backend counts.
  const groups = {
    ingest: (pid: number) => pid === pids.ingest,
    relay: (pid: number) => pid === pids.relay,
    broker: (_pid: number, comm: string) => comm === 'java',
    postgres: (_pid: number, comm: string) => comm === 'postgres',
    kcat: (pid: number) => pid === producer.pid,
    'this bench': (pid: number) => pid === process.pid,
  };
  // Without /proc there is no reading; trying again each tick is cheap and finds none either.
  let cpuFrom: CpuReading | undefined;
  while (Date.now() < end) {
    const started = Date.now();
    if (!cpuFrom && started >= measureFrom) cpuFrom = readCpu(groups);
    const due = Math.max(1, Math.round(((started - begin + tick) * rate) / 1000) - produced);
    let lines = '';
    for (let n = 0; n < due; n++) {
      const i = produced++;
      const stream = `stream-${i % 1000}`;
      lines += `${stream}\t{"id":"l-${i}","stream":"${stream}","type":"Tick","data":{"sentAt":${started},"note":"${note}"}}\n`;
    }
    if (!producer.stdin.write(lines)) await new Promise((r) => producer.stdin.once('drain', r));
    await new Promise((r) => setTimeout(r, Math.max(0, tick - (Date.now() - started))));
  }
  const cpuTo = readCpu(groups);
  const cpu = cpuFrom && cpuTo ? cpuShares(cpuFrom, cpuTo) : undefined;
  producer.stdin.end();
  if ((await exited) !== 0) throw new Error('kcat failed to produce the load');
  return { produced, cpu };
}

/** Waits (up to 2 min) until the relay's checkpoint has passed every produced event. */
async function waitRelayed(url: string, produced: number): Promise<void> {
  const db = new Client({ connectionString: url });
  await db.connect();
  const deadline = Date.now() + 120_000;
  while (Date.now() < deadline) {
    const { rows } = await db.query('SELECT coalesce(max(position), 0) AS p FROM relay_checkpoint');
    if (Number(rows[0].p) >= produced) break;
    await new Promise((r) => setTimeout(r, 100));
  }
  await db.end();
}

/** Read back after the run; the relay publishes at least once, so a position seen twice counts once. */
async function readLatencies(kafka: Kafka, groupId: string, topic: string, produced: number, measureFrom: number): Promise<Latency[]> {
  const byPosition = new Map<string, Latency>();
  const consumer = kafka.consumer({ groupId });
  await consumer.connect();
  await consumer.subscribe({ topic, fromBeginning: true });
  await consumer.run({
    eachMessage: async ({ message }) => {
      const event = JSON.parse(message.value!.toString()) as { position: number; data: { sentAt: number }; recordedAt: string };
      const appended = Number(message.timestamp);
      const recordedAt = Date.parse(event.recordedAt);
      const sentAt = event.data.sentAt;
      if (!byPosition.has(String(event.position))) {
        byPosition.set(String(event.position), { total: appended - sentAt, toRecorded: recordedAt - sentAt, toOutbound: appended - recordedAt, warmUp: sentAt < measureFrom });
      }
    },
  });
  const readDeadline = Date.now() + 60_000;
  while (byPosition.size < produced && Date.now() < readDeadline) await new Promise((r) => setTimeout(r, 100));
  await consumer.disconnect();
  return [...byPosition.values()];
}

async function endToEndLatency(kafka: Kafka, rate: number): Promise<{ latencies: Latency[]; produced: number; cpu?: string }> {
  const url = await freshDatabase('eventlog_bench_relay_latency');
  const topic = `bench.latency.${uniqueSuffix()}`;
  const env: LatencyEnv = {
    DATABASE_URL: url,
    INGEST_TOPICS: `${topic}.in`,
    INGEST_GROUP_ID: `${topic}.group`,
    DLQ_TOPIC: `${topic}.dlq`,
    OUTBOUND_TOPIC: `${topic}.out`,
    LOG_LEVEL: 'warn',
  };
  const admin = kafka.admin();
  await admin.connect();
  await createLatencyTopics(admin, env);
  const relay = RELAY_IN_OWN_PROCESS ? await AppProcess.start('relay', 'bench-latency-relay', env) : undefined;
  const ingest = await AppProcess.start('ingest', 'bench-latency', { ...env, INGEST_RUNS_RELAY: String(!RELAY_IN_OWN_PROCESS) });
  const begin = Date.now();
  const measureFrom = begin + WARM_UP_SECONDS * 1000;
  const window = { begin, measureFrom, end: measureFrom + LATENCY_SECONDS * 1000 };
  const { produced, cpu } = await produceWithKcat(env.INGEST_TOPICS, rate, window, { ingest: ingest.pid, relay: relay?.pid });
  await waitRelayed(url, produced);
  await ingest.stop();
  await relay?.stop();
  const latencies = await readLatencies(kafka, `${topic}.reader`, env.OUTBOUND_TOPIC, produced, measureFrom);
  await admin.deleteTopics({ topics: [env.INGEST_TOPICS, env.DLQ_TOPIC, env.OUTBOUND_TOPIC] }).catch(() => undefined);
  await admin.disconnect();
  return { latencies, produced, cpu };
}

export const run: Scenario = async () => {
  const kafka = new Kafka({ brokers: KAFKA_BROKERS.split(','), logLevel: logLevel.NOTHING });
  const backlog = await relayBacklog(kafka);
  const { rate, basis } = latencyRate();
  const { latencies, produced, cpu } = await endToEndLatency(kafka, rate);
  const steady = latencies.filter((l) => !l.warmUp);
  const total = steady.map((l) => l.total);
  const toRecorded = steady.map((l) => l.toRecorded);
  const toOutbound = steady.map((l) => l.toOutbound);
  const warmUp = latencies.filter((l) => l.warmUp).map((l) => l.total);
  const relayRate = Math.round((BACKLOG / backlog.ms) * 1000);
  return {
    name: `relay: ${BACKLOG}-event backlog to the outbound topic; produce → outbound latency at ${rate} events/s for ${LATENCY_SECONDS} s after a ${WARM_UP_SECONDS} s warm-up`,
    rows: [
      { measure: 'relay throughput (Postgres → outbound, events/s)', value: relayRate },
      { measure: 'end-to-end latency p50 (ms)', value: quantile(total, 0.5) },
      { measure: 'end-to-end latency p99 (ms)', value: quantile(total, 0.99) },
      { measure: 'end-to-end latency max (ms)', value: total.reduce((a, b) => Math.max(a, b), 0) },
      { measure: 'of which produce → recorded in Postgres, p50 / p99 (ms)', value: `${quantile(toRecorded, 0.5)} / ${quantile(toRecorded, 0.99)}` },
      { measure: 'of which recorded → on the outbound topic, p50 / p99 (ms)', value: `${quantile(toOutbound, 0.5)} / ${quantile(toOutbound, 0.99)}` },
      { measure: 'warm-up (first seconds from process start) p50 / p99 (ms)', value: `${quantile(warmUp, 0.5)} / ${quantile(warmUp, 0.99)}` },
    ],
    notes: [
      `latency rate: ${basis}`,
      `${produced} produced (${Math.round(produced / (LATENCY_SECONDS + WARM_UP_SECONDS))}/s), ${latencies.length} distinct positions on the outbound topic; ${steady.length} in the measured window`,
      'latency ends at the broker\'s LogAppendTime on the outbound topic, read back after the run (no live reader on the same cores)',
      `backlog: ${backlog.ms} ms from relay process start (including start-up) to the checkpoint reaching ${BACKLOG}`,
      RELAY_IN_OWN_PROCESS
        ? 'layout: ingest (INGEST_RUNS_RELAY=false) and the relay as separate processes, as docker-compose runs them (BENCH_RELAY_LAYOUT=process)'
        : 'layout: the relay inside ingest, as `npm start` runs it (the default deployment; BENCH_RELAY_LAYOUT=process for docker-compose\'s)',
      'backlog: the relay as a process of its own, reading from Postgres (nothing was appended in its process)',
      `CPU in the measured window, of one core (${cpus().length} here): ${cpu ?? 'not measured (no /proc)'}`,
      'load: kcat (librdkafka, acks=all, linger.ms=5), fed by the bench every 20 ms; sentAt is when its 20 ms tick went to kcat',
    ],
  };
};
