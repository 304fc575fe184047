import { readFileSync } from 'node:fs';
import { EVENTS, loadedDatabase, startBenchQueryApp } from './query.bench';
import { quantile, Scenario } from './lib/scenario';

/*
 * Issue 16's GraphQL figure: the first page of the log through POST /graphql against GET /v1/events
 * on the query bench's dataset (loaded by it, or here when missing), the same events, every field,
 * asked in turn by 1 and by 16 clients. Target: GraphQL within 1.5× of REST.
 */
const CONCURRENCY = 16;
const TARGET_RATIO = 1.5;
// Enough that the 1-client row's p99 is its 8th-worst of 800, not the 2nd-worst of 200 (one stall decided it).
const REQUESTS = Number(process.env.BENCH_GRAPHQL_REQUESTS ?? 3200);

const EVENT_FIELDS = `id tenant stream version position type data metadata source status message requestId nodeId parentNodeId
  occurredAt recordedAt kafka { topic partition offset }`;

interface Pair {
  page: string;
  rest: (base: string) => Promise<Response>;
  graphql: (base: string) => Promise<Response>;
}

const graphqlPost = (base: string, query: string) =>
  fetch(`${base}/graphql`, { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify({ query }) });

const PAIRS: Pair[] = [
  {
    page: 'log page 1, 20 events (no total)',
    rest: (base) => fetch(`${base}/v1/events?pageSize=20&includeTotal=false`),
    graphql: (base) => graphqlPost(base, `{ events(first: 20) { nodes { ${EVENT_FIELDS} } pageInfo { hasNextPage endCursor } } }`),
  },
  {
    page: 'log page 1, 20 events with totalCount',
    rest: (base) => fetch(`${base}/v1/events?pageSize=20`),
    graphql: (base) => graphqlPost(base, `{ events(first: 20) { totalCount nodes { ${EVENT_FIELDS} } pageInfo { hasNextPage endCursor } } }`),
  },
];

/** CPU seconds a process has used (utime + stime), from /proc: less disturbed by a busy machine than latency. */
function cpuSecondsOf(pid: number): number {
  const stat = readFileSync(`/proc/${pid}/stat`, 'utf8');
  const fields = stat.slice(stat.lastIndexOf(')') + 2).split(' ');
  return (Number(fields[11]) + Number(fields[12])) / 100; // USER_HZ is 100 on Linux
}

/** Latencies (ms) of `count` calls from `concurrency` workers; a reply that is not a clean 200 is an error. */
async function latencies(count: number, concurrency: number, call: () => Promise<Response>): Promise<{ times: number[]; errors: number }> {
  const times: number[] = [];
  let issued = 0;
  let errors = 0;
  await Promise.all(
    Array.from({ length: concurrency }, async () => {
      while (issued++ < count) {
        const started = process.hrtime.bigint();
        const res = await call();
        const body = await res.text();
        if (res.status === 200 && !body.includes('"errors"')) times.push(Number(process.hrtime.bigint() - started) / 1e6);
        else errors++;
      }
    }),
  );
  return { times, errors };
}

interface Side {
  times: number[];
  errors: number;
  cpuSeconds: number;
}

/**
 * REST and GraphQL in alternating rounds (4 requests per client, at least 20), each round's app CPU
 * read from /proc: both meet the same moments of a machine whose load moves by more than their
 * difference, which one long run of each after the other did not.
 */
async function alternating(count: number, concurrency: number, pair: Pair, base: string, pid: number): Promise<{ rest: Side; graphql: Side }> {
  for (let i = 0; i < 20; i++) {
    await (await pair.rest(base)).text(); // warm up (JIT, caches, pool)
    await (await pair.graphql(base)).text();
  }
  const rest: Side = { times: [], errors: 0, cpuSeconds: 0 };
  const graphql: Side = { times: [], errors: 0, cpuSeconds: 0 };
  const round = Math.max(concurrency * 4, 20);
  for (let done = 0; done < count; done += round) {
    const n = Math.min(round, count - done);
    for (const [side, call] of [
      [rest, () => pair.rest(base)],
      [graphql, () => pair.graphql(base)],
    ] as const) {
      const cpu = cpuSecondsOf(pid);
      const r = await latencies(n, concurrency, call);
      side.cpuSeconds += cpuSecondsOf(pid) - cpu;
      side.times.push(...r.times);
      side.errors += r.errors;
    }
  }
  return { rest, graphql };
}

export const run: Scenario = async () => {
  const { url, notes } = await loadedDatabase();
  const { query } = await startBenchQueryApp('bench-graphql-query', url);
  const rows: Record<string, string | number>[] = [];
  try {
    // The two replies carry the same events: compared once, so the figures compare like with like.
    const [rest, graphql] = await Promise.all([PAIRS[0].rest(query.url), PAIRS[0].graphql(query.url)]);
    const restIds = ((await rest.json()) as { events: { id: string }[] }).events.map((e) => e.id);
    const graphqlIds = ((await graphql.json()) as { data: { events: { nodes: { id: string }[] } } }).data.events.nodes.map((e) => e.id);
    if (JSON.stringify(restIds) !== JSON.stringify(graphqlIds)) throw new Error('GraphQL and REST answered different first pages');

    for (const pair of PAIRS) {
      for (const clients of [1, CONCURRENCY]) {
        const count = clients === 1 ? Math.max(20, Math.floor(REQUESTS / 4)) : REQUESTS;
        const { rest: r, graphql: g } = await alternating(count, clients, pair, query.url, query.pid!);
        const perRequest = (seconds: number) => ((seconds * 1000) / count).toFixed(2);
        const [r50, r99, g50, g99] = [quantile(r.times, 0.5), quantile(r.times, 0.99), quantile(g.times, 0.5), quantile(g.times, 0.99)];
        const ratio = Math.max(g50 / r50, g99 / r99);
        rows.push({
          page: pair.page,
          clients,
          requests: count,
          errors: r.errors + g.errors,
          'REST p50/p99 ms': `${r50.toFixed(1)} / ${r99.toFixed(1)}`,
          'GraphQL p50/p99 ms': `${g50.toFixed(1)} / ${g99.toFixed(1)}`,
          'GraphQL ÷ REST (worse of p50, p99)': ratio.toFixed(2),
          'app CPU ms/request REST / GraphQL': `${perRequest(r.cpuSeconds)} / ${perRequest(g.cpuSeconds)}`,
          target: `≤ ${TARGET_RATIO}`,
          met: ratio <= TARGET_RATIO ? 'yes' : 'no',
        });
        console.log(`${pair.page} | ${clients} clients | REST ${r50.toFixed(1)}/${r99.toFixed(1)} ms | GraphQL ${g50.toFixed(1)}/${g99.toFixed(1)} ms`);
      }
    }
  } finally {
    await query.stop();
  }
  return {
    name: `graphql: the log's first page, GraphQL against REST, ${EVENTS.toLocaleString('en')} events (ms)`,
    rows,
    notes: [
      ...notes,
      'one query app process (Fastify, mercurius), DATABASE_POOL_SIZE=16; every event field asked for, as REST returns them all',
      'REST and GraphQL alternate in rounds of 4 requests per client (20 for 1 client) within each row, so both meet the same load on one 2-core machine that also runs Postgres, Kafka and the clients',
    ],
  };
};
