/// <reference lib="dom" />
// Callbacks passed to page.evaluate run in the browser: they use the DOM's types.
import fc from 'fast-check';
import { Message } from 'kafkajs';
import { RejectionCode } from '@eventlog/contracts';
import { NewEvent } from '@eventlog/contracts';
import { DEAD_LETTER_KEPT_BYTES, DeadLetterInput, EventStoreRepository, insertDeadLetters } from '@eventlog/store';
import { Pool, PoolClient } from 'pg';
import { axeViolations, launchChromium, screenshot, texts } from './support/browser';
import { QueryFixture } from './support/query-fixture';
import { waitFor } from './support/wait-for';

const TOKENS = {
  admin: 'token-dead-letters-admin-all',
  a: 'token-dead-letters-tenant-a-rw',
  aReader: 'token-dead-letters-a-read-only',
  b: 'token-dead-letters-tenant-b-rw',
};
const AUTH_TOKENS = JSON.stringify({
  [TOKENS.admin]: { tenants: ['*'], scopes: ['read', 'publish'] },
  [TOKENS.a]: { tenants: ['a'], scopes: ['read', 'publish'] },
  [TOKENS.aReader]: { tenants: ['a'], scopes: ['read'] },
  [TOKENS.b]: { tenants: ['b'], scopes: ['read', 'publish'] },
});
/** Ingest refuses records over twice this as TOO_LARGE: the oversized record below is 100 KB. */
const MAX_EVENT_BYTES = 40_000;

const json = (v: unknown) => Buffer.from(JSON.stringify(v));

/** The poison records, each produced on its own so that its coordinates are known. */
const POISON: Record<string, Message> = {
  // Not JSON; key holds NUL and a byte that is not UTF-8, a header value too.
  malformed: {
    key: Buffer.from([0x00, 0xff, 0x41]),
    value: Buffer.from('{"id": "x", '),
    headers: { 'x-note': Buffer.from([0x00, 0xc3, 0x28]), trace: 'plain' },
  },
  // A lone surrogate encoded as bytes: not UTF-8.
  notUtf8: { key: 'k', value: Buffer.concat([Buffer.from('{"id":"u-1","stream":"s","type":"T","message":"'), Buffer.from([0xed, 0xa0, 0x80]), Buffer.from('"}')]) },
  badField: { key: 'a-s', value: json({ id: 'bad-1', tenant: 'a', stream: 'a-s', type: 'T', data: 'not an object' }) },
  // No id: a replay must take the id derived from these coordinates.
  noId: { key: 'a-s2', value: json({ tenant: 'a', stream: 'a-s2', type: 'T', status: 5 }) },
  // An unknown field whose name holds U+0000: the reason quotes it.
  nulField: { key: 'a-s', value: Buffer.from('{"id":"nul-1","tenant":"a","stream":"a-s","type":"T","bad\\u0000key":1}') },
  oversized: { key: 'big', value: json({ id: 'big-1', tenant: 'a', stream: 'big', type: 'T', data: { blob: 'x'.repeat(100_000) } }) },
  wrongVersion: { key: 'b-s', value: json({ id: 'wev-1', tenant: 'b', stream: 'b-s', type: 'T', expectedVersion: 3 }) },
};
type PoisonName = keyof typeof POISON;

describe('dead letters in Postgres: list, stats, replay', () => {
  let fx: QueryFixture;
  const at: Record<string, { partition: number; offset: string }> = {};

  const call = async (method: 'GET' | 'POST', path: string, token?: string, body?: unknown) => {
    const headers: Record<string, string> = body === undefined ? {} : { 'content-type': 'application/json' };
    if (token) headers['x-auth-token'] = token;
    const res = await fetch(`${fx.query.url}${path}`, { method, headers, body: body === undefined ? undefined : JSON.stringify(body) });
    return { status: res.status, body: (await res.json()) as any };
  };
  const get = (path: string, token = TOKENS.admin) => call('GET', path, token);
  const post = (path: string, body: unknown, token = TOKENS.admin) => call('POST', path, token, body);

  const produce = async (message: Message) => {
    const [ack] = await fx.kafka.producer.send({ topic: fx.topics.ingest, messages: [message], acks: -1 });
    return { partition: ack.partition, offset: ack.baseOffset! };
  };
  const letters = async (query = 'tenant=*', token = TOKENS.admin) => {
    const r = await get(`/v1/dead-letters?${query}&pageSize=1000`, token);
    expect(r.status).toBe(200);
    return r.body.deadLetters as any[];
  };
  const letterOf = async (name: PoisonName) => {
    const found = (await letters()).find((l) => l.source.partition === at[name].partition && l.source.offset === at[name].offset);
    expect(found).toBeDefined();
    return found;
  };
  const eventsWhere = (sql: string, params: unknown[]) => fx.db.count(`SELECT count(*)::int AS n FROM events WHERE ${sql}`, params);
  /** Produces a valid event keyed like `key` (same partition, after what was produced there) and waits for it. */
  const settle = async (key: string) => {
    const id = `sentinel-${Math.random().toString(36).slice(2)}`;
    await produce({ key, value: json({ id, stream: `sentinel-${key}`, type: 'Sentinel' }) });
    await waitFor(() => eventsWhere('id = $1', [id]), (n) => n === 1, { timeoutMs: 60000, what: `sentinel ${id}` });
  };

  beforeAll(async () => {
    fx = await QueryFixture.start('dead-letters', { AUTH_TOKENS }, { MAX_EVENT_BYTES: String(MAX_EVENT_BYTES) });
    for (const [name, message] of Object.entries(POISON)) at[name] = await produce(message);
    await produce({ key: 'a-s', value: json({ id: 'ok-1', tenant: 'a', stream: 'a-s', type: 'T' }) });
    await waitFor(() => letters(), (l) => l.length === Object.keys(POISON).length, { timeoutMs: 60000, what: 'a dead letter per poison record' });
    await fx.waitForEvents(1);
  });
  afterAll(() => fx?.stop());

  it('keeps each rejection with its code, message, coordinates, key, headers and value, as the dead-letter topic has it', async () => {
    const all = await letters();
    const dlq = await fx.kafka.readAll(fx.topics.dlq, all.length);
    const fromTopic = dlq.map((r) => `${r.headerText['x-source-topic']}:${r.headerText['x-source-partition']}:${r.headerText['x-source-offset']}:${r.headerText['x-error-code']}`);
    const fromTable = all.map((l) => `${l.source.topic}:${l.source.partition}:${l.source.offset}:${l.code}`);
    expect(fromTable.sort()).toEqual(fromTopic.sort());

    const malformed = await letterOf('malformed');
    expect(malformed).toMatchObject({ tenant: null, code: 'INVALID_JSON', key: null, value: '{"id": "x", ', truncated: false, replay: null });
    expect(malformed.source.topic).toBe(fx.topics.ingest);
    expect(malformed.message).toMatch(/not valid JSON/);
    expect(Buffer.from(malformed.keyBase64, 'base64')).toEqual(Buffer.from([0x00, 0xff, 0x41]));
    expect(malformed.headers).toEqual([
      { name: 'x-note', value: null, valueBase64: Buffer.from([0x00, 0xc3, 0x28]).toString('base64') },
      { name: 'trace', value: 'plain', valueBase64: Buffer.from('plain').toString('base64') },
    ]);

    const notUtf8 = await letterOf('notUtf8');
    expect(notUtf8).toMatchObject({ code: 'INVALID_JSON', value: null, tenant: null });
    expect(Buffer.from(notUtf8.valueBase64, 'base64')).toEqual(POISON.notUtf8.value);

    expect(await letterOf('badField')).toMatchObject({ tenant: 'a', code: 'VALIDATION_FAILED', key: 'a-s', value: POISON.badField.value!.toString() });
    expect((await letterOf('badField')).message).toMatch(/data/);
    expect(await letterOf('wrongVersion')).toMatchObject({ tenant: 'b', code: 'WRONG_EXPECTED_VERSION' });
    const nul = await letterOf('nulField');
    expect(nul).toMatchObject({ tenant: 'a', code: 'VALIDATION_FAILED' });
    expect(nul.message).toContain('bad\\u0000key');

    const oversized = await letterOf('oversized');
    expect(oversized).toMatchObject({ code: 'TOO_LARGE', tenant: null, truncated: true, valueBytes: (POISON.oversized.value as Buffer).length });
    expect(Buffer.from(oversized.valueBase64, 'base64')).toEqual((POISON.oversized.value as Buffer).subarray(0, 64 * 1024));
    // The valid event of the same batches was appended.
    expect(await eventsWhere('id = $1', ['ok-1'])).toBe(1);
  });

  it('filters by code, topic, partition and replayed, and pages newest first by page or cursor', async () => {
    const all = await letters();
    expect(all.map((l) => l.id)).toEqual([...all.map((l) => l.id)].sort((x, y) => y - x));
    expect((await letters('tenant=*&code=VALIDATION_FAILED')).map((l) => l.code)).toEqual(['VALIDATION_FAILED', 'VALIDATION_FAILED', 'VALIDATION_FAILED']);
    expect(await letters(`tenant=*&topic=${fx.topics.ingest}`)).toHaveLength(all.length);
    expect(await letters('tenant=*&topic=some.other.topic')).toHaveLength(0);
    const p = at.badField.partition;
    expect((await letters(`tenant=*&partition=${p}`)).every((l) => l.source.partition === p)).toBe(true);
    expect((await letters(`tenant=*&partition=${p}`)).length).toBe(all.filter((l) => l.source.partition === p).length);
    expect(await letters('tenant=*&from=2000-01-01T00:00:00Z&to=2000-01-02T00:00:00Z')).toHaveLength(0);

    const walked: number[] = [];
    let cursor: string | null = null;
    do {
      const r: any = await get(`/v1/dead-letters?tenant=*&pageSize=3${cursor ? `&cursor=${encodeURIComponent(cursor)}` : ''}`);
      expect(r.status).toBe(200);
      expect(r.body.totalCount).toBe(all.length);
      walked.push(...r.body.deadLetters.map((l: any) => l.id));
      cursor = r.body.nextCursor;
    } while (cursor);
    expect(walked).toEqual(all.map((l) => l.id));
    const page2 = await get('/v1/dead-letters?tenant=*&page=2&pageSize=3');
    expect(page2.body.deadLetters.map((l: any) => l.id)).toEqual(all.slice(3, 6).map((l) => l.id));
  });

  it('counts them per code in /v1/stats, per tenant, and all of them with tenant=*', async () => {
    const a = await get('/v1/stats?tenant=a');
    expect(a.status).toBe(200);
    expect(a.body.deadLetters.byCode).toEqual({ VALIDATION_FAILED: 3 });
    const b = await get('/v1/stats', TOKENS.b);
    expect(b.body.deadLetters).toMatchObject({ total: 1, byCode: { WRONG_EXPECTED_VERSION: 1 } });
    const every = await get('/v1/stats?tenant=*');
    expect(every.body.deadLetters.byCode).toMatchObject({ INVALID_JSON: 2, TOO_LARGE: 1, WRONG_EXPECTED_VERSION: 1 });
    expect(every.body.deadLetters.total).toBe((await letters()).length);
  });

  it('shows a tenant-scoped token its tenant’s dead letters only; those of no known tenant only to a token of every tenant', async () => {
    const ofA = await letters('', TOKENS.a);
    expect(ofA.length).toBeGreaterThan(0);
    expect(ofA.every((l) => l.tenant === 'a')).toBe(true);
    expect((await letters('', TOKENS.b)).map((l) => l.tenant)).toEqual(['b']);
    expect((await get('/v1/dead-letters?tenant=*', TOKENS.a)).status).toBe(403);
    expect((await get('/v1/dead-letters?tenant=b', TOKENS.a)).status).toBe(403);
    expect((await call('GET', '/v1/dead-letters?tenant=*')).status).toBe(401);
    expect((await get('/v1/stats?tenant=*', TOKENS.b)).status).toBe(403);
    // Replay: another tenant's, or one of no known tenant, is not there for a scoped token.
    const wrongVersion = await letterOf('wrongVersion');
    const malformed = await letterOf('malformed');
    expect((await post(`/v1/dead-letters/${wrongVersion.id}/replay`, {}, TOKENS.a)).status).toBe(404);
    expect((await post(`/v1/dead-letters/${malformed.id}/replay`, {}, TOKENS.a)).status).toBe(404);
    // Replay needs the publish scope; a corrected value cannot move the event to another tenant.
    const badField = await letterOf('badField');
    expect((await post(`/v1/dead-letters/${badField.id}/replay`, {}, TOKENS.aReader)).status).toBe(403);
    const moved = await post(`/v1/dead-letters/${badField.id}/replay`, { value: { tenant: 'b', stream: 'a-s', type: 'T' } }, TOKENS.a);
    expect(moved.status).toBe(400);
    expect(moved.body.details[0].field).toBe('value.tenant');
    expect((await letterOf('badField')).replay).toBeNull();
  });

  it('replays a corrected record once, however often it is replayed', async () => {
    const badField = await letterOf('badField');
    const renamed = await post(`/v1/dead-letters/${badField.id}/replay`, { value: { id: 'other', stream: 'a-s', type: 'T' } }, TOKENS.a);
    expect(renamed.status).toBe(400);
    expect(renamed.body.details[0].field).toBe('value.id');

    const corrected = { stream: 'a-s', type: 'T', data: { fixed: true } };
    const first = await post(`/v1/dead-letters/${badField.id}/replay`, { value: corrected }, TOKENS.a);
    expect(first.status).toBe(202);
    expect(first.body).toMatchObject({ id: badField.id, to: { topic: fx.topics.ingest } });
    await waitFor(() => eventsWhere(`tenant = 'a' AND id = 'bad-1'`, []), (n) => n === 1, { timeoutMs: 60000, what: 'the corrected bad-1' });
    const second = await post(`/v1/dead-letters/${badField.id}/replay`, { value: corrected }, TOKENS.a);
    expect(second.status).toBe(202);
    await settle('a-s');
    expect(await eventsWhere(`tenant = 'a' AND id = 'bad-1' AND data = '{"fixed": true}'`, [])).toBe(1);
    const replayed = await letterOf('badField');
    expect(replayed.replay).toMatchObject({ count: 2, to: second.body.to });
    expect((await letters('tenant=a&replayed=true')).map((l) => l.id)).toEqual([badField.id]);
  });

  it('gives a replayed record without an id the id its first record would have had, so a second replay is a duplicate', async () => {
    const noId = await letterOf('noId');
    const derived = `kafka:${fx.topics.ingest}:${at.noId.partition}:${at.noId.offset}`;
    const withId = await post(`/v1/dead-letters/${noId.id}/replay`, { value: { id: 'mine', stream: 'a-s2', type: 'T' } }, TOKENS.a);
    expect(withId.body.details[0].field).toBe('value.id');
    for (let i = 0; i < 2; i++) {
      expect((await post(`/v1/dead-letters/${noId.id}/replay`, { value: { stream: 'a-s2', type: 'T', status: 'ok' } }, TOKENS.a)).status).toBe(202);
    }
    await waitFor(() => eventsWhere('id = $1', [derived]), (n) => n === 1, { timeoutMs: 60000, what: `event ${derived}` });
    await settle('a-s2');
    expect(await eventsWhere(`stream = 'a-s2'`, [])).toBe(1);
  });

  it('refuses to replay a record kept only in part, unless given a corrected value', async () => {
    const oversized = await letterOf('oversized');
    const refused = await post(`/v1/dead-letters/${oversized.id}/replay?tenant=*`, {});
    expect(refused.status).toBe(409);
    expect(refused.body.message).toMatch(/kept only in part.*corrected value/);
    // Its id is past the cut, unread: the replay takes the id derived from the record's coordinates.
    const withId = await post(`/v1/dead-letters/${oversized.id}/replay?tenant=*`, { value: { id: 'big-1', stream: 'big', type: 'T' } });
    expect(withId.body.details[0].field).toBe('value.id');
    const fixed = await post(`/v1/dead-letters/${oversized.id}/replay?tenant=*`, { value: { tenant: 'a', stream: 'big', type: 'T', data: { blob: 'small' } } });
    expect(fixed.status).toBe(202);
    const derived = `kafka:${fx.topics.ingest}:${at.oversized.partition}:${at.oversized.offset}`;
    await waitFor(() => eventsWhere(`tenant = 'a' AND id = $1`, [derived]), (n) => n === 1, { timeoutMs: 60000, what: derived });
  });

  it('replays in bulk by filter the dead letters not yet replayed, each landing once', async () => {
    // Refused while their stream does not exist; valid once it does.
    const early = [1, 2, 3].map((i) => ({ key: 'bulk-s', value: json({ tenant: 'bulk', stream: 'bulk-s', type: `Early${i}`, expectedVersion: 'stream_exists' }) }));
    for (const m of early) await produce(m);
    await waitFor(() => letters('tenant=bulk'), (l) => l.length === 3, { timeoutMs: 60000, what: 'three bulk dead letters' });
    await produce({ key: 'bulk-s', value: json({ id: 'bulk-created', tenant: 'bulk', stream: 'bulk-s', type: 'Created' }) });
    await waitFor(() => eventsWhere(`id = 'bulk-created'`, []), (n) => n === 1, { timeoutMs: 60000, what: 'bulk-created' });

    const first = await post('/v1/dead-letters/replay', { tenant: 'bulk', code: 'WRONG_EXPECTED_VERSION', limit: 2 });
    expect(first.status).toBe(200);
    expect(first.body.replayed).toHaveLength(2);
    expect(first.body).toMatchObject({ remaining: 1, truncated: 0 });
    const rest = await post('/v1/dead-letters/replay', { tenant: 'bulk', code: 'WRONG_EXPECTED_VERSION' });
    expect(rest.body.replayed).toHaveLength(1);
    expect(rest.body.remaining).toBe(0);
    expect((await post('/v1/dead-letters/replay', { tenant: 'bulk' })).body.replayed).toHaveLength(0);
    // Replayed again one by one: still once each.
    for (const l of await letters('tenant=bulk')) expect((await post(`/v1/dead-letters/${l.id}/replay?tenant=bulk`, {})).status).toBe(202);
    await settle('bulk-s');
    expect(await eventsWhere(`tenant = 'bulk' AND type LIKE 'Early%'`, [])).toBe(3);
    expect((await letters('tenant=bulk&replayed=false'))).toHaveLength(0);
    // A tenant-scoped token's bulk replay reads its tenant only.
    expect((await post('/v1/dead-letters/replay', { tenant: 'bulk' }, TOKENS.a)).status).toBe(403);
  });

  it.each([
    ['code', '/v1/dead-letters?code=NOPE'],
    ['partition', '/v1/dead-letters?partition=-1'],
    ['partition', '/v1/dead-letters?partition=1x'],
    ['topic', '/v1/dead-letters?topic=a%20b'],
    ['replayed', '/v1/dead-letters?replayed=maybe'],
    ['pageSize', '/v1/dead-letters?pageSize=0'],
    ['cursor', '/v1/dead-letters?cursor=abc'],
    ['from', '/v1/dead-letters?from=yesterday'],
    ['tenant', '/v1/dead-letters?tenant=%00'],
    ['tenant', '/v1/dead-letters?tenant=a&tenant=b'],
    ['code', '/v1/dead-letters?code=INVALID_JSON&code=TOO_LARGE'],
    ['unknown', '/v1/dead-letters?unknown=1'],
  ])('GET refuses a hostile %s with a 400 naming it', async (field, path) => {
    const r = await get(path);
    expect(r.status).toBe(400);
    expect(JSON.stringify(r.body.details)).toContain(field);
  });

  it.each([
    ['id', '/v1/dead-letters/abc/replay?tenant=*', {}],
    ['id', '/v1/dead-letters/0/replay?tenant=*', {}],
    ['value', '/v1/dead-letters/1/replay?tenant=*', { value: null }],
    ['value', '/v1/dead-letters/1/replay?tenant=*', { value: [1] }],
    ['value', '/v1/dead-letters/1/replay?tenant=*', { value: 'text' }],
    ['extra', '/v1/dead-letters/1/replay?tenant=*', { extra: 1 }],
    ['unknown', '/v1/dead-letters/1/replay?tenant=*&unknown=1', {}],
    ['value.message', '/v1/dead-letters/1/replay?tenant=*', { value: { message: '\ud800' } }],
    ['limit', '/v1/dead-letters/replay', { limit: 0 }],
    ['limit', '/v1/dead-letters/replay', { limit: '5' }],
    ['code', '/v1/dead-letters/replay', { code: null }],
    ['tenant', '/v1/dead-letters/replay', { tenant: 7 }],
  ])('POST refuses a hostile %s with a 400 naming it', async (field, path, body) => {
    const r = await post(path, body);
    expect(r.status).toBe(400);
    expect(JSON.stringify(r.body.details)).toContain(field);
  });

  it('stores whatever a record holds, in one statement that nothing in it can make fail (property, real Postgres)', async () => {
    // Any UTF-16 code units: NUL, lone surrogates, control characters.
    const anyText = fc.array(fc.integer({ min: 0, max: 0xffff }), { maxLength: 40 }).map((codes) => String.fromCharCode(...codes));
    const bytes = fc.oneof(fc.constant(null), fc.uint8Array({ maxLength: 300 }).map((b) => Buffer.from(b)), fc.constant(Buffer.alloc(DEAD_LETTER_KEPT_BYTES + 1, 0xff)));
    const letter = fc.record({
      key: bytes,
      value: bytes,
      headers: fc.dictionary(anyText, fc.oneof(bytes, anyText, fc.array(fc.uint8Array({ maxLength: 20 }).map((b) => Buffer.from(b)), { maxLength: 3 }))),
      message: anyText,
      tenant: fc.option(fc.string({ minLength: 1, maxLength: 64 }), { nil: undefined }),
      offset: fc.bigInt({ min: 0n, max: 2n ** 63n - 1n }).map(String),
    });
    const client = await fx.db.pool.connect();
    try {
      await fc.assert(
        fc.asyncProperty(fc.array(letter, { minLength: 1, maxLength: 5 }), async (generated) => {
          const inputs: DeadLetterInput[] = generated.map((g, i) => ({
            record: { topic: 'property.topic', partition: i, offset: g.offset, key: g.key, value: g.value, headers: g.headers as never },
            rejection: { code: RejectionCode.ValidationFailed, message: g.message },
            tenant: g.tenant,
          }));
          await client.query('BEGIN');
          try {
            await insertDeadLetters(client, inputs);
            // A redelivered batch finds its rows there.
            await insertDeadLetters(client, inputs);
            const { rows } = await client.query(`SELECT key, value, value_bytes FROM dead_letters WHERE source_topic = 'property.topic' ORDER BY source_partition`);
            expect(rows).toHaveLength(inputs.length);
            // Buffer.equals: jest's toEqual walks 64 KiB byte by byte.
            const same = (stored: Buffer | null, sent: Buffer | null) => (sent === null ? stored === null : stored !== null && stored.equals(sent.subarray(0, DEAD_LETTER_KEPT_BYTES)));
            rows.forEach((row, i) => {
              expect(same(row.key, inputs[i].record.key)).toBe(true);
              expect(same(row.value, inputs[i].record.value)).toBe(true);
              expect(row.value_bytes).toBe(inputs[i].record.value?.length ?? null);
            });
          } finally {
            await client.query('ROLLBACK');
          }
        }),
        { numRuns: 100 },
      );
    } finally {
      client.release();
    }
  }, 300_000);

  it('adds no statement to a batch without rejections, and one to a batch with any number of them', async () => {
    const statements: string[] = [];
    const pool = new Pool({ connectionString: fx.db.url, max: 1 });
    const connect = pool.connect.bind(pool) as () => Promise<PoolClient>;
    // Every statement the repository sends on its client, by its first words.
    const counted = new WeakSet<PoolClient>();
    (pool as unknown as { connect: () => Promise<PoolClient> }).connect = async () => {
      const client = await connect();
      if (counted.has(client)) return client;
      counted.add(client);
      const query = client.query.bind(client) as (...args: unknown[]) => unknown;
      (client as unknown as { query: (...args: unknown[]) => unknown }).query = (...args: unknown[]) => {
        const text = typeof args[0] === 'string' ? args[0] : 'COPY';
        statements.push(text.trim().split(/\s+/).slice(0, 2).join(' '));
        return query(...args);
      };
      return client;
    };
    const store = new EventStoreRepository(pool);
    const event = (id: string): NewEvent => ({
      id, tenant: 'count', stream: `count-${id}`, type: 'T', data: {}, metadata: {}, source: null, status: null, message: null,
      requestId: null, nodeId: id, parentNodeId: null, occurredAt: new Date(), expectedVersion: 'any', kafka: null,
    });
    const source = (offset: number) => ({ topic: 'count.topic', partition: 0, offset: String(offset), key: null, value: Buffer.from('x') });
    const letter = (offset: number): DeadLetterInput => ({ record: source(offset), rejection: { code: RejectionCode.InvalidJson, message: 'm' } });
    try {
      await store.appendBatch([event('v1'), event('v2')], [source(1), source(2)]);
      const valid = [...statements];
      statements.length = 0;
      // Two refused before, one refused by the transaction (expectedVersion), two appended.
      const wrong = { ...event('v3'), stream: 'count-v1', expectedVersion: 7 } as NewEvent;
      await store.appendBatch([event('v4'), wrong, event('v5')], [source(3), source(4), source(5)], [letter(6), letter(7)]);
      expect(statements).toEqual([...valid.slice(0, -1), 'INSERT INTO', 'COMMIT']);
      expect(valid.filter((s) => s.startsWith('INSERT INTO'))).toEqual([]);
      expect(await fx.db.count(`SELECT count(*)::int AS n FROM dead_letters WHERE source_topic = 'count.topic'`)).toBe(3);
      statements.length = 0;
      await store.appendBatch([], [], [letter(8)]);
      expect(statements).toEqual(['BEGIN', 'INSERT INTO', 'COMMIT']);
    } finally {
      await pool.end();
    }
  });

  it('answers 404 for a dead letter that does not exist', async () => {
    expect((await post('/v1/dead-letters/999999/replay?tenant=*', {})).status).toBe(404);
  });

  it('console: lists dead letters with their reasons, filters by code, and replays a corrected one', async () => {
    await produce({ key: 'ui-s', value: json({ id: 'ui-1', tenant: 'ui', stream: 'ui-s', type: 'UiChecked', data: 5 }) });
    await waitFor(() => letters('tenant=ui'), (l) => l.length === 1, { timeoutMs: 60000, what: 'the ui dead letter' });
    const browser = await launchChromium();
    try {
      const page = await browser.newPage();
      await page.setViewport({ width: 1360, height: 900 });
      await page.evaluateOnNewDocument((token) => sessionStorage.setItem('eventlog.token', token), TOKENS.admin);
      const idle = () => page.waitForFunction(() => !document.querySelector('.spinner'), { timeout: 15000 });

      await page.goto(`${fx.query.url}/ui/dead-letters?tenant=*`, { waitUntil: 'networkidle0' });
      await page.waitForSelector('table.dead-letters tbody tr');
      await idle();
      const all = await letters();
      expect(await page.$eval('[data-testid="dead-letters-total"]', (e) => e.textContent)).toBe(`${all.length} dead letters`);
      expect(await page.$$eval('table.dead-letters tbody tr', (rows) => rows.map((r) => Number((r as HTMLElement).dataset.id)))).toEqual(all.map((l) => l.id));
      expect(await page.$eval('nav a[aria-current="page"]', (a) => a.textContent)).toBe('Dead letters');
      const text = await page.evaluate(() => document.body.innerText);
      expect(text).toContain('WRONG_EXPECTED_VERSION');
      const malformedRow = `table.dead-letters tbody tr[data-id="${(await letterOf('malformed')).id}"]`;
      expect(await page.$eval(`${malformedRow} td.source`, (e) => (e as HTMLElement).innerText)).toBe(
        `${fx.topics.ingest}\npartition ${at.malformed.partition}, offset ${at.malformed.offset}`,
      );
      await screenshot(page, 'dead-letters');
      const violations = await axeViolations(page);
      if (violations.length) console.log(`axe on dead letters: ${violations.map((v) => `${v.id} (${v.impact}) ${v.nodes.length}x`).join('; ')}`);
      expect(violations.filter((v) => v.impact === 'critical')).toEqual([]);

      await page.select('select[name="code"]', 'TOO_LARGE');
      await page.waitForFunction(() => new URLSearchParams(location.search).get('code') === 'TOO_LARGE');
      await page.waitForFunction(() => document.querySelectorAll('table.dead-letters tbody tr').length === 1, { timeout: 15000 });
      expect(await texts(page, 'table.dead-letters tbody .badge')).toEqual(['TOO_LARGE']);

      await page.goto(`${fx.query.url}/ui/dead-letters?tenant=ui`, { waitUntil: 'networkidle0' });
      await page.waitForSelector('table.dead-letters tbody tr');
      await page.click('table.dead-letters tbody tr .replay summary');
      await page.$eval('table.dead-letters tbody tr .replay textarea', (t) => {
        const area = t as HTMLTextAreaElement;
        area.value = JSON.stringify({ stream: 'ui-s', type: 'UiChecked', data: { n: 5 } });
        area.dispatchEvent(new Event('input', { bubbles: true }));
      });
      await page.evaluate(() => Array.from(document.querySelectorAll<HTMLButtonElement>('.replay button')).find((b) => b.textContent?.includes('with this value'))!.click());
      await page.waitForSelector('[data-testid="replayed"]', { timeout: 15000 });
      expect(await page.$eval('.ok-note', (e) => e.textContent)).toMatch(/^Replayed to partition \d+ at offset \d+\.$/);
      await waitFor(() => eventsWhere(`tenant = 'ui' AND id = 'ui-1' AND data = '{"n": 5}'`, []), (n) => n === 1, { timeoutMs: 60000, what: 'ui-1 replayed' });
      await screenshot(page, 'dead-letters-replayed');
    } finally {
      await browser.close();
    }
  }, 300_000);
});
