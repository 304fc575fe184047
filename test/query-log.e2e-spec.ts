import { QueryFixture } from './support/query-fixture';

/** Log, stream and stats queries over events that arrived the real way: produced to Kafka, ingested. */
describe('query app: log, streams and stats over HTTP', () => {
  let fx: QueryFixture;
  const base = Date.UTC(2024, 4, 1, 10, 0, 0);
  const at = (second: number) => new Date(base + second * 1000).toISOString();
  const TYPES = ['OrderPlaced', 'OrderPaid', 'OrderShipped'];
  const STATUSES = ['success', 'fail', 'running', 'pending'];

  // 250 events in one stream, a small stream, a user stream and another tenant's events.
  const big = Array.from({ length: 250 }, (_, i) => ({
    id: `big-${i}`,
    stream: 'orders-big',
    type: TYPES[i % 3],
    status: STATUSES[i % 4],
    source: i % 2 ? 'billing' : 'orders',
    message: i % 50 === 0 ? `Batch ${i}: 100%_done` : `step ${i} ok`,
    requestId: i < 10 ? 'req-a' : undefined,
    occurredAt: at(i),
    data: { n: i },
  }));
  const small = Array.from({ length: 10 }, (_, i) => ({ id: `small-${i}`, stream: 'orders-small', type: 'OrderPlaced', status: 'success', occurredAt: at(1000 + i) }));
  const users = Array.from({ length: 5 }, (_, i) => ({ id: `user-${i}`, stream: 'users-1', type: 'UserLoggedIn', occurredAt: base + (2000 + i) * 1000 }));
  const other = Array.from({ length: 3 }, (_, i) => ({ id: `big-${i}`, tenant: 't2', stream: 'orders-big', type: 'OrderPlaced', occurredAt: at(i) }));
  const defaults = [...big, ...small, ...users];

  const ids = (r: { body: { events: { id: string }[] } }) => r.body.events.map((e) => e.id);
  const expectIds = (events: { id: string }[]) => events.map((e) => e.id).sort();

  beforeAll(async () => {
    fx = await QueryFixture.start('query-log');
    await fx.produce([...big, ...small, ...users, ...other]);
    await fx.waitForEvents(big.length + small.length + users.length + other.length);
  });
  afterAll(() => fx?.stop());

  describe('GET /v1/events filters', () => {
    const cases: [string, string, (typeof defaults)[number][] | typeof other][] = [
      ['stream', 'stream=orders-small', small],
      ['streamPrefix', 'streamPrefix=orders-', [...big, ...small]],
      ['type (comma list)', 'type=OrderPaid,UserLoggedIn', [...big.filter((e) => e.type === 'OrderPaid'), ...users]],
      ['status', 'status=fail', big.filter((e) => e.status === 'fail')],
      ['source', 'source=billing', big.filter((e) => e.source === 'billing')],
      ['requestId', 'requestId=req-a', big.filter((e) => e.requestId === 'req-a')],
      ['q, case-insensitive substring', 'q=BATCH', big.filter((e) => e.message.startsWith('Batch'))],
      ['q with LIKE wildcards taken literally', `q=${encodeURIComponent('100%_')}`, big.filter((e) => e.message.includes('100%_'))],
      ['from/to as RFC 3339, inclusive', `from=${at(10)}&to=${at(20)}`, big.filter((_, i) => i >= 10 && i <= 20)],
      ['from/to as epoch ms, inclusive', `from=${base + 2001000}&to=${base + 2003000}`, users.slice(1, 4)],
      ['tenant', 'tenant=t2', other],
      ['several at once', 'streamPrefix=orders-&type=OrderPlaced&status=success&source=orders', big.filter((e) => e.type === 'OrderPlaced' && e.status === 'success' && e.source === 'orders')],
    ];
    it.each(cases)('%s', async (_, query, expected) => {
      const r = await fx.get(`/v1/events?${query}&pageSize=1000`);
      expect(r.status).toBe(200);
      expect(ids(r).sort()).toEqual(expectIds(expected));
      expect(r.body.totalCount).toBe(expected.length);
      expect(r.body.count).toBe(expected.length);
    });

    it('reads the default tenant when none is given, and never another tenant', async () => {
      const r = await fx.get('/v1/events?stream=orders-big&pageSize=1000');
      expect(r.body.totalCount).toBe(250);
      expect(r.body.events.every((e: { tenant: string }) => e.tenant === 'default')).toBe(true);
    });

    it('answers a path with a trailing slash as the path without it', async () => {
      const [plain, slashed] = await Promise.all([fx.get('/v1/events?stream=orders-big&pageSize=3'), fx.get('/v1/events/?stream=orders-big&pageSize=3')]);
      expect(slashed.status).toBe(200);
      expect(slashed.body).toEqual(plain.body);
      expect((await fx.get('/v1/streams/orders-big/')).body).toMatchObject({ stream: 'orders-big', version: 250 });
    });

    it('skips the count with includeTotal=false', async () => {
      const r = await fx.get('/v1/events?stream=orders-big&includeTotal=false&pageSize=5');
      expect(r.body).toMatchObject({ totalCount: null, count: 5 });
    });

    it('returns events in the contract shape, times in RFC 3339 UTC with ms', async () => {
      const r = await fx.get('/v1/events?stream=orders-big&pageSize=1&order=asc');
      expect(r.body.events[0]).toMatchObject({
        id: 'big-0', tenant: 'default', stream: 'orders-big', version: 1, type: 'OrderPlaced', status: 'success',
        source: 'orders', requestId: 'req-a', nodeId: 'big-0', parentNodeId: null, occurredAt: at(0), data: { n: 0 }, metadata: {},
      });
      expect(r.body.events[0].recordedAt).toMatch(/^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d\.\d{3}Z$/);
      expect(r.body.events[0].kafka.topic).toBe(fx.topics.ingest);
    });
  });

  describe('sorting', () => {
    const walk = async (query: string) => (await fx.get(`/v1/events?${query}&pageSize=1000`)).body.events;
    const ordered = (values: (string | number)[], dir: 'asc' | 'desc') =>
      values.every((v, i) => i === 0 || (dir === 'asc' ? values[i - 1] <= v : values[i - 1] >= v));

    it('sorts by occurredAt, newest first by default, and ascending on request', async () => {
      const desc = await walk('streamPrefix=orders-');
      expect(desc[0].id).toBe('small-9');
      expect(ordered(desc.map((e: { occurredAt: string }) => e.occurredAt), 'desc')).toBe(true);
      const asc = await walk('streamPrefix=orders-&order=asc');
      expect(asc.map((e: { id: string }) => e.id)).toEqual(desc.map((e: { id: string }) => e.id).reverse());
    });

    it.each(['position', 'recordedAt'])('sorts by %s both ways, ties broken by position', async (sort) => {
      const desc = await walk(`sort=${sort}`);
      const asc = await walk(`sort=${sort}&order=asc`);
      expect(desc).toHaveLength(defaults.length);
      const { rows } = await fx.db.pool.query(
        `SELECT id FROM events WHERE tenant = 'default' ORDER BY ${sort === 'position' ? 'position' : 'recorded_at, position'}`,
      );
      expect(asc.map((e: { id: string }) => e.id)).toEqual(rows.map((r) => r.id));
      expect(desc.map((e: { id: string }) => e.id)).toEqual(rows.map((r) => r.id).reverse());
    });
  });

  describe('paging a 250-event stream: every event exactly once with each style', () => {
    const all = big.map((e) => e.id).sort();

    it('page + pageSize', async () => {
      const seen: string[] = [];
      for (let page = 1; ; page++) {
        const r = await fx.get(`/v1/events?stream=orders-big&page=${page}&pageSize=40`);
        expect(r.body.totalCount).toBe(250);
        seen.push(...ids(r));
        if (r.body.count < 40) break;
      }
      expect(seen).toHaveLength(250);
      expect([...seen].sort()).toEqual(all);
    });

    it('offset + limit', async () => {
      const seen: string[] = [];
      for (let offset = 0; offset < 300; offset += 33) seen.push(...ids(await fx.get(`/v1/events?stream=orders-big&offset=${offset}&limit=33`)));
      expect(seen).toHaveLength(250);
      expect([...seen].sort()).toEqual(all);
    });

    it.each(['occurredAt&order=desc', 'occurredAt&order=asc', 'position&order=desc', 'recordedAt&order=asc'])(
      'cursor (sort=%s)',
      async (sort) => {
        const seen: string[] = [];
        let cursor: string | null = null;
        let pages = 0;
        do {
          const r: any = await fx.get(`/v1/events?stream=orders-big&sort=${sort}&pageSize=30${cursor ? `&cursor=${cursor}` : ''}`);
          expect(r.status).toBe(200);
          seen.push(...ids(r));
          cursor = r.body.nextCursor;
          pages++;
        } while (cursor);
        expect(pages).toBe(9);
        expect(seen).toHaveLength(250);
        expect([...seen].sort()).toEqual(all);
      },
    );

    it('gives the same cursor for the same page (stable) and refuses it with other filters', async () => {
      const a = await fx.get('/v1/events?stream=orders-big&pageSize=10');
      const b = await fx.get('/v1/events?stream=orders-big&pageSize=10');
      expect(a.body.nextCursor).toBe(b.body.nextCursor);
      const other = await fx.get(`/v1/events?stream=orders-small&pageSize=10&cursor=${a.body.nextCursor}`);
      expect(other.status).toBe(400);
      expect(other.body.details[0].field).toBe('cursor');
    });
  });

  describe('GET /v1/events/{id}', () => {
    it('returns one event, per tenant', async () => {
      expect((await fx.get('/v1/events/big-7')).body).toMatchObject({ id: 'big-7', tenant: 'default', version: 8 });
      expect((await fx.get('/v1/events/big-1?tenant=t2')).body).toMatchObject({ id: 'big-1', tenant: 't2', version: 2 });
    });

    it('answers 404 in the contract error shape for an unknown id', async () => {
      const r = await fx.get('/v1/events/no-such-event');
      expect(r.status).toBe(404);
      expect(r.body).toEqual({ statusCode: 404, error: 'Not Found', message: expect.stringContaining('no-such-event'), details: [] });
    });
  });

  describe('streams', () => {
    it('lists streams by name with a prefix filter, paged', async () => {
      const r = await fx.get('/v1/streams?prefix=orders-');
      expect(r.body.totalCount).toBe(2);
      expect(r.body.streams.map((s: { stream: string }) => s.stream)).toEqual(['orders-big', 'orders-small']);
      const page2 = await fx.get('/v1/streams?page=2&pageSize=2');
      expect(page2.body).toMatchObject({ totalCount: 3, count: 1, streams: [{ stream: 'users-1' }] });
      const first = await fx.get('/v1/streams?limit=1');
      const next = await fx.get(`/v1/streams?limit=5&cursor=${first.body.nextCursor}`);
      expect(next.body.streams.map((s: { stream: string }) => s.stream)).toEqual(['orders-small', 'users-1']);
    });

    it('describes one stream', async () => {
      const r = await fx.get('/v1/streams/orders-big');
      expect(r.body).toEqual({ stream: 'orders-big', version: 250, eventCount: 250, firstOccurredAt: at(0), lastOccurredAt: at(249) });
      expect((await fx.get('/v1/streams/orders-big?tenant=t2')).body.eventCount).toBe(3);
      expect((await fx.get('/v1/streams/nope')).status).toBe(404);
    });

    it('reads forward from a version, with where to continue', async () => {
      const r = await fx.get('/v1/streams/orders-big/events?fromVersion=101&limit=100');
      expect(r.body.events.map((e: { version: number }) => e.version)).toEqual(Array.from({ length: 100 }, (_, i) => 101 + i));
      expect(r.body).toMatchObject({ direction: 'forward', fromVersion: 101, count: 100, nextVersion: 201, version: 250 });
      const end = await fx.get('/v1/streams/orders-big/events?fromVersion=201&limit=100');
      expect(end.body).toMatchObject({ count: 50, nextVersion: null });
      // Versions are bigints: one past int4 is a valid place to start, with nothing there yet.
      const far = await fx.get('/v1/streams/orders-big/events?fromVersion=3000000000&limit=10');
      expect(far.status).toBe(200);
      expect(far.body).toMatchObject({ count: 0, events: [], version: 250 });
    });

    it('reads backward from the head by default, or from a version', async () => {
      const head = await fx.get('/v1/streams/orders-big/events?direction=backward&limit=3');
      expect(head.body.events.map((e: { version: number }) => e.version)).toEqual([250, 249, 248]);
      expect(head.body.nextVersion).toBe(247);
      const from = await fx.get('/v1/streams/orders-big/events?direction=backward&fromVersion=2&limit=10');
      expect(from.body.events.map((e: { id: string }) => e.id)).toEqual(['big-1', 'big-0']);
      expect(from.body.nextVersion).toBeNull();
      expect((await fx.get('/v1/streams/nope/events')).status).toBe(404);
    });
  });

  describe('GET /v1/stats', () => {
    const countBy = (events: Record<string, unknown>[], field: string) =>
      events.reduce<Record<string, number>>((acc, e) => ({ ...acc, [String(e[field] ?? '')]: (acc[String(e[field] ?? '')] ?? 0) + 1 }), {});

    it('counts by type, status and source, streams and the time span of a tenant', async () => {
      const r = await fx.get('/v1/stats');
      expect(r.body).toMatchObject({
        tenant: 'default',
        totalCount: defaults.length,
        byType: countBy(defaults, 'type'),
        byStatus: countBy(defaults, 'status'),
        bySource: countBy(defaults, 'source'),
        streamCount: 3,
        firstOccurredAt: at(0),
        lastOccurredAt: at(2004),
      });
      expect(r.body.ingestLag.records).toBe(0);
      expect(r.body.ingestLag.lastPosition).toBe(defaults.length + other.length);
      expect(r.body.ingestLag.secondsSinceLastAppend).toBeGreaterThanOrEqual(0);
    });

    it('narrows to a stream and a time window', async () => {
      const window = big.filter((_, i) => i >= 100 && i <= 149);
      const r = await fx.get(`/v1/stats?stream=orders-big&from=${at(100)}&to=${base + 149000}`);
      expect(r.body).toMatchObject({ totalCount: 50, byType: countBy(window, 'type'), byStatus: countBy(window, 'status'), streamCount: 1 });
      expect((await fx.get('/v1/stats?tenant=t2')).body).toMatchObject({ tenant: 't2', totalCount: 3, streamCount: 1 });
    });
  });
});
