import { spawn } from 'node:child_process';
import { cpus } from 'node:os';
import { monitorEventLoopDelay } from 'node:perf_hooks';
import { cpuPerThousand, cpuShares, CpuReading, readCpu } from './lib/cpu-usage';
import { Kafka, logLevel } from 'kafkajs';
import WebSocket from 'ws';
import { AppProcess, KAFKA_BROKERS, uniqueSuffix } from '@eventlog/testing';
import { freshDatabase } from './lib/bench-database';
import { quantile, Scenario } from './lib/scenario';

/*
 * Issue 16's WebSocket figures: SUBSCRIBERS sockets on /v1/ws of one query process, each following
 * one stream (FANOUT subscribers per stream), while events are produced to Kafka at RATE per second:
 * the events delivered per second and the record → client latency (recordedAt, Postgres's commit
 * clock, to the message's arrival in this process, on the same machine). Target: p99 ≤ 250 ms.
 */
const SUBSCRIBERS = Number(process.env.BENCH_WS_SUBSCRIBERS ?? 1000);
const FANOUT = Number(process.env.BENCH_WS_FANOUT ?? 4);
const RATE = Number(process.env.BENCH_WS_RATE ?? 2000);
const SECONDS = Number(process.env.BENCH_WS_SECONDS ?? 30);
const WARM_UP_SECONDS = Number(process.env.BENCH_WS_WARM_UP_SECONDS ?? 5);

const streamOf = (i: number) => `stream-${i % Math.max(1, Math.floor(SUBSCRIBERS / FANOUT))}`;

interface Delivery {
  /** recordedAt → arrival here, and sentAt (handed to kcat) → arrival. */
  fromRecorded: number;
  fromSent: number;
  sentAt: number;
}

async function openSubscribers(url: string, deliveries: Delivery[]): Promise<WebSocket[]> {
  const sockets: WebSocket[] = [];
  for (let i = 0; i < SUBSCRIBERS; i += 50) {
    const batch = Array.from({ length: Math.min(50, SUBSCRIBERS - i) }, (_, j) => {
      const socket = new WebSocket(url);
      sockets.push(socket);
      return new Promise<void>((resolve, reject) => {
        socket.once('error', reject);
        socket.once('open', () => socket.send(JSON.stringify({ event: 'subscribe', data: { stream: streamOf(i + j) } })));
        socket.on('message', (raw: Buffer) => {
          const arrived = Date.now();
          const { event, data } = JSON.parse(raw.toString());
          if (event === 'subscribed') return resolve();
          if (event !== 'event') return;
          deliveries.push({ fromRecorded: arrived - Date.parse(data.recordedAt), fromSent: arrived - data.data.sentAt, sentAt: data.data.sentAt });
        });
      });
    });
    await Promise.all(batch);
  }
  return sockets;
}

/** Produces RATE events per second through kcat (librdkafka) in 20 ms ticks until `end`. */
async function produce(topic: string, begin: number, end: number): Promise<number> {
  const kcat = spawn('kcat', ['-P', '-b', KAFKA_BROKERS, '-t', topic, '-K', '\t', '-X', 'acks=all', '-X', 'linger.ms=5'], { stdio: ['pipe', 'ignore', 'inherit'] });
  const exited = new Promise<number | null>((resolve) => kcat.on('exit', resolve));
  let produced = 0;
  while (Date.now() < end) {
    const started = Date.now();
    const due = Math.max(1, Math.round(((started - begin + 20) * RATE) / 1000) - produced);
    let lines = '';
    for (let n = 0; n < due; n++) {
      const i = produced++;
      const stream = streamOf(i);
      lines += `${stream}\t{"id":"w-${i}","stream":"${stream}","type":"Tick","data":{"sentAt":${started}}}\n`;
    }
    if (!kcat.stdin.write(lines)) await new Promise((r) => kcat.stdin.once('drain', r));
    await new Promise((r) => setTimeout(r, Math.max(0, 20 - (Date.now() - started))));
  }
  kcat.stdin.end();
  if ((await exited) !== 0) throw new Error('kcat failed to produce the load');
  return produced;
}

export const run: Scenario = async () => {
  const url = await freshDatabase('eventlog_bench_ws');
  const topic = `bench.ws.${uniqueSuffix()}`;
  const env = { DATABASE_URL: url, INGEST_TOPICS: `${topic}.in`, INGEST_GROUP_ID: `${topic}.group`, DLQ_TOPIC: `${topic}.dlq`, OUTBOUND_TOPIC: `${topic}.out`, LOG_LEVEL: 'warn' };
  const kafka = new Kafka({ brokers: KAFKA_BROKERS.split(','), logLevel: logLevel.NOTHING });
  const admin = kafka.admin();
  await admin.connect();
  await admin.createTopics({ waitForLeaders: true, topics: [{ topic: env.INGEST_TOPICS, numPartitions: 12 }] });
  const ingest = await AppProcess.start('ingest', 'bench-ws-ingest', { ...env, INGEST_RUNS_RELAY: 'false' });
  const query = await AppProcess.start('query', 'bench-ws-query', { ...env, QUERY_GROUP_ID: `${topic}.query`, QUERY_TOPIC_PREFIX: `${topic}.` });
  const deliveries: Delivery[] = [];
  const sockets = await openSubscribers(`ws://127.0.0.1:${query.port}/v1/ws`, deliveries);
  const begin = Date.now();
  const measureFrom = begin + WARM_UP_SECONDS * 1000;
  // Where the cores went in the measured window: the subscribers are this bench process (kcat has
  // exited by the second reading, so its share cannot be read this way).
  const groups = {
    query: (pid: number) => pid === query.pid,
    ingest: (pid: number) => pid === ingest.pid,
    broker: (_pid: number, comm: string) => comm === 'java',
    postgres: (_pid: number, comm: string) => comm === 'postgres',
    'subscribers (this bench)': (pid: number) => pid === process.pid,
  };
  let cpuFrom: CpuReading | undefined;
  // A message waits for the subscribers' event loop before it is timed: that wait is counted.
  const loopDelay = monitorEventLoopDelay({ resolution: 10 });
  let deliveredFrom = 0;
  const cpuTimer = setTimeout(() => {
    cpuFrom = readCpu(groups);
    deliveredFrom = deliveries.length;
    loopDelay.enable();
  }, WARM_UP_SECONDS * 1000);
  const produced = await produce(env.INGEST_TOPICS, begin, measureFrom + SECONDS * 1000);
  clearTimeout(cpuTimer);
  const cpuTo = readCpu(groups);
  const deliveredInWindow = deliveries.length - deliveredFrom;
  loopDelay.disable();
  // Every produced event goes to FANOUT subscribers; wait (up to 60 s) for the last of them.
  const expected = produced * FANOUT;
  const deadline = Date.now() + 60_000;
  while (deliveries.length < expected && Date.now() < deadline) await new Promise((r) => setTimeout(r, 100));
  sockets.forEach((s) => s.terminate());
  await query.stop();
  await ingest.stop();
  await admin.deleteTopics({ topics: [env.INGEST_TOPICS, env.DLQ_TOPIC, env.OUTBOUND_TOPIC, `${topic}.query.reply`] }).catch(() => undefined);
  await admin.disconnect();

  const steady = deliveries.filter((d) => d.sentAt >= measureFrom);
  const fromRecorded = steady.map((d) => d.fromRecorded);
  const fromSent = steady.map((d) => d.fromSent);
  return {
    name: `ws: ${SUBSCRIBERS} subscribers on /v1/ws (${FANOUT} per stream), ${RATE} events/s produced for ${SECONDS} s after a ${WARM_UP_SECONDS} s warm-up`,
    rows: [
      { measure: 'events delivered to subscribers (per s, measured window)', value: Math.round(steady.length / SECONDS) },
      { measure: 'record → client latency p50 (ms)', value: quantile(fromRecorded, 0.5) },
      { measure: 'record → client latency p99 (ms), target ≤ 250', value: quantile(fromRecorded, 0.99) },
      { measure: 'record → client latency max (ms)', value: fromRecorded.reduce((a, b) => Math.max(a, b), 0) },
      { measure: 'produce → client latency p50 / p99 (ms)', value: `${quantile(fromSent, 0.5)} / ${quantile(fromSent, 0.99)}` },
      { measure: "subscribers' event-loop delay p99 (ms, measured window)", value: Math.round(loopDelay.percentile(99) / 1e6) },
      {
        measure: 'query CPU per 1,000 messages delivered (ms, measured window)',
        value: cpuFrom && cpuTo && deliveredInWindow ? cpuPerThousand(cpuFrom, cpuTo, deliveredInWindow).query : 'not measured',
      },
      { measure: 'deliveries received / expected (all windows)', value: `${deliveries.length} / ${expected}` },
    ],
    notes: [
      'record → client: recordedAt (ingest\'s commit, Postgres clock) to the message\'s arrival in the bench process (same machine, same clock)',
      'one query process serves every socket; its hub reads each append\'s new events once and hands them to the matching subscriptions (docs/decisions/029)',
      'load: kcat (librdkafka, acks=all, linger.ms=5), one small event per line; the subscribers run in the bench process, on the same 2 cores',
      `CPU in the measured window, of one core (${cpus().length} here): ${cpuFrom && cpuTo ? cpuShares(cpuFrom, cpuTo) : 'not measured (no /proc)'}`,
    ],
  };
};
