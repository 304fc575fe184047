import { Consumer, IHeaders } from 'kafkajs';
import { QUERY_TOPICS, replyTopicOf } from '@eventlog/contracts';
import { purgeDeletedStreams } from '@eventlog/store';
import { TestDatabase } from './support/database';
import { uniqueSuffix } from './support/env';
import { kafka } from './support/kafka';
import { QueryFixture } from './support/query-fixture';
import { SseClient } from './support/sse-client';
import { waitFor } from './support/wait-for';
import { WsClient } from './support/ws-client';
import { retentionCli } from './support/partition-checks';

/*
 * DELETE /v1/streams/{stream} (issue 17, part 3; docs/decisions/041) against a real ingest and
 * query process, Kafka and Postgres: the deleted stream's events leave every read at once, the
 * rollups stay exact, StreamDeleted reaches the outbound topic, re-appending follows ?hard, and the
 * purge removes the rows through the one audited function while every other DELETE is refused.
 */

const TOKENS = {
  admin: 'token-stream-deletion-admin-xx',
  reader: 'token-stream-deletion-reader-x',
  aDeleter: 'token-stream-deletion-a-delete',
};
const AUTH_TOKENS = JSON.stringify({
  [TOKENS.admin]: { tenants: ['*'], scopes: ['read', 'publish', 'delete'] },
  [TOKENS.reader]: { tenants: ['*'], scopes: ['read', 'publish'] },
  [TOKENS.aDeleter]: { tenants: ['a'], scopes: ['read', 'delete'] },
});

const BASE = Date.parse('2026-03-01T00:00:00.000Z');
const at = (minutes: number) => new Date(BASE + minutes * 60_000).toISOString();

/**
 * Tenant a: order-1 (the stream deleted: 5 events, the latest event of chain req-1 among them),
 * order-2 (kept: 3 events, two in chain req-1), job-src (an enroll source). Tenant b: its own
 * order-1, same name, never deleted.
 */
const SEED = [
  ...[0, 1, 2, 3, 4].map((i) => ({
    id: `a-o1-${i}`,
    tenant: 'a',
    stream: 'order-1',
    type: i % 2 ? 'OrderPaid' : 'OrderPlaced',
    status: i === 4 ? 'running' : 'success',
    source: 'shop',
    requestId: 'req-1',
    nodeId: `o1-${i}`,
    data: { amount: 100 + i },
    message: `order one step ${i}`,
    occurredAt: at(10 + i * 97),
  })),
  ...[0, 1, 2].map((i) => ({
    id: `a-o2-${i}`,
    tenant: 'a',
    stream: 'order-2',
    type: i % 2 ? 'OrderPaid' : 'OrderPlaced',
    status: 'success',
    source: i === 2 ? 'billing' : 'shop',
    requestId: i < 2 ? 'req-1' : 'req-2',
    nodeId: `o2-${i}`,
    data: { amount: 10 + i },
    message: `order two step ${i}`,
    occurredAt: at(30 + i * 61),
  })),
  { id: 'a-src-1', tenant: 'a', stream: 'order-1-src', type: 'OrderPlaced', status: 'success', occurredAt: at(1) },
  ...[0, 1, 2, 3].map((i) => ({
    id: `b-o1-${i}`,
    tenant: 'b',
    stream: 'order-1',
    type: 'OrderPlaced',
    status: 'success',
    source: 'shop',
    requestId: 'req-1',
    data: { amount: 1000 + i },
    occurredAt: at(10 + i * 97),
  })),
];
const O1_IDS = SEED.filter((e) => e.tenant === 'a' && e.stream === 'order-1').map((e) => e.id);

describe('stream deletion: DELETE /v1/streams/{stream}, tombstones and the purge', () => {
  let fx: QueryFixture;
  let consumer: Consumer;
  const replies = new Map<string, { value: string | null; headers: IHeaders }>();
  const sockets: WsClient[] = [];
  const sse: SseClient[] = [];

  const call = async (method: string, path: string, token: string | null = TOKENS.admin, body?: unknown) => {
    const headers: Record<string, string> = body === undefined ? {} : { 'content-type': 'application/json' };
    if (token) headers['x-auth-token'] = token;
    const res = await fetch(`${fx.query.url}${path}`, { method, headers, body: body === undefined ? undefined : JSON.stringify(body) });
    const text = await res.text();
    return { status: res.status, body: text ? JSON.parse(text) : undefined };
  };
  const get = (path: string, token: string | null = TOKENS.admin) => call('GET', path, token);
  const ids = (events: { id: string }[]) => events.map((e) => e.id);

  /** A request on eventlog.query.delete-stream; the reply's value, or its error header. */
  async function overKafka(body: unknown, token: string | null = TOKENS.admin): Promise<{ error?: any; value?: any }> {
    const topic = fx.topicPrefix + QUERY_TOPICS.deleteStream;
    const id = `corr-${uniqueSuffix()}-${uniqueSuffix()}`;
    const headers: IHeaders = { kafka_correlationId: id, kafka_replyTopic: replyTopicOf(topic), kafka_replyPartition: '0' };
    if (token) headers['x-auth-token'] = token;
    await fx.kafka.produce(topic, [{ value: JSON.stringify(body), headers }]);
    const reply = (await waitFor(async () => replies.get(id), Boolean, { timeoutMs: 30000, intervalMs: 20, what: `reply ${id}` }))!;
    const error = reply.headers['kafka_nest-err'];
    return error ? { error: JSON.parse(error.toString()) } : { value: JSON.parse(reply.value!) };
  }

  /** The rollups recomputed from the events a reader sees, and as the database keeps them. */
  async function rollupsAgainstVisibleEvents() {
    const visible = `NOT EXISTS (SELECT 1 FROM stream_tombstones t WHERE t.tenant = e.tenant AND t.stream = e.stream AND e.version < t.hidden_below)`;
    const q = async (sql: string) => (await fx.db.pool.query(sql)).rows;
    const grains = `(VALUES (10, INTERVAL '10 seconds'), (60, INTERVAL '1 minute'), (3600, INTERVAL '1 hour'), (86400, INTERVAL '1 day')) g(grain, width)`;
    return {
      counts: await q(`SELECT tenant, grain, bucket, type, status, n::int FROM event_counts ORDER BY 1, 2, 3, 4, 5`),
      countsFromEvents: await q(
        `SELECT e.tenant, g.grain, date_bin(g.width, e.occurred_at, TIMESTAMPTZ '2000-01-01T00:00:00Z') AS bucket, e.type, e.status, count(*)::int AS n
           FROM events e CROSS JOIN ${grains} WHERE ${visible} GROUP BY 1, 2, 3, 4, 5 ORDER BY 1, 2, 3, 4, 5`,
      ),
      totals: await q(`SELECT tenant, type, status, source, n::int, first_occurred_at, last_occurred_at FROM event_totals ORDER BY 1, 2, 3, 4`),
      totalsFromEvents: await q(
        `SELECT tenant, type, COALESCE(status, '') AS status, COALESCE(source, '') AS source, count(*)::int AS n, min(occurred_at) AS first_occurred_at, max(occurred_at) AS last_occurred_at
           FROM events e WHERE ${visible} GROUP BY 1, 2, 3, 4 ORDER BY 1, 2, 3, 4`,
      ),
      openChains: await q(`SELECT tenant, request_id, id FROM open_chains ORDER BY 1, 2`),
      openChainsFromEvents: await q(
        `SELECT tenant, request_id, id FROM (
           SELECT DISTINCT ON (tenant, request_id) tenant, request_id, id, status FROM events e
            WHERE request_id IS NOT NULL AND ${visible} ORDER BY tenant, request_id, position DESC) l
          WHERE status IN ('pending', 'waiting', 'running') ORDER BY 1, 2`,
      ),
    };
  }

  const expectRollupsExact = async () => {
    const r = await rollupsAgainstVisibleEvents();
    expect(r.counts).toEqual(r.countsFromEvents);
    expect(r.totals).toEqual(r.totalsFromEvents);
    expect(r.openChains).toEqual(r.openChainsFromEvents);
  };

  let beforeDeletion: { a: any; b: any; streamB: any; deletion?: any };

  beforeAll(async () => {
    fx = await QueryFixture.start('stream_deletion', { AUTH_TOKENS, LIVE_HEARTBEAT_MS: '1000' });
    consumer = kafka.consumer({ groupId: `stream-deletion-replies.${uniqueSuffix()}`, maxWaitTimeInMs: 50 });
    await consumer.connect();
    await consumer.subscribe({ topics: [replyTopicOf(fx.topicPrefix + QUERY_TOPICS.deleteStream)] });
    await consumer.run({
      eachMessage: async ({ message }) => {
        const id = message.headers?.kafka_correlationId?.toString();
        if (id) replies.set(id, { value: message.value?.toString() ?? null, headers: message.headers ?? {} });
      },
    });
    await fx.produce(SEED);
    await fx.waitForEvents(SEED.length);
    beforeDeletion = {
      a: (await get('/v1/events?tenant=a&pageSize=100&sort=position&order=asc')).body,
      b: (await get('/v1/events?tenant=b&pageSize=100&sort=position&order=asc')).body,
      streamB: (await get('/v1/streams/order-1/events?tenant=b')).body,
    };
  });

  afterAll(async () => {
    sockets.forEach((s) => s.close());
    sse.forEach((s) => s.close());
    await consumer?.disconnect();
    await fx?.stop();
  });

  it('refuses a caller without the delete scope (403), another tenant (403) and no token (401), and deletes nothing', async () => {
    expect((await call('DELETE', '/v1/streams/order-1?tenant=a', TOKENS.reader)).status).toBe(403);
    expect((await call('DELETE', '/v1/streams/order-1?tenant=b', TOKENS.aDeleter)).status).toBe(403);
    expect((await call('DELETE', '/v1/streams/order-1?tenant=a', null)).status).toBe(401);
    expect((await overKafka({ tenant: 'a', stream: 'order-1' }, TOKENS.reader)).error).toMatchObject({ statusCode: 403 });
    expect((await call('DELETE', '/v1/streams/no-such-stream?tenant=a', TOKENS.aDeleter)).status).toBe(404);
    expect(await fx.db.count("SELECT count(*)::int AS n FROM stream_tombstones WHERE tenant <> ''")).toBe(0);
  });

  it.each([
    ['an empty name', '/v1/streams/', ['stream', 'path']],
    ['a name over 200 characters', `/v1/streams/${'x'.repeat(201)}`, ['stream']],
    ['a lone surrogate', '/v1/streams/a%ED%A0%80b', ['stream', 'path']],
    ['a NUL', '/v1/streams/a%00b', ['stream']],
    ['hard that is not a boolean', '/v1/streams/order-1?hard=maybe', ['hard']],
  ])('answers %s with 400 naming the field', async (_name, path, fields) => {
    const r = await call('DELETE', path.includes('?') ? `${path}&tenant=a` : `${path}?tenant=a`);
    expect(r.status).toBe(400);
    expect(r.body.details.some((d: { field: string }) => fields.includes(d.field))).toBe(true);
    expect(await fx.db.count("SELECT count(*)::int AS n FROM stream_tombstones WHERE tenant <> ''")).toBe(0);
  });

  it('takes the deleted stream’s events out of every read at once, and keeps the rollups exact', async () => {
    // A live subscriber open across the deletion, from the start of the log.
    const ws = await WsClient.open(`ws://127.0.0.1:${fx.query.port}/v1/ws`, { 'x-auth-token': TOKENS.admin });
    sockets.push(ws);
    ws.send('subscribe', { tenant: 'a', fromPosition: 0 });
    await ws.until(() => ws.of('event').length >= 9, 'the seed of tenant a');

    const deleted = await call('DELETE', '/v1/streams/order-1?tenant=a', TOKENS.aDeleter);
    expect(deleted.status).toBe(200);
    expect(deleted.body).toMatchObject({ stream: 'order-1', hard: false, version: 6, deletedEvents: 5, position: SEED.length + 1 });
    beforeDeletion.deletion = deleted.body;

    // No waiting from here on: the deletion's commit is what every read sees.
    const log = (await get('/v1/events?tenant=a&pageSize=100&sort=position&order=asc')).body;
    const kept = beforeDeletion.a.events.filter((e: any) => e.stream !== 'order-1');
    expect(log.events.slice(0, -1)).toEqual(kept);
    expect(log.events.at(-1)).toMatchObject({ id: deleted.body.eventId, stream: 'order-1', type: 'StreamDeleted', version: 6, data: { hard: false } });
    expect(log.totalCount).toBe(kept.length + 1);
    // Pages by offset too: their skipped rows are walked in the index alone only while the tenant has no deleted stream.
    const offsetPage = (await get('/v1/events?tenant=a&sort=position&order=asc&offset=1&limit=100')).body;
    expect(offsetPage.events).toEqual(log.events.slice(1));
    expect((await get('/v1/events?tenant=a&stream=order-1')).body.events.map((e: any) => e.type)).toEqual(['StreamDeleted']);
    expect((await get('/v1/events?tenant=a&q=order%20one')).body.totalCount).toBe(0);
    for (const id of O1_IDS) expect((await get(`/v1/events/${id}?tenant=a`)).status).toBe(404);

    const read = (await get('/v1/streams/order-1/events?tenant=a')).body;
    expect(read).toMatchObject({ stream: 'order-1', version: 6, eventCount: 1, count: 1, nextVersion: null });
    expect(ids(read.events)).toEqual([deleted.body.eventId]);
    expect((await get('/v1/streams/order-1/events?tenant=a&direction=backward&fromVersion=5')).body.events).toEqual([]);
    expect((await get('/v1/streams/order-1?tenant=a')).body).toMatchObject({ version: 6, eventCount: 1 });

    const trace = (await get('/v1/traces/req-1?tenant=a')).body;
    expect(ids(trace.events).sort()).toEqual(['a-o2-0', 'a-o2-1']);
    expect(trace.status).toBe('success');
    // order-1's running event was req-1's latest: the chain is no longer open.
    expect((await get('/v1/traces?status=running&tenant=a')).body.traces).toEqual([]);

    // DSL: a count by type over a window of whole hours is read from event_counts; a sum from the events.
    const window = [at(0), at(24 * 60)];
    const counted = await call('POST', '/v1/query', TOKENS.admin, {
      from: { tenant: 'a' },
      where: [{ field: 'occurredAt', operator: 'between', value: window }],
      reduce: { type: 'count', groupBy: ['type'], interval: '1h' },
    });
    const expectedByType: Record<string, number> = {};
    for (const e of kept) expectedByType[e.type] = (expectedByType[e.type] ?? 0) + 1;
    const byType: Record<string, number> = {};
    for (const g of counted.body.groups) byType[g.key.type] = (byType[g.key.type] ?? 0) + g.value;
    expect(byType).toEqual(expectedByType);
    const summed = await call('POST', '/v1/query', TOKENS.admin, { from: { tenant: 'a' }, reduce: { type: 'sum', field: 'data.amount' } });
    expect(summed.body.groups[0].value).toBe(10 + 11 + 12);

    const stats = (await get('/v1/stats?tenant=a')).body;
    expect(stats.totalCount).toBe(kept.length + 1);
    expect(stats.byType).toEqual({ ...expectedByType, StreamDeleted: 1 });
    expect(stats.bySource).toEqual({ shop: 2, billing: 1, '': 1, eventlog: 1 });
    expect(stats.firstOccurredAt).toBe(at(1));
    expect((await get('/v1/stats?tenant=a&stream=order-1')).body.byType).toEqual({ StreamDeleted: 1 });

    const graphql = await call('POST', '/graphql', TOKENS.admin, {
      query: `{ events(tenant: "a", filter: {stream: "order-1"}, first: 10) { totalCount nodes { id type } }
                stream(tenant: "a", name: "order-1") { version eventCount events { id } }
                event(tenant: "a", id: "a-o1-0") { id }
                trace(tenant: "a", requestId: "req-1") { eventCount } }`,
    });
    expect(graphql.body.errors).toBeUndefined();
    expect(graphql.body.data).toEqual({
      events: { totalCount: 1, nodes: [{ id: deleted.body.eventId, type: 'StreamDeleted' }] },
      stream: { version: 6, eventCount: 1, events: [{ id: deleted.body.eventId }] },
      event: null,
      trace: { eventCount: 2 },
    });

    await expectRollupsExact();

    // Tenant b's stream of the same name is untouched.
    expect((await get('/v1/streams/order-1/events?tenant=b')).body).toEqual(beforeDeletion.streamB);
    expect((await get('/v1/events?tenant=b&pageSize=100&sort=position&order=asc')).body).toEqual(beforeDeletion.b);
    expect((await get('/v1/events?tenant=b&sort=position&order=asc&offset=2&limit=100')).body.events).toEqual(beforeDeletion.b.events.slice(2));

    // The live subscriber gets the StreamDeleted event; a subscriber resuming from before the
    // deletion (SSE and WebSocket) never gets the deleted stream's events.
    await ws.until(() => ws.of('event').some((e) => e.type === 'StreamDeleted'), 'StreamDeleted live');
    const resumedSse = new SseClient(`${fx.query.url}/v1/events/live?tenant=a&fromPosition=0`, { 'x-auth-token': TOKENS.admin });
    sse.push(resumedSse);
    const resumedWs = await WsClient.open(`ws://127.0.0.1:${fx.query.port}/v1/ws`, { 'x-auth-token': TOKENS.admin });
    sockets.push(resumedWs);
    resumedWs.send('subscribe', { tenant: 'a', fromPosition: 0 });
    await fx.produce([{ id: 'a-after-1', tenant: 'a', stream: 'order-2', type: 'OrderShipped' }]);
    await waitFor(async () => resumedSse.events(), (es) => es.some((e) => e.id === 'a-after-1'), { timeoutMs: 30000, what: 'SSE after the deletion' });
    await resumedWs.until(() => resumedWs.of('event').some((e) => e.id === 'a-after-1'), 'WS after the deletion');
    for (const got of [ids(resumedSse.events()), ids(resumedWs.of('event'))]) {
      expect(got.filter((id) => O1_IDS.includes(id))).toEqual([]);
      expect(got).toEqual([...ids(kept), deleted.body.eventId, 'a-after-1']);
    }
  });

  it('republishes StreamDeleted on the outbound topic, keyed by the stream, after its events', async () => {
    const deletion = beforeDeletion.deletion;
    const records = await fx.kafka.readUntil(fx.topics.outbound, (seen) => seen.some((r) => r.headerText['eventlog-type'] === 'StreamDeleted'), 'StreamDeleted');
    const record = records.find((r) => r.headerText['eventlog-type'] === 'StreamDeleted')!;
    expect(record.key!.toString()).toBe('order-1');
    expect(record.headerText).toMatchObject({ 'eventlog-tenant': 'a', 'eventlog-position': String(deletion.position), 'eventlog-version': '6' });
    expect(JSON.parse(record.value!.toString())).toMatchObject({ id: deletion.eventId, tenant: 'a', stream: 'order-1', type: 'StreamDeleted', version: 6 });
  });

  it('lets a softly deleted stream be appended again, its versions continuing', async () => {
    await fx.produce([{ id: 'a-o1-again', tenant: 'a', stream: 'order-1', type: 'OrderPlaced', expectedVersion: 6 }]);
    await waitFor(async () => (await get('/v1/streams/order-1/events?tenant=a')).body, (r) => r.version === 7, { timeoutMs: 30000, what: 'order-1 at version 7' });
    const read = (await get('/v1/streams/order-1/events?tenant=a')).body;
    expect(read.events.map((e: any) => [e.version, e.type])).toEqual([
      [6, 'StreamDeleted'],
      [7, 'OrderPlaced'],
    ]);
    expect(read.eventCount).toBe(2);
    await expectRollupsExact();
  });

  it('deletes for good with hard=true: later events are dead-lettered STREAM_DELETED, a second DELETE is 410 (Kafka request topic too)', async () => {
    const reply = await overKafka({ tenant: 'a', stream: 'order-2', hard: true }, TOKENS.aDeleter);
    expect(reply.value).toMatchObject({ stream: 'order-2', hard: true, version: 5, deletedEvents: 4 });
    await expectRollupsExact();

    await fx.produce([{ id: 'a-o2-late', tenant: 'a', stream: 'order-2', type: 'OrderPaid' }]);
    const letters = await waitFor(
      async () => (await get('/v1/dead-letters?tenant=a')).body.deadLetters,
      (ls: any[]) => ls.some((l) => l.code === 'STREAM_DELETED'),
      { timeoutMs: 30000, what: 'the STREAM_DELETED dead letter' },
    );
    expect(letters.find((l: any) => l.code === 'STREAM_DELETED').message).toMatch(/order-2.*deleted/);
    expect(await fx.db.count("SELECT count(*)::int AS n FROM events WHERE id = 'a-o2-late'")).toBe(0);
    expect((await get('/v1/streams/order-2?tenant=a')).body).toMatchObject({ version: 5, eventCount: 1 });

    const again = await call('DELETE', '/v1/streams/order-2?tenant=a');
    expect(again.status).toBe(410);
    expect((await overKafka({ tenant: 'a', stream: 'order-2' })).error).toMatchObject({ statusCode: 410 });
  });

  it('purges the hidden rows through the audited function, and nothing else', async () => {
    const readsBefore = {
      log: (await get('/v1/events?tenant=a&pageSize=100')).body,
      stats: (await get('/v1/stats?tenant=a')).body,
      b: (await get('/v1/events?tenant=b&pageSize=100&sort=position&order=asc')).body,
    };
    expect(await purgeDeletedStreams(fx.db.pool, { dryRun: true })).toEqual([
      { tenant: 'a', stream: 'order-1', removed: 5 },
      { tenant: 'a', stream: 'order-2', removed: 4 },
    ]);
    expect(await fx.db.count("SELECT count(*)::int AS n FROM events WHERE tenant = 'a' AND stream IN ('order-1', 'order-2')")).toBe(5 + 4 + 3);

    // The purge as operators get it: a step of the retention job (npm run retention).
    const run = await retentionCli({ DATABASE_URL: fx.db.url });
    expect(run).toMatchObject({ code: 0 });
    expect(run.out).toContain('purged 5 events of deleted stream "order-1" (tenant "a")');
    expect(run.out).toContain('purged 4 events of deleted stream "order-2" (tenant "a")');
    const left = await fx.db.pool.query("SELECT stream, version, type FROM events WHERE tenant = 'a' AND stream IN ('order-1', 'order-2') ORDER BY 1, 2");
    expect(left.rows).toEqual([
      { stream: 'order-1', version: '6', type: 'StreamDeleted' },
      { stream: 'order-1', version: '7', type: 'OrderPlaced' },
      { stream: 'order-2', version: '5', type: 'StreamDeleted' },
    ]);
    const audit = await fx.db.pool.query('SELECT tenant, stream, from_version::int, below_version::int, removed::int FROM stream_purges ORDER BY id');
    expect(audit.rows).toEqual([
      { tenant: 'a', stream: 'order-1', from_version: 1, below_version: 6, removed: 5 },
      { tenant: 'a', stream: 'order-2', from_version: 1, below_version: 5, removed: 4 },
    ]);
    expect(await purgeDeletedStreams(fx.db.pool)).toEqual([]);

    // Reads answer as before: the tombstone had hidden those rows already.
    expect((await get('/v1/events?tenant=a&pageSize=100')).body).toEqual(readsBefore.log);
    expect((await get('/v1/stats?tenant=a')).body).toMatchObject({ totalCount: readsBefore.stats.totalCount, byType: readsBefore.stats.byType });
    expect((await get('/v1/events?tenant=b&pageSize=100&sort=position&order=asc')).body).toEqual(readsBefore.b);
    await expectRollupsExact();
  });

  it('still refuses UPDATE and DELETE on events by any other path, and a forged audit row does not help', async () => {
    const refused = /events is append-only: (UPDATE|DELETE) refused/;
    const q = (sql: string, params: unknown[] = []) => fx.db.pool.query(sql, params);
    await expect(q("DELETE FROM events WHERE tenant = 'b'")).rejects.toThrow(refused);
    await expect(q("UPDATE events SET message = 'x' WHERE tenant = 'a'")).rejects.toThrow(refused);
    await expect(q('TRUNCATE events')).rejects.toThrow(/append-only: TRUNCATE refused/);

    // A deleted stream not purged yet: its hidden rows cannot be deleted without the audit row...
    await fx.produce([{ id: 'a-tmp-1', tenant: 'a', stream: 'tmp', type: 'T' }]);
    await waitFor(() => fx.db.count("SELECT count(*)::int AS n FROM events WHERE id = 'a-tmp-1'"), (n) => n === 1, { what: 'a-tmp-1' });
    expect((await call('DELETE', '/v1/streams/tmp?tenant=a')).status).toBe(200);
    await expect(q("DELETE FROM events WHERE tenant = 'a' AND stream = 'tmp' AND version = 1")).rejects.toThrow(refused);
    // ...nor can a visible event, even with an audit row written by hand in the same transaction.
    const client = await fx.db.pool.connect();
    try {
      await client.query('BEGIN');
      await client.query("INSERT INTO stream_purges (tenant, stream, from_version, below_version, removed) VALUES ('b', 'order-1', 1, 100, 4)");
      await expect(client.query("DELETE FROM events WHERE tenant = 'b' AND stream = 'order-1'")).rejects.toThrow(refused);
    } finally {
      await client.query('ROLLBACK');
      client.release();
    }
    await expect(q("SELECT eventlog_purge_stream('b', 'order-1')")).rejects.toThrow(/is not deleted/);
    await expect(q('DELETE FROM stream_purges')).rejects.toThrow(/stream_purges is append-only/);
    await expect(q('UPDATE stream_purges SET removed = 0')).rejects.toThrow(/stream_purges is append-only/);
    expect(await fx.db.count("SELECT count(*)::int AS n FROM events WHERE tenant = 'b'")).toBe(4);
    expect(await fx.db.count("SELECT count(*)::int AS n FROM events WHERE tenant = 'a' AND stream = 'tmp'")).toBe(2);
  });
});

describe('stream deletion on the range-partitioned events table', () => {
  let db: TestDatabase;

  beforeAll(async () => {
    // Every migration, so events is partitioned by recorded_at day (013) before 014's trigger; two
    // day partitions made as the retention job makes them.
    db = await TestDatabase.create('deletion_partitioned');
    await db.pool.query(`SELECT events_create_partition(TIMESTAMPTZ '2026-01-01Z', TIMESTAMPTZ '2026-01-02Z'),
                                events_create_partition(TIMESTAMPTZ '2026-01-02Z', TIMESTAMPTZ '2026-01-03Z')`);
    // One stream across both partitions, and another stream left alone.
    await db.pool.query(
      `INSERT INTO events (position, tenant, id, stream, version, type, data, metadata, node_id, occurred_at, recorded_at)
       SELECT p, 't', 'e' || p, CASE WHEN p <= 4 THEN 'gone' ELSE 'kept' END, CASE WHEN p <= 4 THEN p ELSE p - 4 END, 'T', '{}', '{}', 'e' || p, now(),
              CASE WHEN p % 2 = 0 THEN TIMESTAMPTZ '2026-01-01T12:00:00Z' ELSE TIMESTAMPTZ '2026-01-02T12:00:00Z' END
         FROM generate_series(1, 6) p`,
    );
  });
  afterAll(async () => {
    await db?.drop();
  });

  it('the trigger reaches every partition: DELETE and UPDATE refused, the purge of a tombstoned stream let through and audited', async () => {
    const refused = /events is append-only: (UPDATE|DELETE) refused/;
    await expect(db.pool.query("DELETE FROM events WHERE stream = 'gone'")).rejects.toThrow(refused);
    await expect(db.pool.query("DELETE FROM events_20260101 WHERE stream = 'gone'")).rejects.toThrow(refused);
    await expect(db.pool.query("UPDATE events_20260102 SET type = 'X'")).rejects.toThrow(refused);
    await db.pool.query("INSERT INTO stream_tombstones (tenant, stream, hidden_below, hard, deleted_at) VALUES ('t', 'gone', 4, true, now())");
    expect((await db.pool.query("SELECT eventlog_purge_stream('t', 'gone') AS n")).rows[0].n).toBe('3');
    expect((await db.pool.query("SELECT stream, version::int FROM events ORDER BY position")).rows).toEqual([
      { stream: 'gone', version: 4 },
      { stream: 'kept', version: 1 },
      { stream: 'kept', version: 2 },
    ]);
    expect((await db.pool.query('SELECT removed::int, below_version::int FROM stream_purges')).rows).toEqual([{ removed: 3, below_version: 4 }]);
    await expect(db.pool.query("DELETE FROM events_20260101 WHERE stream = 'gone'")).rejects.toThrow(refused);
  });
});
