import { AppProcess } from './support/app-process';
import { QueryFixture } from './support/query-fixture';
import { TcpProxy } from './support/tcp-proxy';
import { waitFor } from './support/wait-for';

describe('query app: publishing through the API', () => {
  let fx: QueryFixture;
  const stored = (id: string) => fx.db.pool.query('SELECT * FROM events WHERE id = $1', [id]).then((r) => r.rows[0]);

  beforeAll(async () => {
    fx = await QueryFixture.start('query-publish');
  });
  afterAll(() => fx?.stop());

  it('POST /v1/events produces to the ingest topic keyed by stream: 202 with a generated id and the coordinates', async () => {
    const r = await fx.post('/v1/events', { stream: 'cart-1', type: 'ItemAdded', data: { sku: 'a' } });
    expect(r.status).toBe(202);
    expect(r.body).toEqual({ id: expect.stringMatching(/^[0-9a-f-]{36}$/), topic: fx.topics.ingest, partition: expect.any(Number), offset: expect.any(Number) });
    const row = await waitFor(() => stored(r.body.id), Boolean, { what: 'the published event to be ingested' });
    expect(row).toMatchObject({ stream: 'cart-1', type: 'ItemAdded', kafka_topic: fx.topics.ingest, kafka_partition: r.body.partition, kafka_offset: String(r.body.offset) });
  });

  it('keeps an id the caller gives', async () => {
    const r = await fx.post('/v1/events', { id: 'my-own-id', stream: 'cart-1', type: 'ItemAdded' });
    expect(r.body.id).toBe('my-own-id');
    await waitFor(() => stored('my-own-id'), Boolean, { what: 'my-own-id' });
  });

  it('?wait=true answers 201 with the stored event once it is persisted', async () => {
    const r = await fx.post('/v1/events?wait=true', { id: 'waited-1', tenant: 't9', stream: 'cart-2', type: 'CheckedOut', status: 'success' });
    expect(r.status).toBe(201);
    expect(r.body).toMatchObject({ id: 'waited-1', tenant: 't9', stream: 'cart-2', version: 1, type: 'CheckedOut', kafka: { topic: fx.topics.ingest } });
    expect(r.body.position).toBeGreaterThan(0);
    expect(await stored('waited-1')).toBeDefined();
  });

  it('?wait=true for an id already stored answers 201 with the stored event (idempotent)', async () => {
    const r = await fx.post('/v1/events?wait=true', { id: 'waited-1', tenant: 't9', stream: 'cart-2', type: 'CheckedOut' });
    expect(r.status).toBe(201);
    expect(r.body).toMatchObject({ id: 'waited-1', version: 1 });
    expect(await fx.db.count("SELECT count(*)::int AS n FROM events WHERE id = 'waited-1'")).toBe(1);
  });

  it('?wait=true answers 409 with the rejection code when ingest rejects the event, and nothing is stored', async () => {
    const r = await fx.post('/v1/events?wait=true', { id: 'too-late', stream: 'cart-2', tenant: 't9', type: 'X', expectedVersion: 7 });
    expect(r.status).toBe(409);
    expect(r.body).toMatchObject({ statusCode: 409, error: 'Conflict', code: 'WRONG_EXPECTED_VERSION', message: expect.stringContaining('expectedVersion 7') });
    expect(await stored('too-late')).toBeUndefined();
  });

  it('POST /v1/events/batch: one result per item, in order, with consecutive offsets per partition', async () => {
    const items = Array.from({ length: 50 }, (_, i) => ({ id: `b-${i}`, stream: `batch-${i % 5}`, type: 'Tick', data: { i } }));
    const r = await fx.post('/v1/events/batch', items);
    expect(r.status).toBe(202);
    expect(r.body.map((x: { id: string }) => x.id)).toEqual(items.map((i) => i.id));
    await fx.waitForEvents(3 + 50);
    for (const result of r.body) {
      const row = await stored(result.id);
      expect([row.kafka_partition, Number(row.kafka_offset), result.status]).toEqual([result.partition, result.offset, 202]);
    }
  });

  it('POST /v1/events/batch?wait=true: each item persisted (201) or rejected (409); mixed outcomes are a 207', async () => {
    const r = await fx.post('/v1/events/batch?wait=true', [
      { id: 'bw-1', stream: 'bw', type: 'T', expectedVersion: 'no_stream' },
      { id: 'bw-2', stream: 'bw', type: 'T', expectedVersion: 'no_stream' },
    ]);
    expect(r.status).toBe(207);
    expect(r.body[0]).toMatchObject({ id: 'bw-1', status: 201, event: { id: 'bw-1', version: 1 } });
    expect(r.body[1]).toMatchObject({ id: 'bw-2', status: 409, rejection: { code: 'WRONG_EXPECTED_VERSION' } });
    const all = await fx.post('/v1/events/batch?wait=true', [{ id: 'bw-3', stream: 'bw', type: 'T' }]);
    expect(all.status).toBe(201);
  });

  it('refuses an invalid event with 400 before producing anything', async () => {
    const before = (await fx.kafka.admin.fetchTopicOffsets(fx.topics.ingest)).reduce((n, p) => n + Number(p.high), 0);
    const r = await fx.post('/v1/events', { stream: 's', type: 'T', data: { big: 'x'.repeat(1024 * 1024 + 1) } });
    expect(r.status).toBe(400);
    expect(r.body.details[0].field).toBe('data');
    const after = (await fx.kafka.admin.fetchTopicOffsets(fx.topics.ingest)).reduce((n, p) => n + Number(p.high), 0);
    expect(after).toBe(before);
  });

  describe('when a dependency is away', () => {
    let proxy: TcpProxy;
    let query: AppProcess;

    beforeAll(async () => {
      proxy = await TcpProxy.start('127.0.0.1', 5432);
      const url = new URL(fx.db.url);
      url.port = String(proxy.port);
      query = await AppProcess.start('query', 'query-publish-proxied', fx.queryEnv({ DATABASE_URL: url.toString(), QUERY_GROUP_ID: `${fx.groupId}.proxied` }));
    });
    afterAll(async () => {
      await query?.stop();
      await proxy?.cut();
    });

    it('answers 503 while Postgres is unreachable, and 200 again once it is back', async () => {
      expect((await fetch(`${query.url}/v1/events`)).status).toBe(200);
      await proxy.cut();
      for (const path of ['/v1/events', '/v1/streams/cart-1', '/v1/stats', '/v1/traces/x']) {
        const r = await fetch(`${query.url}${path}`);
        expect(r.status).toBe(503);
        expect(await r.json()).toEqual({ statusCode: 503, error: 'Service Unavailable', message: expect.stringContaining('database'), details: [] });
      }
      await proxy.restore();
      await waitFor(() => fetch(`${query.url}/v1/events`).then((r) => r.status), (s) => s === 200, { what: 'queries to work again' });
    });
  });

  // Last: it stops ingest.
  it('?wait=true with no outcome within waitMs answers 202 with the coordinates', async () => {
    await fx.ingest.stop();
    const started = Date.now();
    const r = await fx.post('/v1/events?wait=true&waitMs=700', { id: 'unseen', stream: 'cart-3', type: 'T' });
    expect(r.status).toBe(202);
    expect(r.body).toEqual({ id: 'unseen', topic: fx.topics.ingest, partition: expect.any(Number), offset: expect.any(Number) });
    expect(Date.now() - started).toBeGreaterThanOrEqual(700);
  });
});
