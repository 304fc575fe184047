import { AppProcess } from './support/app-process';
import { TestDatabase } from './support/database';
import { appEnv } from './support/ingest-env';
import { testTopics } from './support/kafka';
import { isGapless, positionsAreGapless, storedIds, streamShapes } from './support/log-checks';
import { produceLoad } from './support/produce-load';
import { TcpProxy } from './support/tcp-proxy';
import { waitFor } from './support/wait-for';
import { kafkaCases } from './support/case-hooks';

/** Each case: its own database and topics; the end state must be exactly the produced set. */
describe('ingest under faults: nothing lost, nothing duplicated', () => {
  const { tk, cleanup } = kafkaCases();

  async function setUp(label: string, partitions = 6) {
    const db = await TestDatabase.create(label);
    cleanup.push(() => db.drop());
    const topics = testTopics(label);
    await tk.createTopics([
      { topic: topics.ingest, partitions },
      { topic: topics.dlq, partitions: 1 },
    ]);
    return { db, topics };
  }

  async function expectExactly(db: TestDatabase, ids: string[]) {
    expect(await storedIds(db)).toEqual(ids);
    const shapes = await streamShapes(db);
    expect(shapes.filter((s) => !isGapless(s))).toEqual([]);
    expect(await positionsAreGapless(db)).toBe(true);
  }

  it('survives kill -9 of the ingest process mid-run and a restart', async () => {
    const { db, topics } = await setUp('kill');
    const ids = await produceLoad(tk, topics.ingest, { count: 30000, streams: 50, prefix: 'k' });
    const ingest = await AppProcess.start('ingest', 'faults-kill', appEnv(db, topics));
    cleanup.push(() => ingest.stop());

    await waitFor(() => db.count(), (n) => n >= 3000, { what: 'a first part ingested' });
    await ingest.kill();
    const atKill = await db.count();
    expect(atKill).toBeLessThan(ids.length);

    await ingest.launch();
    await waitFor(() => db.count(), (n) => n >= ids.length, { timeoutMs: 90000, what: 'every event' });
    await expectExactly(db, ids);
  });

  it('two ingest instances in one group share the partitions and write each event once', async () => {
    const { db, topics } = await setUp('pair', 6);
    const first = await AppProcess.start('ingest', 'faults-pair-1', appEnv(db, topics));
    cleanup.push(() => first.stop());
    const second = await AppProcess.start('ingest', 'faults-pair-2', appEnv(db, topics));
    cleanup.push(() => second.stop());

    const ids = await produceLoad(tk, topics.ingest, { count: 12000, streams: 30, prefix: 'p', chunk: 200 });
    await waitFor(() => db.count(), (n) => n >= ids.length, { timeoutMs: 90000, what: 'every event' });
    await expectExactly(db, ids);
    // Both instances took part.
    const metric = async (p: AppProcess) =>
      Number(/eventlog_ingest_outcomes_total\{outcome="persisted",code=""\} (\d+)/.exec(await (await fetch(`${p.url}/metrics`)).text())?.[1] ?? 0);
    const [a, b] = [await metric(first), await metric(second)];
    expect(a).toBeGreaterThan(0);
    expect(b).toBeGreaterThan(0);
    expect(a + b).toBe(ids.length);
  });

  it('pauses while Postgres is unreachable for 10 s and resumes by itself', async () => {
    const { db, topics } = await setUp('pgcut');
    const proxy = await TcpProxy.start('127.0.0.1', 5432);
    cleanup.push(() => proxy.cut());
    const viaProxy = new URL(db.url);
    viaProxy.port = String(proxy.port);
    const ingest = await AppProcess.start('ingest', 'faults-pgcut', appEnv(db, topics, { DATABASE_URL: viaProxy.toString() }));
    cleanup.push(() => ingest.stop());

    const producing = produceLoad(tk, topics.ingest, { count: 20000, streams: 40, prefix: 'c', chunk: 500, pauseMs: 100 });
    await waitFor(() => db.count(), (n) => n >= 2000, { what: 'a first part ingested' });
    await proxy.cut();
    // A transaction whose COMMIT was already on the wire still lands: count once none is running.
    await waitFor(
      () =>
        db.count(
          `SELECT count(*)::int AS n FROM pg_stat_activity
            WHERE datname = current_database() AND pid <> pg_backend_pid() AND state IN ('active', 'idle in transaction')`,
        ),
      (n) => n === 0,
      { what: 'the cut connections to end' },
    );
    const atCut = await db.count();
    const ready = await fetch(`${ingest.url}/health/ready`);
    expect(ready.status).toBe(503);
    await new Promise((r) => setTimeout(r, 10000));
    // Nothing was written while Postgres was away.
    expect(await db.count()).toBe(atCut);
    await proxy.restore();

    const ids = await producing;
    await waitFor(() => db.count(), (n) => n >= ids.length, { timeoutMs: 90000, what: 'every event' });
    await expectExactly(db, ids);
    expect((await fetch(`${ingest.url}/health/ready`)).status).toBe(200);
  });
});
