import { Pool } from 'pg';
import { NewEvent } from '@eventlog/contracts';
import { copyRows, OpenChainQueryRepository, PlannedRow, StallSession } from '@eventlog/store';
import { freshDatabase } from './lib/bench-database';
import { quantile, Scenario } from './lib/scenario';

const EVENTS = Number(process.env.BENCH_STALLED_EVENTS ?? 200_000);
// Ingest appends a Kafka batch per transaction; this is a typical one.
const BATCH = 1000;
// Steps per chain: each writes `running` then `success`; one chain in ten is left running.
const STEPS = 5;
const QUERY_ROUNDS = 50;

/** Chained events as a workflow engine writes them: a step's `running`, then its `success`. */
function makeEvent(i: number): NewEvent {
  const perChain = STEPS * 2;
  const chain = Math.floor(i / perChain);
  const k = i % perChain;
  const abandoned = chain % 10 === 0 && k === perChain - 1;
  return {
    id: `st-${i}`,
    tenant: 'default',
    stream: `svc-${chain % 1000}`,
    type: `Step${k >> 1}`,
    data: { seq: i, note: 'x'.repeat(200) },
    metadata: {},
    source: 'bench',
    status: k % 2 === 0 || abandoned ? 'running' : 'success',
    message: null,
    requestId: `req-${chain}`,
    nodeId: `n${k >> 1}`,
    parentNodeId: k < 2 ? null : 'n0',
    occurredAt: new Date(),
    expectedVersion: 'any',
    kafka: null,
  };
}

/** COPYs the events in BATCH-sized transactions, as ingest does; returns events per second. */
async function appendAll(url: string, withTrigger: boolean): Promise<number> {
  const pool = new Pool({ connectionString: url, max: 1 });
  const client = await pool.connect();
  try {
    if (!withTrigger) await client.query('ALTER TABLE events DISABLE TRIGGER events_open_chains');
    const versions = new Map<string, number>();
    const started = process.hrtime.bigint();
    for (let from = 0; from < EVENTS; from += BATCH) {
      const rows: PlannedRow[] = [];
      for (let i = from; i < Math.min(EVENTS, from + BATCH); i++) {
        const event = makeEvent(i);
        const version = (versions.get(event.stream) ?? 0) + 1;
        versions.set(event.stream, version);
        rows.push({ event, version, position: i + 1 });
      }
      await client.query('BEGIN');
      // Through the parent, whose open_chains trigger the run without it disables.
      await copyRows(client, rows, new Date().toISOString(), null);
      await client.query('COMMIT');
    }
    const seconds = Number(process.hrtime.bigint() - started) / 1e9;
    return EVENTS / seconds;
  } finally {
    client.release();
    await pool.end();
  }
}

async function timed(rounds: number, run: () => Promise<unknown>): Promise<number[]> {
  const ms: number[] = [];
  for (let i = 0; i < rounds; i++) {
    const started = process.hrtime.bigint();
    await run();
    ms.push(Number(process.hrtime.bigint() - started) / 1e6);
  }
  return ms;
}

/**
 * What stall detection costs (docs/decisions/031): appends of chained events with and without the
 * trigger that keeps open_chains, then the detector's and the open-chain list's queries on the
 * chains left open.
 */
export const run: Scenario = async () => {
  const withoutUrl = await freshDatabase('eventlog_bench_stalled_without');
  const without = await appendAll(withoutUrl, false);
  const withUrl = await freshDatabase('eventlog_bench_stalled_with');
  const withTrigger = await appendAll(withUrl, true);

  const pool = new Pool({ connectionString: withUrl, max: 2 });
  const session = (await StallSession.tryAcquire(withUrl, () => undefined))!;
  try {
    const open = Number((await pool.query<{ n: string }>('SELECT count(*) AS n FROM open_chains')).rows[0].n);
    const detector = await timed(QUERY_ROUNDS, () => session.stalledChains({ defaultMs: 1000, byTypeMs: new Map([['Step9', 60_000]]) }, 500));
    const repository = new OpenChainQueryRepository(pool);
    const list = await timed(QUERY_ROUNDS, () => repository.list({ tenant: 'default', stalledForMs: 0, limit: 20, offset: 0 }));
    const row = (what: string, value: string) => ({ what, value });
    return {
      name: `stalled chains: ${EVENTS} chained events in ${BATCH}-event transactions`,
      rows: [
        row('append without the open_chains trigger', `${Math.round(without)} events/s`),
        row('append with it', `${Math.round(withTrigger)} events/s (${((withTrigger / without) * 100).toFixed(0)}% of the rate without)`),
        row(`detector round, ${open} open chains (up to 500 overdue)`, `p50 ${quantile(detector, 0.5).toFixed(1)} ms, p99 ${quantile(detector, 0.99).toFixed(1)} ms`),
        row('open-chain list, page of 20 with totalCount', `p50 ${quantile(list, 0.5).toFixed(1)} ms, p99 ${quantile(list, 0.99).toFixed(1)} ms`),
      ],
      notes: ['each chain writes running then success for 5 steps; one in ten is left running, so it stays open'],
    };
  } finally {
    await session.close();
    await pool.end();
  }
};
