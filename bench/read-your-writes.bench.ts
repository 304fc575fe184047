import { Kafka, logLevel } from 'kafkajs';
import { ensureTopics } from '@eventlog/kafka';
import { Client } from 'pg';
import { AppProcess, KAFKA_BROKERS, uniqueSuffix } from '@eventlog/testing';
import { freshDatabase } from './lib/bench-database';
import { quantile, Scenario } from './lib/scenario';

/*
 * Issue 17's read-your-writes figure: what `after=` and `minPosition` add to a point read
 * (GET /v1/events/{id}) when what they name is already durable, the common case of a reader that
 * wrote a while ago. Ingest and the query app run as processes; one client sends the three kinds
 * of read in turn, so that drift of the machine hits each alike. BENCH_RYW_EVENTS and
 * BENCH_RYW_READS scale it down for a quick run.
 */
const EVENTS = Number(process.env.BENCH_RYW_EVENTS ?? 5000);
const READS = Number(process.env.BENCH_RYW_READS ?? 3000);
const PARTITIONS = 6;

interface Written {
  id: string;
  after: string;
  position: number;
}

export const run: Scenario = async () => {
  const url = await freshDatabase('eventlog_bench_ryw');
  const topic = `bench.ryw.${uniqueSuffix()}`;
  const env = { DATABASE_URL: url, INGEST_TOPICS: `${topic}.in`, DLQ_TOPIC: `${topic}.dlq`, OUTBOUND_TOPIC: `${topic}.out`, INGEST_GROUP_ID: `${topic}.group`, LOG_LEVEL: 'warn' };
  const kafka = new Kafka({ clientId: 'bench-ryw', brokers: KAFKA_BROKERS.split(','), logLevel: logLevel.NOTHING });
  const admin = kafka.admin();
  await admin.connect();
  await ensureTopics(admin, [{ topic: env.INGEST_TOPICS, numPartitions: PARTITIONS }]);
  const ingest = await AppProcess.start('ingest', 'bench-ryw-ingest', { ...env, INGEST_RUNS_RELAY: 'false', TOPIC_PARTITIONS: String(PARTITIONS) });
  const query = await AppProcess.start('query', 'bench-ryw-query', { ...env, QUERY_GROUP_ID: `${topic}.query`, QUERY_TOPIC_PREFIX: `${topic}.`, TOPIC_PARTITIONS: String(PARTITIONS) });
  const db = new Client({ connectionString: url });
  await db.connect();
  try {
    const producer = kafka.producer();
    await producer.connect();
    for (let i = 0; i < EVENTS; i += 500) {
      const messages = Array.from({ length: Math.min(500, EVENTS - i) }, (_, k) => {
        const n = i + k;
        return { key: `s-${n % 100}`, value: JSON.stringify({ id: `ryw-${n}`, stream: `s-${n % 100}`, type: 'Written', data: { n } }) };
      });
      await producer.send({ topic: env.INGEST_TOPICS, acks: -1, messages });
    }
    await producer.disconnect();
    // Durable, and recorded as such: the reads below name only what has long been written.
    for (;;) {
      const { rows } = await db.query<{ n: string; durable: string }>(
        "SELECT (SELECT count(*) FROM events) AS n, (SELECT coalesce(sum(next_offset), 0) FROM ingest_offsets) AS durable",
      );
      if (Number(rows[0].n) >= EVENTS && Number(rows[0].durable) >= EVENTS) break;
      await new Promise((r) => setTimeout(r, 200));
    }
    const { rows } = await db.query<{ id: string; topic: string; partition: number; offset: string; position: string }>(
      'SELECT id, kafka_topic AS topic, kafka_partition AS partition, kafka_offset AS offset, position FROM events',
    );
    const written: Written[] = rows.map((r) => ({ id: r.id, after: `${r.topic}:${r.partition}:${r.offset}`, position: Number(r.position) }));

    const kinds = {
      plain: (w: Written) => `/v1/events/${w.id}`,
      after: (w: Written) => `/v1/events/${w.id}?after=${encodeURIComponent(w.after)}`,
      minPosition: (w: Written) => `/v1/events/${w.id}?minPosition=${w.position}`,
    };
    const timings: Record<keyof typeof kinds, number[]> = { plain: [], after: [], minPosition: [] };
    const read = async (path: string) => {
      const started = process.hrtime.bigint();
      const res = await fetch(query.url + path);
      await res.arrayBuffer();
      if (res.status !== 200) throw new Error(`${path}: ${res.status}`);
      return Number(process.hrtime.bigint() - started) / 1e6;
    };
    // Warm-up: JIT, the pool's connections, the waiter's first look at each partition.
    for (let i = 0; i < Math.min(300, READS); i++) for (const path of Object.values(kinds)) await read(path(written[i % written.length]));
    for (let i = 0; i < READS; i++) {
      const w = written[(i * 7919) % written.length];
      for (const [kind, path] of Object.entries(kinds)) timings[kind as keyof typeof kinds].push(await read(path(w)));
    }

    const p50 = (k: keyof typeof kinds) => quantile(timings[k], 0.5);
    const row = (k: keyof typeof kinds) => ({
      read: k === 'plain' ? 'GET /v1/events/{id}' : `GET /v1/events/{id}?${k}=…`,
      reads: timings[k].length,
      'p50 ms': p50(k).toFixed(2),
      'p99 ms': quantile(timings[k], 0.99).toFixed(2),
      'added at p50 ms': k === 'plain' ? '' : (p50(k) - p50('plain')).toFixed(2),
    });
    return {
      name: `ryw: point reads with after= / minPosition naming what is already durable (${EVENTS} events, one client)`,
      rows: [row('plain'), row('after'), row('minPosition')],
      notes: [
        'target: at most 5 ms added at p50',
        'the query app remembers the durable offsets and position it has seen, so such a read costs no query; the first read of a partition costs one',
      ],
    };
  } finally {
    await db.end();
    await query.stop();
    await ingest.stop();
    await admin.deleteTopics({ topics: [env.INGEST_TOPICS, env.DLQ_TOPIC, env.OUTBOUND_TOPIC] }).catch(() => undefined);
    await admin.disconnect();
  }
};
