import { Consumer, IHeaders } from 'kafkajs';
import { QUERY_TOPICS, replyTopicOf } from '@eventlog/contracts';
import { uniqueSuffix } from './support/env';
import { kafka } from './support/kafka';
import { QueryFixture } from './support/query-fixture';
import { waitFor } from './support/wait-for';

const TOKENS = {
  a: 'token-tenant-a-read-publish',
  b: 'token-tenant-b-read-only-x',
  publisher: 'token-tenant-a-publish-only',
  admin: 'token-every-tenant-reader-x',
  limited: 'token-tenant-a-rate-limited',
};
const AUTH_TOKENS = JSON.stringify({
  [TOKENS.a]: { tenants: ['a'], scopes: ['read', 'publish'] },
  [TOKENS.b]: { tenants: ['b'], scopes: ['read'] },
  [TOKENS.publisher]: { tenants: ['a'], scopes: ['publish'] },
  [TOKENS.admin]: { tenants: ['*'], scopes: ['read'] },
  [TOKENS.limited]: { tenants: ['a'], scopes: ['read'] },
});
const RATE_LIMIT = 150;

/** Each tenant: one stream, and one request whose trace has a root and a child. */
const seed = (tenant: string) => [
  { id: `${tenant}-1`, tenant, stream: `${tenant}-orders`, type: 'Placed', requestId: `${tenant}-req`, nodeId: 'root', message: `secret of ${tenant}` },
  { id: `${tenant}-2`, tenant, stream: `${tenant}-orders`, type: 'Paid', requestId: `${tenant}-req`, nodeId: 'child', parentNodeId: 'root', message: `secret of ${tenant}` },
];

describe('access tokens and tenant isolation', () => {
  let fx: QueryFixture;

  beforeAll(async () => {
    fx = await QueryFixture.start('auth', { AUTH_TOKENS, RATE_LIMIT_PER_MINUTE: String(RATE_LIMIT) });
    await fx.produce([...seed('a'), ...seed('b')]);
    await fx.waitForEvents(4);
  });
  afterAll(() => fx?.stop());

  const call = async (method: 'GET' | 'POST', path: string, token?: string, body?: unknown, bearer = false) => {
    const headers: Record<string, string> = body === undefined ? {} : { 'content-type': 'application/json' };
    if (token) headers[bearer ? 'authorization' : 'x-auth-token'] = bearer ? `Bearer ${token}` : token;
    const res = await fetch(`${fx.query.url}${path}`, { method, headers, body: body === undefined ? undefined : JSON.stringify(body) });
    const live = res.status === 200 && path.startsWith('/v1/events/live');
    return { status: res.status, text: live ? await liveCatchUp(res) : await res.text() };
  };

  /** The live feed never ends: read its catch-up (every stored event of the tenant) and hang up. */
  async function liveCatchUp(res: Response): Promise<string> {
    const reader = res.body!.getReader();
    const decoder = new TextDecoder();
    let text = '';
    const deadline = Date.now() + 5000;
    while (!/"id":"[ab]-2"/.test(text) && Date.now() < deadline) {
      const { value, done } = await reader.read();
      if (done) break;
      text += decoder.decode(value, { stream: true });
    }
    await reader.cancel();
    return text;
  }

  interface Call {
    name: string;
    method: 'GET' | 'POST';
    path: string;
    body?: unknown;
  }
  /** Every read endpoint, for tenant `t` (`undefined`: the call names no tenant). */
  const reads = (t?: string): Call[] => {
    const q = t ? `tenant=${t}` : '';
    const p = t ?? 'a';
    const get = (name: string, path: string): Call => ({ name, method: 'GET', path });
    return [
      get('GET /v1/events', `/v1/events?${q}`),
      get('GET /v1/events/{id}', `/v1/events/${p}-1?${q}`),
      get('GET /v1/streams', `/v1/streams?${q}`),
      get('GET /v1/streams/{stream}', `/v1/streams/${p}-orders?${q}`),
      get('GET /v1/streams/{stream}/events', `/v1/streams/${p}-orders/events?${q}`),
      get('GET /v1/traces', `/v1/traces?status=running&${q}`),
      get('GET /v1/traces/{requestId}', `/v1/traces/${p}-req?${q}`),
      get('GET /v1/traces/{requestId}/nodes/{nodeId}', `/v1/traces/${p}-req/nodes/root?${q}`),
      { name: 'POST /v1/query', method: 'POST', path: '/v1/query', body: t ? { from: { tenant: t } } : {} },
      get('GET /v1/stats', `/v1/stats?${q}`),
      get('GET /v1/events/live', `/v1/events/live?fromPosition=0&${q}`),
    ];
  };

  // One object per row: jest hands a row's missing trailing values to the test as its `done` callback.
  it.each(reads('a'))('$name: 401 without a token, 401 with an unknown one', async ({ method, path, body }) => {
    expect((await call(method, path, undefined, body)).status).toBe(401);
    expect((await call(method, path, 'not-a-configured-token', body)).status).toBe(401);
  });

  it.each(reads('a'))("$name: 403 for another tenant's token", async ({ method, path, body }) => {
    const reply = await call(method, path, TOKENS.b, body);
    expect(reply.status).toBe(403);
    expect(reply.text).not.toContain('secret of a');
  });

  it.each(reads('a'))("$name: 200 with the tenant's own token (as a Bearer token), and only its data", async ({ method, path, body }) => {
    const reply = await call(method, path, TOKENS.a, body, true);
    expect(reply.status).toBe(200);
    expect(reply.text).not.toContain('secret of b');
  });

  it.each(reads(undefined))("$name: a call naming no tenant reads the token's only tenant", async ({ method, path, body }) => {
    const asA = await call(method, path, TOKENS.a, body);
    expect(asA.status).toBe(200);
    expect(asA.text).not.toContain('secret of b');
    // Tenant b's token asking for a's ids without naming a tenant reads tenant b: nothing of a's.
    const asB = await call(method, path, TOKENS.b, body);
    expect(asB.text).not.toContain('secret of a');
  });

  it('a token for every tenant reads each one when named', async () => {
    expect((await call('GET', '/v1/events?tenant=b', TOKENS.admin)).text).toContain('secret of b');
    expect((await call('GET', '/v1/events?tenant=a', TOKENS.admin)).text).toContain('secret of a');
  });

  it('publishing needs the publish scope and a granted tenant', async () => {
    const event = (tenant: string) => ({ tenant, stream: `${tenant}-orders`, type: 'Shipped' });
    expect((await call('POST', '/v1/events', undefined, event('a'))).status).toBe(401);
    expect((await call('POST', '/v1/events', TOKENS.b, event('b'))).status).toBe(403); // read-only
    expect((await call('POST', '/v1/events', TOKENS.a, event('b'))).status).toBe(403); // other tenant
    expect((await call('POST', '/v1/events', TOKENS.publisher, event('a'))).status).toBe(202);
    expect((await call('GET', '/v1/events?tenant=a', TOKENS.publisher)).status).toBe(403); // publish-only
    const published = await call('POST', '/v1/events?wait=true', TOKENS.a, { stream: 'a-orders', type: 'Shipped' });
    expect(published.status).toBe(201);
    expect(JSON.parse(published.text)).toMatchObject({ tenant: 'a' }); // no tenant named: the token's
    expect((await call('POST', '/v1/events/batch', TOKENS.a, [event('a'), event('b')])).status).toBe(403);
    expect((await call('POST', '/v1/events/batch', TOKENS.a, [event('a'), { stream: 'a-orders', type: 'X' }])).status).toBe(202);
  });

  it('leaves health, metrics and docs open', async () => {
    for (const path of ['/health', '/health/ready', '/metrics', '/docs']) expect((await call('GET', path)).status).toBe(200);
  });

  it(`limits each token to RATE_LIMIT_PER_MINUTE (${RATE_LIMIT}) requests a minute, with 429 beyond`, async () => {
    const statuses: number[] = [];
    for (let i = 0; i < RATE_LIMIT + 5; i++) statuses.push((await call('GET', '/v1/stats', TOKENS.limited)).status);
    expect(statuses.filter((s) => s === 200)).toHaveLength(RATE_LIMIT);
    expect(statuses.slice(RATE_LIMIT)).toEqual([429, 429, 429, 429, 429]);
    expect((await call('GET', '/v1/stats', TOKENS.a)).status).toBe(200); // another token is not affected
  });

  describe('Kafka request/reply with the x-auth-token header', () => {
    let consumer: Consumer;
    const replies = new Map<string, { value: string | null; headers: IHeaders }>();
    const topic = (name: keyof typeof QUERY_TOPICS) => fx.topicPrefix + QUERY_TOPICS[name];

    beforeAll(async () => {
      consumer = kafka.consumer({ groupId: `${fx.topics.group}.auth.${uniqueSuffix()}`, maxWaitTimeInMs: 50 });
      let joined = false;
      consumer.on(consumer.events.GROUP_JOIN, () => (joined = true));
      await consumer.connect();
      await consumer.subscribe({ topics: Object.keys(QUERY_TOPICS).map((k) => replyTopicOf(topic(k as keyof typeof QUERY_TOPICS))) });
      await consumer.run({
        eachMessage: async ({ message }) => {
          replies.set(String(message.headers?.kafka_correlationId), { value: message.value?.toString() ?? null, headers: message.headers ?? {} });
        },
      });
      await waitFor(async () => joined, Boolean, { what: 'reply consumer to join' });
    });
    afterAll(() => consumer?.disconnect());

    async function request(name: keyof typeof QUERY_TOPICS, value: object, token?: string) {
      const id = `corr-${uniqueSuffix()}`;
      const headers: IHeaders = { kafka_correlationId: id, kafka_replyTopic: replyTopicOf(topic(name)), kafka_replyPartition: '0' };
      if (token) headers['x-auth-token'] = token;
      await fx.kafka.produce(topic(name), [{ value: JSON.stringify(value), headers }]);
      const reply = (await waitFor(async () => replies.get(id), Boolean, { timeoutMs: 15000, what: `reply ${id}` }))!;
      const error = reply.headers['kafka_nest-err'];
      return { error: error ? JSON.parse(error.toString()) : undefined, value: reply.value };
    }

    const requests: [keyof typeof QUERY_TOPICS, object, object][] = [
      ['events', { tenant: 'a' }, {}],
      ['event', { id: 'a-1', tenant: 'a' }, { id: 'a-1' }],
      ['stream', { stream: 'a-orders', tenant: 'a' }, { stream: 'a-orders' }],
      ['trace', { requestId: 'a-req', tenant: 'a' }, { requestId: 'a-req' }],
      ['traceNode', { requestId: 'a-req', nodeId: 'root', tenant: 'a' }, { requestId: 'a-req', nodeId: 'root' }],
      ['dsl', { from: { tenant: 'a' } }, {}],
      ['stats', { tenant: 'a' }, {}],
    ];

    it.each(requests)('%s: 401 without a token, 403 for another tenant, the data with the right one', async (name, forA, unnamed) => {
      expect((await request(name, forA)).error).toMatchObject({ statusCode: 401 });
      const other = await request(name, forA, TOKENS.b);
      expect(other.error).toMatchObject({ statusCode: 403 });
      const own = await request(name, forA, TOKENS.a);
      expect(own.error).toBeUndefined();
      expect(own.value).toMatch(/"a-|"tenant":"a"/); // ids of a's, or (stats) a's figures
      expect(own.value).not.toContain('secret of b');
      // Naming no tenant with b's token reads tenant b, never a.
      const asB = await request(name, unnamed, TOKENS.b);
      expect(asB.value ?? '').not.toContain('secret of a');
      expect(asB.value ?? '').not.toContain('"tenant":"a"');
    });
  });
});
