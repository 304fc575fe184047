import { spawnSync } from 'node:child_process';
import { join } from 'node:path';
import { AppProcess } from './support/app-process';
import { TestDatabase } from './support/database';
import { uniqueSuffix } from './support/env';
import { appEnv } from './support/ingest-env';
import { testTopics, TestKafka } from './support/kafka';
import { SseClient } from './support/sse-client';
import { waitFor } from './support/wait-for';

const STALLED = 'eventlog.ChainStalled';

/**
 * Stalled chains (issue 16): two ingest processes, each running a stall detector (one holds the
 * lease), CHAIN_STALL_AFTER=2s, SlowStep chains 8s, Listed chains 1h (so the list test's chains
 * stay open); a query process for traces, the open-chain list and the live feed.
 */
describe('stalled chains: one eventlog.ChainStalled per stalled node', () => {
  const topics = testTopics('stalled');
  const tk = new TestKafka();
  let db: TestDatabase;
  let ingestA: AppProcess;
  let ingestB: AppProcess;
  let query: AppProcess;
  let live: SseClient;
  const ingestEnv = () => appEnv(db, topics, { CHAIN_STALL_AFTER: '2s', CHAIN_STALL_AFTER_BY_TYPE: 'SlowStep=8s,Listed=1h' });

  const produce = (events: Record<string, unknown>[]) =>
    tk.produce(topics.ingest, events.map((e) => ({ key: String(e.stream), value: JSON.stringify(e) })));
  const step = (requestId: string, nodeId: string, status: string, extra: Record<string, unknown> = {}) => ({
    id: `${requestId}.${nodeId}.${status}.${uniqueSuffix()}`,
    stream: `svc-${requestId}`,
    type: 'Step',
    requestId,
    nodeId,
    status,
    ...extra,
  });
  const stalledEvents = async (requestId: string) =>
    (await db.pool.query('SELECT id, parent_node_id, status, data, stream FROM events WHERE type = $1 AND request_id = $2', [STALLED, requestId])).rows;
  const waitForStalled = (requestId: string, timeoutMs = 30000) =>
    waitFor(() => stalledEvents(requestId), (rows) => rows.length > 0, { timeoutMs, what: `a ChainStalled for ${requestId}` });
  const waitForIds = (ids: string[]) =>
    waitFor(() => db.count('SELECT count(*)::int AS n FROM events WHERE id = ANY($1)', [ids]), (n) => n === ids.length, { what: `${ids.join(', ')} persisted` });
  const get = async (path: string) => {
    const res = await fetch(`${query.url}${path}`);
    return { status: res.status, body: await res.json() };
  };
  const duplicateOutcomes = async (p: AppProcess) =>
    Number(/^eventlog_ingest_outcomes_total\{outcome="duplicate"[^}]*\} (\d+)/m.exec(await (await fetch(`${p.url}/metrics`)).text())?.[1] ?? 0);
  const activeDetector = async (p: AppProcess) =>
    Number(/^eventlog_stall_detector_active (\d)/m.exec(await (await fetch(`${p.url}/metrics`)).text())?.[1] ?? 0);

  beforeAll(async () => {
    db = await TestDatabase.create('stalled');
    await tk.connect();
    await tk.createTopics([
      { topic: topics.ingest, partitions: 6 },
      { topic: topics.dlq, partitions: 1 },
      { topic: topics.outbound, partitions: 6 },
    ]);
    ingestA = await AppProcess.start('ingest', 'stalled-ingest-a', ingestEnv());
    ingestB = await AppProcess.start('ingest', 'stalled-ingest-b', ingestEnv());
    query = await AppProcess.start(
      'query',
      'stalled-query',
      appEnv(db, topics, { QUERY_GROUP_ID: `${topics.group}.query`, QUERY_TOPIC_PREFIX: `${topics.group}.` }),
    );
    live = new SseClient(`${query.url}/v1/events/live?fromPosition=0&type=${STALLED}`);
  });

  afterAll(async () => {
    live?.close();
    await Promise.all([query?.stop(), ingestA?.stop(), ingestB?.stop()]);
    await tk.disconnect();
    await db?.drop();
  });

  it('appends exactly one ChainStalled under a chain left running, across two detectors and a restart; none for a chain that finished in time', async () => {
    const stalled = step('r-stall', 'root', 'running');
    const child = step('r-stall', 'build', 'running', { parentNodeId: 'root' });
    const doneStart = step('r-done', 'root', 'running');
    await produce([stalled, doneStart]);
    await waitForIds([stalled.id, doneStart.id]);
    await produce([child, step('r-done', 'root', 'success')]);
    await waitForIds([child.id]);

    const [event] = await waitForStalled('r-stall');
    expect(event).toMatchObject({ parent_node_id: 'build', status: 'fail', stream: 'eventlog.stalled-chains' });
    expect(event.data).toMatchObject({ stalledNodeId: 'build', lastEventId: child.id, lastType: 'Step', lastStatus: 'running', stallAfterMs: 2000 });
    expect(event.data.idleMs).toBeGreaterThanOrEqual(2000);
    expect((await activeDetector(ingestA)) + (await activeDetector(ingestB))).toBe(1);

    // The active detector dies without a word; the other takes the lease, the dead one comes back.
    const active = (await activeDetector(ingestA)) === 1 ? ingestA : ingestB;
    await active.kill();
    await active.launch();
    // A second detector that computed the same stall produces the same id: the log absorbs it.
    const duplicates = () => Promise.all([ingestA, ingestB].map(duplicateOutcomes)).then(([a, b]) => a + b);
    const before = await duplicates();
    const { rows } = await db.pool.query('SELECT id, tenant, stream, type, status, request_id, node_id, parent_node_id, data FROM events WHERE id = $1', [event.id]);
    const [stored] = rows;
    await produce([{ id: stored.id, tenant: stored.tenant, stream: stored.stream, type: stored.type, status: stored.status, requestId: stored.request_id, nodeId: stored.node_id, parentNodeId: stored.parent_node_id, data: stored.data }]);
    await waitFor(duplicates, (n) => n > before, { what: 'ingest to count the second ChainStalled as a duplicate' });
    // A chain stalled after the restart: once its ChainStalled is in, detectors have run rounds since.
    const later = step('r-later', 'root', 'waiting');
    await produce([later]);
    await waitForStalled('r-later');
    await waitFor(async () => (await activeDetector(ingestA)) + (await activeDetector(ingestB)), (n) => n === 1, { what: 'one active detector' });

    expect(await stalledEvents('r-stall')).toHaveLength(1);
    expect(await stalledEvents('r-done')).toHaveLength(0);
    expect(await db.count('SELECT count(*)::int AS n FROM events WHERE type = $1', [STALLED])).toBe(2);
  });

  it('shows the ChainStalled in the trace as a failed child of the stalled node, on the live feed and on the outbound topic', async () => {
    const [event] = await waitForStalled('r-stall');
    const trace = await get('/v1/traces/r-stall');
    expect(trace.status).toBe(200);
    expect(trace.body.status).toBe('fail');
    const [root] = trace.body.nodes;
    expect(root.nodeId).toBe('root');
    const build = root.children.find((n: { nodeId: string }) => n.nodeId === 'build');
    expect(build.children).toHaveLength(1);
    expect(build.children[0]).toMatchObject({ nodeId: event.id, parentNodeId: 'build', status: 'fail' });
    expect(build.children[0].events[0]).toMatchObject({ id: event.id, type: STALLED, data: { idleMs: event.data.idleMs } });

    const fed = await waitFor(async () => live.events(), (events) => events.some((e) => e.id === event.id), { what: 'the ChainStalled on the live feed' });
    expect(fed.filter((e) => e.id === event.id)).toHaveLength(1);
    expect(fed.find((e) => e.id === event.id)).toMatchObject({ type: STALLED, requestId: 'r-stall', parentNodeId: 'build', status: 'fail' });

    const records = await tk.readUntil(
      topics.outbound,
      (seen) => seen.some((r) => r.headerText['eventlog-type'] === STALLED && JSON.parse(r.value!.toString()).id === event.id),
      'the ChainStalled',
    );
    const outbound = records.filter((r) => r.headerText['eventlog-type'] === STALLED).map((r) => JSON.parse(r.value!.toString()));
    expect(new Set(outbound.filter((e) => e.requestId === 'r-stall').map((e) => e.position)).size).toBe(1);
    expect(outbound.find((e) => e.id === event.id)).toMatchObject({ requestId: 'r-stall', parentNodeId: 'build', status: 'fail', data: { stallAfterMs: 2000 } });
  });

  it('waits a type’s own timeout: a SlowStep chain stalls after 8s, while a chain of the default type is reported after 2s', async () => {
    const slow = step('r-slow', 'deploy', 'running', { type: 'SlowStep' });
    const fast = step('r-fast', 'deploy', 'running', { type: 'FastStep' });
    await produce([slow, fast]);
    await waitForIds([slow.id, fast.id]);
    const [fastEvent] = await waitForStalled('r-fast');
    expect(fastEvent.data).toMatchObject({ lastType: 'FastStep', stallAfterMs: 2000 });
    const [event] = await waitForStalled('r-slow', 40000);
    // Reported only once idle for its own timeout (measured by the database), not the default 2s.
    expect(event.data).toMatchObject({ lastType: 'SlowStep', stallAfterMs: 8000 });
    expect(event.data.idleMs).toBeGreaterThanOrEqual(8000);
    expect(await stalledEvents('r-slow')).toHaveLength(1);
  });

  describe('GET /v1/traces?status=running&stalledFor=…', () => {
    const listed = (requestId: string, status: string, tenant?: string) => step(requestId, 'n1', status, { type: 'Listed', ...(tenant ? { tenant } : {}) });
    let older: Record<string, unknown>[];

    beforeAll(async () => {
      older = [listed('l-running', 'running'), listed('l-waiting', 'waiting'), listed('l-pending', 'pending'), listed('l-other', 'running', 'other')];
      const finished = [listed('l-finished', 'running'), listed('l-finished', 'success')];
      await produce(older);
      await waitForIds(older.map((e) => e.id as string));
      await produce(finished);
      await waitForIds(finished.map((e) => e.id as string));
    });

    it('lists the tenant’s open chains, newest activity first, each with its latest event and idle time', async () => {
      const r = await get('/v1/traces?status=running&pageSize=1000');
      expect(r.status).toBe(200);
      const ids = r.body.traces.map((t: { requestId: string }) => t.requestId);
      expect(ids).toEqual(expect.arrayContaining(['l-running', 'l-waiting', 'l-pending']));
      expect(ids).not.toContain('l-finished');
      expect(ids).not.toContain('l-other');
      expect(ids).not.toContain('r-stall'); // closed by its ChainStalled
      expect(r.body.totalCount).toBe(ids.length);
      const running = r.body.traces.find((t: { requestId: string }) => t.requestId === 'l-running');
      expect(running).toMatchObject({ status: 'running', lastEvent: { id: older[0].id, nodeId: 'n1', type: 'Listed', status: 'running' } });
      const times = r.body.traces.map((t: { lastEvent: { recordedAt: string } }) => t.lastEvent.recordedAt);
      expect([...times].sort().reverse()).toEqual(times);

      const other = await get('/v1/traces?status=running&tenant=other');
      expect(other.body.traces.map((t: { requestId: string }) => t.requestId)).toEqual(['l-other']);
    });

    it('with stalledFor, only chains without an event for at least that long', async () => {
      const { rows } = await db.pool.query("SELECT max(recorded_at) AS at FROM events WHERE request_id IN ('l-running', 'l-waiting', 'l-pending')");
      // Wait until the older chains have been idle for 3 s, then open a fresh one.
      await waitFor(async () => Date.now() - rows[0].at.getTime(), (ms) => ms > 3500, { what: 'the listed chains idle for 3.5 s' });
      const fresh = listed('l-fresh', 'running');
      await produce([fresh]);
      await waitForIds([fresh.id]);
      const r = await get('/v1/traces?status=running&stalledFor=3s&pageSize=1000');
      expect(r.status).toBe(200);
      const ids = r.body.traces.map((t: { requestId: string }) => t.requestId);
      expect(ids).toEqual(expect.arrayContaining(['l-running', 'l-waiting', 'l-pending']));
      expect(ids).not.toContain('l-fresh');
      expect(r.body.traces.every((t: { idleMs: number }) => t.idleMs >= 3000)).toBe(true);
      expect((await get('/v1/traces?status=running&stalledFor=1h')).body).toMatchObject({ totalCount: 0, count: 0, traces: [], nextCursor: null });
      expect((await get('/v1/traces?status=running&pageSize=1000')).body.traces.map((t: { requestId: string }) => t.requestId)).toContain('l-fresh');
    });

    it('pages with a keyset cursor or page numbers, without overlap', async () => {
      const all = (await get('/v1/traces?status=running&pageSize=1000')).body.traces.map((t: { requestId: string }) => t.requestId);
      expect(all.length).toBeGreaterThanOrEqual(3);
      const seen: string[] = [];
      let cursor: string | null = null;
      do {
        const r = await get(`/v1/traces?status=running&pageSize=2${cursor ? `&cursor=${encodeURIComponent(cursor)}` : ''}`);
        expect(r.status).toBe(200);
        seen.push(...r.body.traces.map((t: { requestId: string }) => t.requestId));
        cursor = r.body.nextCursor;
      } while (cursor);
      expect(seen).toEqual(all);
      const second = await get('/v1/traces?status=running&page=2&pageSize=1');
      expect(second.body.traces.map((t: { requestId: string }) => t.requestId)).toEqual([all[1]]);
    });

    it.each([
      ['no status', '/v1/traces', 'status'],
      ['a status other than running', '/v1/traces?status=success', 'status'],
      ['stalledFor without a unit', '/v1/traces?status=running&stalledFor=300', 'stalledFor'],
      ['stalledFor negative', '/v1/traces?status=running&stalledFor=-5m', 'stalledFor'],
      ['stalledFor not a duration', '/v1/traces?status=running&stalledFor=soon', 'stalledFor'],
      ['stalledFor beyond a year', '/v1/traces?status=running&stalledFor=366d', 'stalledFor'],
      ['stalledFor twice', '/v1/traces?status=running&stalledFor=1m&stalledFor=2m', 'stalledFor'],
      ['pageSize 0', '/v1/traces?status=running&pageSize=0', 'pageSize'],
      ['a cursor not issued for this query', '/v1/traces?status=running&cursor=abcd.0123456789abcdef', 'cursor'],
      ['an unknown parameter', '/v1/traces?status=running&since=5m', 'since'],
      ['a tenant with a control character', '/v1/traces?status=running&tenant=a%01', 'tenant'],
    ])('%s → 400 naming the field', async (_, path, field) => {
      const r = await get(path);
      expect(r.status).toBe(400);
      expect(r.body).toMatchObject({ statusCode: 400, error: 'Bad Request' });
      expect(r.body.details.map((d: { field: string }) => d.field)).toContain(field);
    });
  });

  it.each([
    ['CHAIN_STALL_AFTER', '300'],
    ['CHAIN_STALL_AFTER_BY_TYPE', 'Deploy=soon'],
  ])('ingest stops at start with one clear line for %s=%s', (name, value) => {
    const run = spawnSync(process.execPath, [join(__dirname, '..', 'dist/apps/ingest/src/main.js')], {
      env: { PATH: process.env.PATH, [name]: value },
      encoding: 'utf8',
      timeout: 20000,
    });
    expect(run.status).toBe(1);
    expect(run.stderr.trim().split('\n')).toEqual([expect.stringMatching(new RegExp(`^invalid configuration: ${name}: .*duration`))]);
  });
});
