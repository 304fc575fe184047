import { connect } from 'node:net';
import { AppProcess } from '../support/app-process';
import { TestDatabase } from '../support/database';
import { KAFKA_BROKERS } from '../support/env';
import { appEnv } from '../support/ingest-env';
import { testTopics, TestKafka } from '../support/kafka';
import { isGapless, storedIds, streamShapes } from '../support/log-checks';
import { appendDay, NO_DIFFERENCES, retentionCli, rollupDifferences, utcDay } from '../support/partition-checks';
import { waitFor } from '../support/wait-for';
import { faultsInfra } from './faults-infra';
import { cleanupAfterEach } from '../support/case-hooks';

/*
 * The fault suite (issue 5): 100,000 events in flight on 12 partitions while something breaks.
 * Every scenario must end with exactly the valid events in Postgres, gapless versions, every
 * position once on the outbound topic and every poison record dead-lettered with its reason.
 * It stops a broker and restarts Postgres, both the suite's own (test/faults/global-setup.ts starts
 * them on ports of their own, decision 022), and runs alone (jest project "faults", in band).
 */
const EVENTS = Number(process.env.FAULTS_EVENTS ?? 100_000);
// The scenarios' own waits allow 300 s each; jest's 120 s default (jest.config.js, sized for e2e
// files) cut the kill -9 scenario off at 122.6 s on 2 cores at load average 17, while it was still
// persisting (82 s on a quieter machine). The cap only has to stop a hung scenario.
jest.setTimeout(15 * 60_000);
const PARTITIONS = 12;
const STREAMS = 500;

const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));
const randomBetween = (lo: number, hi: number) => lo + Math.random() * (hi - lo);
const infra = (action: 'up' | 'down') => faultsInfra(action === 'up' ? 'kafka-up' : 'kafka-down');

/** Whether the (first) broker accepts connections. */
function brokerListening(): Promise<boolean> {
  const [host, port] = KAFKA_BROKERS.split(',')[0].split(':');
  return new Promise((resolve) => {
    const socket = connect(Number(port), host);
    socket.once('connect', () => {
      socket.destroy();
      resolve(true);
    });
    socket.once('error', () => resolve(false));
  });
}

/** Why the suite has no Postgres cluster of its own here (set by its global setup), if it has none. */
const NO_OWN_POSTGRES = process.env.FAULTS_PG_SKIP;

/** Restarts the suite's own cluster (pg_ctl -m fast restart), never the machine's. */
function restartPostgres() {
  faultsInfra('pg-restart');
}

describe('faults: nothing lost, nothing duplicated', () => {
  const tk = new TestKafka();
  const cleanup = cleanupAfterEach();
  const summaries: string[] = [];

  beforeAll(() => tk.connect());
  afterAll(async () => {
    await tk.disconnect();
    if (NO_OWN_POSTGRES) summaries.push(`Postgres restarted: skipped, ${NO_OWN_POSTGRES}`);
    console.log(summaries.join('\n'));
  });

  /** Produces the scenario's records (every tenth a poison one when asked) and returns what to expect. */
  async function setUp(label: string, poisonEvery = 0) {
    const db = await TestDatabase.create(label);
    cleanup.push(() => db.drop());
    const topics = testTopics(label);
    await tk.createTopics([
      { topic: topics.ingest, partitions: PARTITIONS },
      { topic: topics.dlq, partitions: 1 },
      { topic: topics.outbound, partitions: PARTITIONS },
    ]);
    const valid: string[] = [];
    let poison = 0;
    for (let from = 0; from < EVENTS; from += 1000) {
      const messages = [];
      for (let i = from; i < Math.min(EVENTS, from + 1000); i++) {
        const stream = `${label}-s${i % STREAMS}`;
        if (poisonEvery && i % poisonEvery === poisonEvery - 1) {
          poison++;
          messages.push({ key: stream, value: i % 2 ? `{"id":"bad-${i}",` : JSON.stringify({ id: `bad-${i}`, type: 42 }) });
        } else {
          valid.push(`${label}-${i}`);
          messages.push({ key: stream, value: JSON.stringify({ id: `${label}-${i}`, type: 'Load', data: { i } }) });
        }
      }
      await tk.produce(topics.ingest, messages);
    }
    return { db, topics, valid: valid.sort(), poison };
  }

  async function start(name: string, db: TestDatabase, topics: ReturnType<typeof testTopics>, env: Record<string, string> = {}) {
    const app = await AppProcess.start('ingest', name, appEnv(db, topics, { TOPIC_PARTITIONS: String(PARTITIONS), LOG_LEVEL: 'warn', ...env }));
    cleanup.push(() => app.stop());
    return app;
  }

  const persisted = (db: TestDatabase) => db.count();

  /**
   * The end state every scenario must reach. `before` events were in the log ahead of the load
   * (positions 1..before) and are gone by the end (retention): the load's are before+1 onwards.
   */
  async function verify(scenario: string, started: number, s: Awaited<ReturnType<typeof setUp>>, before = 0) {
    await waitFor(() => persisted(s.db), (n) => n >= s.valid.length, { timeoutMs: 300000, intervalMs: 1000, what: 'every valid event persisted' });
    expect(await storedIds(s.db)).toEqual(s.valid);
    const shapes = await streamShapes(s.db);
    expect(shapes.filter((x) => !isGapless(x))).toEqual([]);

    const outbound = await tk.readUntil(
      s.topics.outbound,
      (seen) => new Set(seen.map((r) => Number(r.headerText['eventlog-position'])).filter((p) => p > before)).size >= s.valid.length,
      `positions ${before + 1}..${before + s.valid.length}`,
      300000,
    );
    const positions = new Set(outbound.map((r) => Number(r.headerText['eventlog-position'])).filter((p) => p > before));
    expect(positions.size).toBe(s.valid.length);
    expect(Math.min(...positions)).toBe(before + 1);
    expect(Math.max(...positions)).toBe(before + s.valid.length);

    let dead = 0;
    if (s.poison) {
      const dlq = await tk.readAll(s.topics.dlq, s.poison, 120000);
      const reasons = new Map(dlq.map((r) => [JSON.stringify(r.value?.toString()), r.headerText]));
      expect(reasons.size).toBe(s.poison);
      expect([...reasons.values()].every((h) => /^(INVALID_JSON|VALIDATION_FAILED)$/.test(h['x-error-code']) && h['x-error-message'].length > 0)).toBe(true);
      dead = reasons.size;
    }
    summaries.push(
      `${scenario}: ${s.valid.length} valid persisted exactly once, ${shapes.length} streams gapless, ` +
        `${positions.size} positions on the outbound topic (${outbound.length - positions.size} redelivered), ` +
        `${dead} dead-lettered, ${((Date.now() - started) / 1000).toFixed(0)} s`,
    );
  }

  it('kill -9 of an ingest instance at three random moments', async () => {
    const s = await setUp('f_kill');
    const started = Date.now();
    const instances = [await start('faults-kill-a', s.db, s.topics), await start('faults-kill-b', s.db, s.topics)];
    for (const [round, fraction] of [randomBetween(0.1, 0.3), randomBetween(0.35, 0.55), randomBetween(0.6, 0.8)].entries()) {
      await waitFor(() => persisted(s.db), (n) => n >= fraction * s.valid.length, { timeoutMs: 300000, what: `${Math.round(fraction * 100)}% persisted` });
      const victim = instances[round % 2];
      await victim.kill();
      await victim.launch();
    }
    await verify('kill -9 x3', started, s);
  });

  it('the Kafka broker stopped for 15 s and restarted', async () => {
    const s = await setUp('f_broker');
    const started = Date.now();
    await start('faults-broker', s.db, s.topics);
    await waitFor(() => persisted(s.db), (n) => n >= 0.3 * s.valid.length, { timeoutMs: 300000, what: '30% persisted' });
    infra('down');
    // faults-infra.sh stops only the suite's own broker; were another one listening, the scenario would prove nothing.
    expect(await brokerListening()).toBe(false);
    await sleep(15000);
    infra('up');
    await verify('broker down 15 s', started, s);
  });

  // Restarting the machine's Postgres would break everyone else's: without a cluster of its own, skipped with the reason.
  (NO_OWN_POSTGRES ? it.skip : it)('Postgres restarted', async () => {
    const s = await setUp('f_pg');
    const started = Date.now();
    await start('faults-pg', s.db, s.topics);
    await waitFor(() => persisted(s.db), (n) => n >= 0.3 * s.valid.length, { timeoutMs: 300000, what: '30% persisted' });
    restartPostgres();
    // The restart also cut this test's own connections: a poll in flight fails once, then the pool reconnects.
    await waitFor(() => persisted(s.db).then(() => true, () => false), Boolean, { timeoutMs: 60000, what: 'Postgres back' });
    await verify('Postgres restarted', started, s);
  });

  it('the relay killed while publishing', async () => {
    const s = await setUp('f_relay');
    const started = Date.now();
    const a = await start('faults-relay-a', s.db, s.topics);
    const b = await start('faults-relay-b', s.db, s.topics);
    const relayed = async () => Number((await s.db.pool.query('SELECT coalesce(max(position), 0) AS p FROM relay_checkpoint')).rows[0].p);
    await waitFor(relayed, (p) => p >= 0.3 * s.valid.length, { timeoutMs: 300000, what: 'the relay past 30%' });
    const active = async (p: AppProcess) => /^eventlog_relay_active 1/m.test(await (await fetch(`${p.url}/metrics`)).text());
    const holder = (await active(a)) ? a : b;
    await holder.kill();
    await holder.launch();
    await verify('relay killed', started, s);
  });

  it('a dead-letter flood: every tenth record poison', async () => {
    const s = await setUp('f_flood', 10);
    const started = Date.now();
    await start('faults-flood', s.db, s.topics);
    await verify('10% poison', started, s);
  });

  it('partitions switched every 5 s and retention run twice while ingesting', async () => {
    const OLD_DAY = 1000;
    const s = await setUp('f_parts');
    // An expired day of another tenant for retention to drop while the load goes on: OLD_DAY events,
    // a minute apart, all inside that day.
    await s.db.pool.query('SELECT events_create_partition($1, $2)', [utcDay(-5), utcDay(-4)]);
    await appendDay(s.db, -5, ['old'], OLD_DAY);
    // Today as 5 s partitions for the next three minutes, then the rest of the day: the load crosses
    // partition bounds as it crosses midnight, through the same code (ingest finds the partition of
    // each batch's recorded_at).
    const today = `events_${utcDay(0).toISOString().slice(0, 10).replace(/-/g, '')}`;
    await s.db.pool.query(`DROP TABLE ${today}, event_counts_${today.slice(7)}, event_totals_${today.slice(7)}`);
    await s.db.pool.query('DELETE FROM event_partitions WHERE name = $1', [today]);
    await s.db.pool.query(
      `SELECT events_create_partition(CASE WHEN i = 1 THEN $1::timestamptz ELSE now() + (i - 1) * interval '5 seconds' END, CASE WHEN i = 37 THEN $2::timestamptz ELSE now() + i * interval '5 seconds' END)
         FROM generate_series(1, 37) i ORDER BY i`,
      [utcDay(0), utcDay(1)],
    );
    const started = Date.now();
    // The old day's chains are days idle: the stall detector would rightly append ChainStalled
    // events for them today, which are no part of what this scenario counts.
    await start('faults-parts', s.db, s.topics, { INGEST_RUNS_STALL_DETECTOR: 'false' });
    for (const fraction of [0.3, 0.6]) {
      await waitFor(() => persisted(s.db), (n) => n >= OLD_DAY + fraction * s.valid.length, { timeoutMs: 300000, what: `${fraction * 100}% persisted` });
      const run = await retentionCli({ DATABASE_URL: s.db.url, RETENTION: 'old=1d' });
      expect(run).toMatchObject({ code: 0 });
    }
    await verify('partition switches and retention', started, s, OLD_DAY);
    const parts = await s.db.count("SELECT count(DISTINCT tableoid)::int AS n FROM events WHERE tenant = 'default'");
    expect(parts).toBeGreaterThan(1);
    expect(await rollupDifferences(s.db)).toEqual(NO_DIFFERENCES);
    summaries.push(`  (the load landed in ${parts} partitions; the expired day of ${OLD_DAY} events dropped while ingesting)`);
  });
});
