import { Agent, request } from 'node:http';
import { Client, Pool } from 'pg';
import { AppProcess, uniqueSuffix } from '@eventlog/testing';
import { backendsOf, freshDatabase, waitForRelayed } from './lib/bench-database';
import { CpuReading, readCpu } from './lib/cpu-usage';
import { quantile, Scenario } from './lib/scenario';

/*
 * Issue 16's enroll target: 8 workers claiming jobs through POST /v1/enroll, at least 500 claims/s,
 * with the p99 of a claim. For decision 028, the same workers then append through the Kafka write
 * path (POST /v1/events?wait=true with expectedVersion no_stream): what a claim would cost if it
 * went through ingest instead of the store's append.
 */
const SOURCES = Number(process.env.BENCH_ENROLL_SOURCES ?? 20_000);
/** Events of other types around the sources, so the search walks an index, not the whole table. */
const OTHER_EVENTS = Number(process.env.BENCH_ENROLL_OTHER_EVENTS ?? 200_000);
const WORKERS = Number(process.env.BENCH_ENROLL_WORKERS ?? 8);
const KAFKA_PATH_CALLS = Number(process.env.BENCH_ENROLL_KAFKA_CALLS ?? 2_000);
const TARGET_PER_SECOND = 500;
/** The window in which the query app's CPU with no requests is read. */
const IDLE_MS = 3000;

interface Measured {
  calls: number;
  ms: number;
  latencies: number[];
  /** CPU seconds per process group (CPU_GROUPS) over the run, if /proc tells. */
  cpu?: Record<string, number>;
}

/** Where a claim's CPU goes: the query app, the bench database's Postgres backends, ingest (its relay publishes the claims), and this process (the workers' HTTP client). */
const CPU_GROUPS = ['query', 'postgres', 'ingest', 'bench'] as const;

/** `workers` loops calling `call` until it says there is no more work; each call's latency kept. */
async function measure(workers: number, call: (worker: number) => Promise<boolean>, cpuOf?: () => Promise<CpuReading | undefined>): Promise<Measured> {
  const latencies: number[] = [];
  const cpuBefore = await cpuOf?.();
  const started = performance.now();
  await Promise.all(
    Array.from({ length: workers }, async (_, w) => {
      for (;;) {
        const t = performance.now();
        const more = await call(w);
        latencies.push(performance.now() - t);
        if (!more) return;
      }
    }),
  );
  const ms = performance.now() - started;
  const cpuAfter = await cpuOf?.();
  const cpu = cpuBefore && cpuAfter ? Object.fromEntries(CPU_GROUPS.map((g) => [g, cpuAfter.used[g] - cpuBefore.used[g]])) : undefined;
  return { calls: latencies.length, ms, latencies, cpu };
}

/** How many append transactions wrote the claims: the claims of one transaction share its recorded_at. */
async function claimTransactions(url: string): Promise<number> {
  const db = new Client({ connectionString: url });
  await db.connect();
  try {
    const { rows } = await db.query<{ n: number }>(`SELECT count(DISTINCT recorded_at)::int AS n FROM events WHERE type = 'Deploy'`);
    return rows[0].n;
  } finally {
    await db.end();
  }
}

/**
 * POSTs JSON over kept-alive connections with node:http: the workers' client costs this process a
 * fraction of what fetch (undici) does, and this process shares the two cores with the service.
 */
function poster(baseUrl: string): (path: string, body: unknown) => Promise<{ status: number }> {
  const agent = new Agent({ keepAlive: true, maxSockets: WORKERS });
  return (path, body) =>
    new Promise((resolve, reject) => {
      const payload = JSON.stringify(body);
      const req = request(`${baseUrl}${path}`, { method: 'POST', agent, headers: { 'content-type': 'application/json', 'content-length': Buffer.byteLength(payload) } }, (res) => {
        res.on('data', () => undefined);
        res.on('end', () => resolve({ status: res.statusCode ?? 0 }));
        res.on('error', reject);
      });
      req.on('error', reject);
      req.end(payload);
    });
}

async function seed(url: string) {
  const db = new Client({ connectionString: url });
  await db.connect();
  try {
    // Every 11th event a source, the rest other types, in streams of 100 events.
    const total = SOURCES + OTHER_EVENTS;
    const every = Math.max(1, Math.floor(total / SOURCES));
    await db.query(
      `INSERT INTO events (position, tenant, id, stream, version, type, data, metadata, request_id, node_id, occurred_at)
       SELECT i, 'default', 'ev-' || i, 'pipeline-' || ((i - 1) / 100), (i - 1) % 100 + 1,
              CASE WHEN i % $2 = 0 AND i / $2 <= $3 THEN 'BuildFinished' ELSE 'Other' || (i % 7) END,
              jsonb_build_object('n', i), '{}', 'req-' || i, 'ev-' || i, now()
         FROM generate_series(1, $1::int) AS i`,
      [total, every, SOURCES],
    );
    await db.query(`INSERT INTO streams SELECT tenant, stream, max(version), min(occurred_at), max(occurred_at) FROM events GROUP BY tenant, stream`);
    await db.query(`UPDATE event_position SET last = (SELECT max(position) FROM events)`);
    await db.query('ANALYZE events');
    const { rows } = await db.query<{ n: number }>(`SELECT count(*)::int AS n FROM events WHERE type = 'BuildFinished'`);
    return rows[0].n;
  } finally {
    await db.end();
  }
}

export const run: Scenario = async () => {
  const url = await freshDatabase('eventlog_bench_enroll');
  const sources = await seed(url);
  const prefix = `bench.${uniqueSuffix()}.`;
  const env = {
    DATABASE_URL: url,
    QUERY_GROUP_ID: `${prefix}query`,
    QUERY_TOPIC_PREFIX: prefix,
    INGEST_TOPICS: `${prefix}ingest`,
    DLQ_TOPIC: `${prefix}dlq`,
    OUTBOUND_TOPIC: `${prefix}events`,
    INGEST_GROUP_ID: `${prefix}ingest`,
    TOPIC_PARTITIONS: '8',
    LOG_LEVEL: 'warn',
  };
  // Ingest (with the relay) runs as deployed: claims are relayed to the outbound topic meanwhile.
  const ingest = await AppProcess.start('ingest', 'bench-enroll-ingest', env);
  // A query app that never gets ready must not leave ingest running behind the failed run.
  const query = await AppProcess.start('query', 'bench-enroll-query', env).catch(async (err: unknown) => {
    await ingest.stop();
    throw err;
  });
  const post = poster(query.url);
  try {
    // The seeded events are published by the relay first: that backlog is not the claims' cost.
    const pool = new Pool({ connectionString: url, max: 1 });
    await waitForRelayed(pool, SOURCES + OTHER_EVENTS).finally(() => pool.end());
    // The backends are listed at each reading: the pools open connections as the load needs them.
    const cpuOf = async () => {
      const backends = await backendsOf(url);
      return readCpu({
        query: (pid) => pid === query.pid,
        postgres: (pid) => backends.has(pid),
        ingest: (pid) => pid === ingest.pid,
        bench: (pid) => pid === process.pid,
      });
    };
    // What each process spends with no claim at all (the apps' Kafka consumers polling), per second.
    const idleBefore = await cpuOf();
    await new Promise((resolve) => setTimeout(resolve, IDLE_MS));
    const idleAfter = await cpuOf();
    let claimed = 0;
    const enroll = await measure(WORKERS, async (w) => {
      const res = await post('/v1/enroll', { sourceType: 'BuildFinished', targetType: 'Deploy', sender: `worker-${w}` });
      if (res.status !== 201 && res.status !== 204) throw new Error(`enroll answered ${res.status}`);
      if (res.status === 201) claimed++;
      return res.status === 201;
    }, cpuOf);
    if (claimed !== sources) throw new Error(`${claimed} claims for ${sources} sources`);
    const transactions = await claimTransactions(url);

    let published = 0;
    const viaKafka = await measure(WORKERS, async () => {
      if (published >= KAFKA_PATH_CALLS) return false;
      published++;
      const stream = `kafka-path-${uniqueSuffix()}-${published}`;
      const res = await post('/v1/events?wait=true', { stream, type: 'Deploy', status: 'running', expectedVersion: 'no_stream' });
      if (res.status !== 201) throw new Error(`publish with wait answered ${res.status}`);
      return true;
    });

    const row = (path: string, m: Measured, calls: number) => {
      const perSecond = (calls / m.ms) * 1000;
      return {
        path,
        workers: WORKERS,
        appends: calls,
        'appends/s': Math.round(perSecond),
        'p50 ms': quantile(m.latencies, 0.5).toFixed(1),
        'p99 ms': quantile(m.latencies, 0.99).toFixed(1),
        'max ms': Math.max(...m.latencies).toFixed(1),
      };
    };
    const enrollRow = row('POST /v1/enroll (claims; the store’s append)', enroll, claimed);
    const perClaim = (seconds: number) => ((seconds / claimed) * 1000).toFixed(2);
    const cpu = enroll.cpu;
    const idle = idleBefore && idleAfter ? Object.fromEntries(CPU_GROUPS.map((g) => [g, (idleAfter.used[g] - idleBefore.used[g]) / (IDLE_MS / 1000)])) : undefined;
    // Net: less what each process spends per second with no claims (the apps' Kafka consumers
    // polling), which a run slowed by a busy machine would otherwise charge to its claims.
    const net = (g: (typeof CPU_GROUPS)[number]) => (cpu![g] - (idle?.[g] ?? 0) * (enroll.ms / 1000));
    const sum = (f: (g: (typeof CPU_GROUPS)[number]) => number) => CPU_GROUPS.reduce((total, g) => total + f(g), 0);
    const cpuNote = cpu
      ? `CPU per claim: ${CPU_GROUPS.map((g) => `${g} ${perClaim(cpu[g])} ms`).join(', ')}; ${perClaim(sum((g) => cpu[g]))} ms in all ` +
        `(on two cores doing nothing else, at most ~${Math.round((2 * claimed) / sum((g) => cpu[g]))} claims/s)` +
        (idle
          ? `; net of each process's CPU per second when idle (${CPU_GROUPS.map((g) => `${g} ${(idle[g] * 1000).toFixed(0)} ms/s`).join(', ')}): ` +
            `${CPU_GROUPS.map((g) => `${g} ${perClaim(net(g))} ms`).join(', ')}; ${perClaim(sum(net))} ms in all`
          : '')
      : 'CPU per claim: /proc not readable here';
    return {
      name: `enroll: ${sources.toLocaleString('en')} source events among ${(sources + OTHER_EVENTS).toLocaleString('en')}, ${WORKERS} workers`,
      rows: [
        { ...enrollRow, target: `≥ ${TARGET_PER_SECOND}/s`, met: enrollRow['appends/s'] >= TARGET_PER_SECOND ? 'yes' : 'no' },
        { ...row('POST /v1/events?wait=true (the Kafka write path, for comparison)', viaKafka, KAFKA_PATH_CALLS), target: '', met: '' },
      ],
      notes: [
        cpuNote,
        `${transactions} append transactions for ${claimed} claims: ${(claimed / transactions).toFixed(1)} claims per round on average`,
        'each worker loops until 204; latency per HTTP call, the final 204s included; one 2-core machine runs Postgres, Kafka, ingest with its relay, the query app and the workers',
        'Kafka path row: the same workers publishing one event each with expectedVersion no_stream and waiting for ingest to persist it (what a claim through Kafka would cost)',
      ],
    };
  } finally {
    await query.stop();
    await ingest.stop();
  }
};
