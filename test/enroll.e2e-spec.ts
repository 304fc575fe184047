import { Consumer, IHeaders } from 'kafkajs';
import { QUERY_TOPICS, replyTopicOf } from '@eventlog/contracts';
import { AppProcess } from './support/app-process';
import { uniqueSuffix } from './support/env';
import { kafka } from './support/kafka';
import { QueryFixture } from './support/query-fixture';
import { waitFor } from './support/wait-for';

/*
 * Enroll (issue 16, item 1): workers claim the oldest source event that has no job of the target
 * type yet, exactly once however many race. Two query processes serve the claims, so claimers of
 * different processes race for the same sources and only the log's append decides between them.
 */

const TOKENS = {
  worker: 'token-enroll-worker-every-tenant',
  reader: 'token-enroll-reader-only-xxxxxx',
  acme: 'token-enroll-acme-publish-xxxxxx',
};
const AUTH_TOKENS = JSON.stringify({
  [TOKENS.worker]: { tenants: ['*'], scopes: ['read', 'publish'] },
  [TOKENS.reader]: { tenants: ['*'], scopes: ['read'] },
  [TOKENS.acme]: { tenants: ['acme'], scopes: ['publish'] },
});
const WORKERS = 8;
const RACE_SOURCES = 1000;

type Reply = { status: number; body: any };

describe('enroll', () => {
  let fx: QueryFixture;
  let second: AppProcess;
  let consumer: Consumer;
  const replies = new Map<string, { value: string | null; headers: IHeaders }>();
  const topic = () => fx.topicPrefix + QUERY_TOPICS.enroll;

  /**
   * Source events of one tenant: builds in a request each, nodes named by their ids. One stream, so
   * one partition: the log stores them in this order, and "oldest" is the lowest position.
   */
  const sources = (tenant: string, n: number, extra: (i: number) => object = () => ({})) =>
    Array.from({ length: n }, (_, i) => ({
      id: `${tenant}-src-${i}`,
      tenant,
      stream: `${tenant}-pipeline`,
      type: 'BuildFinished',
      requestId: `${tenant}-req-${i}`,
      status: 'success',
      data: { n: i },
      ...extra(i),
    }));

  async function seed(events: Record<string, unknown>[]) {
    const before = await fx.db.count();
    await fx.produce(events);
    await fx.waitForEvents(before + events.length);
  }

  async function http(body: unknown, token: string | null = TOKENS.worker, url = fx.query.url): Promise<Reply> {
    const headers: Record<string, string> = { 'content-type': 'application/json' };
    if (token) headers['x-auth-token'] = token;
    const res = await fetch(`${url}/v1/enroll`, { method: 'POST', headers, body: typeof body === 'string' ? body : JSON.stringify(body) });
    const text = await res.text();
    return { status: res.status, body: text ? JSON.parse(text) : undefined };
  }

  /** A request on eventlog.query.enroll; the reply's value, or its error header. */
  async function overKafka(body: unknown, token: string | null = TOKENS.worker, replyPartition = 0): Promise<{ error?: any; value?: any }> {
    const id = `corr-${uniqueSuffix()}-${uniqueSuffix()}`;
    const headers: IHeaders = { kafka_correlationId: id, kafka_replyTopic: replyTopicOf(topic()), kafka_replyPartition: String(replyPartition) };
    if (token) headers['x-auth-token'] = token;
    await fx.kafka.produce(topic(), [{ value: typeof body === 'string' ? body : JSON.stringify(body), headers }]);
    const reply = (await waitFor(async () => replies.get(id), Boolean, { timeoutMs: 30000, intervalMs: 20, what: `reply ${id}` }))!;
    replies.delete(id);
    const error = reply.headers['kafka_nest-err'];
    return error ? { error: JSON.parse(error.toString()) } : { value: JSON.parse(reply.value!) };
  }

  /** A worker's outcome, published like any event: same stream (after its claim) and node. */
  async function finish(claim: any, status: 'success' | 'fail') {
    const res = await fetch(`${fx.query.url}/v1/events?wait=true`, {
      method: 'POST',
      headers: { 'content-type': 'application/json', 'x-auth-token': TOKENS.worker },
      body: JSON.stringify({
        tenant: claim.tenant,
        stream: claim.stream,
        type: claim.type,
        nodeId: claim.nodeId,
        parentNodeId: claim.parentNodeId,
        requestId: claim.requestId,
        status,
        source: claim.source,
        expectedVersion: claim.version,
      }),
    });
    expect(res.status).toBe(201);
  }

  const claimsIn = (tenant: string) =>
    fx.db.pool
      .query<{ id: string; stream: string; version: string; source_id: string; status: string }>(
        `SELECT id, stream, version, data #>> '{source,id}' AS source_id, status FROM events WHERE tenant = $1 AND type = 'Deploy' ORDER BY position`,
        [tenant],
      )
      .then((r) => r.rows);

  beforeAll(async () => {
    // Claims stay `running` for as long as the race takes: on a loaded machine that can pass the default
    // CHAIN_STALL_AFTER, and the detector's ChainStalled events would then count as written events here.
    fx = await QueryFixture.start('enroll', { AUTH_TOKENS }, { CHAIN_STALL_AFTER: '1h' });
    second = await AppProcess.start('query', 'enroll-query-2', fx.queryEnv({ AUTH_TOKENS }));
    consumer = kafka.consumer({ groupId: `${fx.topics.group}.enroll.${uniqueSuffix()}`, maxWaitTimeInMs: 20 });
    let joined = false;
    consumer.on(consumer.events.GROUP_JOIN, () => (joined = true));
    await consumer.connect();
    await consumer.subscribe({ topics: [replyTopicOf(topic())] });
    await consumer.run({
      eachMessage: async ({ message }) => {
        replies.set(String(message.headers?.kafka_correlationId), { value: message.value?.toString() ?? null, headers: message.headers ?? {} });
      },
    });
    await waitFor(async () => joined, Boolean, { what: 'reply consumer to join' });
  }, 120000);
  afterAll(async () => {
    await consumer?.disconnect();
    await second?.stop();
    await fx?.stop();
  });

  /** Every source claimed once: as many claims as sources, each naming a different source. */
  async function expectEachClaimedOnce(tenant: string, claims: any[], expectedSources: string[]) {
    expect(claims).toHaveLength(expectedSources.length);
    expect(new Set(claims.map((c) => c.data.source.id))).toEqual(new Set(expectedSources));
    for (const c of claims) {
      expect(c).toMatchObject({ tenant, type: 'Deploy', status: 'running', version: 1, data: { attempt: 1 } });
      expect(c.parentNodeId).toBe(c.data.source.id); // the source's node (its id: none was given)
      expect(c.requestId).toBe(c.data.source.id.replace('-src-', '-req-'));
      expect(c.nodeId).toBe(c.stream);
    }
    // What the log holds, not only what was answered: one Deploy per source, none twice, none missed.
    const stored = await claimsIn(tenant);
    expect(stored).toHaveLength(expectedSources.length);
    expect(new Set(stored.map((r) => r.source_id))).toEqual(new Set(expectedSources));
    expect(new Set(stored.map((r) => r.stream)).size).toBe(expectedSources.length);
    expect(new Set(claims.map((c) => c.position)).size).toBe(claims.length);
  }

  it(`${WORKERS} workers over HTTP, on two query processes, claim each of ${RACE_SOURCES} sources exactly once`, async () => {
    const tenant = 'race-http';
    const seeded = sources(tenant, RACE_SOURCES);
    await seed(seeded);
    const claims: any[] = [];
    const workers = Array.from({ length: WORKERS }, async (_, w) => {
      const url = w % 2 === 0 ? fx.query.url : second.url;
      for (;;) {
        const reply = await http({ tenant, sourceType: 'BuildFinished', targetType: 'Deploy', sender: `worker-${w}` }, TOKENS.worker, url);
        if (reply.status === 204) return;
        expect(reply.status).toBe(201);
        expect(reply.body.source).toBe(`worker-${w}`);
        claims.push(reply.body);
      }
    });
    await Promise.all(workers);
    await expectEachClaimedOnce(tenant, claims, seeded.map((s) => s.id));
    // The oldest first: the first claim answered is of the first source.
    expect(claims[0].data.source.id).toBe(`${tenant}-src-0`);
    // Nothing left: a ninth worker gets 204 too.
    expect((await http({ tenant, sourceType: 'BuildFinished', targetType: 'Deploy', sender: 'late' })).status).toBe(204);
  }, 300000);

  it(`${WORKERS} workers over the request topic (two consumers of the group) claim each of ${RACE_SOURCES} sources exactly once`, async () => {
    const tenant = 'race-kafka';
    const seeded = sources(tenant, RACE_SOURCES);
    await seed(seeded);
    const claims: any[] = [];
    const workers = Array.from({ length: WORKERS }, async (_, w) => {
      for (;;) {
        const reply = await overKafka({ tenant, sourceType: 'BuildFinished', targetType: 'Deploy', sender: `worker-${w}` }, TOKENS.worker, w % 6);
        expect(reply.error).toBeUndefined();
        if (reply.value === null) return;
        expect(reply.value.source).toBe(`worker-${w}`);
        claims.push(reply.value);
      }
    });
    await Promise.all(workers);
    await expectEachClaimedOnce(tenant, claims, seeded.map((s) => s.id));
  }, 300000);

  it('a claim is an event like any other: the reply is the stored claim, relayed to the outbound topic with its position, and a child of its source in the trace', async () => {
    const tenant = 'traced';
    await seed(sources(tenant, 1, () => ({ requestId: 'traced-req', nodeId: 'build' })));
    const { status, body: claim } = await http({ tenant, sourceType: 'BuildFinished', targetType: 'Deploy', sender: 'w', description: 'deploying build' });
    expect(status).toBe(201);
    expect(claim).toMatchObject({ message: 'deploying build', parentNodeId: 'build', requestId: 'traced-req', kafka: null });
    const outbound = await fx.kafka.readUntil(fx.topics.outbound, (seen) => seen.some((r) => r.headerText['eventlog-position'] === String(claim.position)), 'the claim');
    const record = outbound.find((r) => r.headerText['eventlog-position'] === String(claim.position))!;
    expect(record.key!.toString()).toBe(claim.stream);
    expect(record.headerText['eventlog-type']).toBe('Deploy');
    expect(JSON.parse(record.value!.toString())).toMatchObject({ id: claim.id, version: 1, status: 'running' });
    // The reply is built from the append's answer, not read back: it is the claim as stored.
    expect(claim).toEqual(JSON.parse(record.value!.toString()));
    const stored = await fetch(`${fx.query.url}/v1/events/${encodeURIComponent(claim.id)}?tenant=${tenant}`, { headers: { 'x-auth-token': TOKENS.worker } });
    expect(claim).toEqual(await stored.json());

    const trace = (await fetch(`${fx.query.url}/v1/traces/traced-req?tenant=${tenant}`, { headers: { 'x-auth-token': TOKENS.worker } }).then((r) => r.json())) as any;
    expect(trace.status).toBe('running');
    expect(trace.nodes).toHaveLength(1);
    expect(trace.nodes[0].nodeId).toBe('build');
    expect(trace.nodes[0].children.map((c: any) => [c.nodeId, c.status])).toEqual([[claim.stream, 'running']]);
    await finish(claim, 'success');
    const done = (await fetch(`${fx.query.url}/v1/traces/traced-req?tenant=${tenant}`, { headers: { 'x-auth-token': TOKENS.worker } }).then((r) => r.json())) as any;
    expect(done.status).toBe('success');
  }, 60000);

  it('filter: only sources matching the DSL where conditions are claimed, oldest first', async () => {
    const tenant = 'filtered';
    await seed(sources(tenant, 6, (i) => ({ data: { env: i % 2 ? 'prod' : 'dev', n: i } })));
    const body = { tenant, sourceType: 'BuildFinished', targetType: 'Deploy', sender: 'w', filter: [{ field: 'data.env', operator: 'eq', value: 'prod' }, { field: 'data.n', operator: 'gte', value: 2 }] };
    const got: string[] = [];
    for (;;) {
      const reply = await http(body);
      if (reply.status === 204) break;
      got.push(reply.body.data.source.id);
    }
    expect(got).toEqual([`${tenant}-src-3`, `${tenant}-src-5`]);
    // Another target type is another job: the same sources are claimable for it.
    expect((await http({ ...body, targetType: 'Notify', filter: undefined })).body.data.source.id).toBe(`${tenant}-src-0`);
  }, 60000);

  it('sequential: claims nothing while a targetType event of the tenant is running, even when workers race', async () => {
    const tenant = 'seq';
    await seed(sources(tenant, 3));
    const body = { tenant, sourceType: 'BuildFinished', targetType: 'Deploy', sender: 'w', sequential: true };
    // Eight sequential claimers at once, on both processes: exactly one gets a job.
    const first = await Promise.all(Array.from({ length: WORKERS }, (_, w) => http(body, TOKENS.worker, w % 2 ? second.url : fx.query.url)));
    expect(first.map((r) => r.status).sort()).toEqual([201, ...Array(WORKERS - 1).fill(204)]);
    const claim = first.find((r) => r.status === 201)!.body;
    expect(claim.data.source.id).toBe(`${tenant}-src-0`);
    expect((await overKafka(body)).value).toBeNull();
    // A parallel claimer is not held back, and its running job holds the sequential ones back too.
    const parallel = await http({ ...body, sequential: false });
    expect(parallel.body.data.source.id).toBe(`${tenant}-src-1`);
    await finish(claim, 'success');
    expect((await http(body)).status).toBe(204);
    await finish(parallel.body, 'success');
    const next = await http(body);
    expect(next.status).toBe(201);
    expect(next.body.data.source.id).toBe(`${tenant}-src-2`);
  }, 60000);

  it('retries: a failed job is claimed again while retries are left (up to maxRetries), then never', async () => {
    const tenant = 'retry';
    await seed(sources(tenant, 1));
    const body = { tenant, sourceType: 'BuildFinished', targetType: 'Deploy', sender: 'w', maxRetries: 2 };
    const attempts: any[] = [];
    for (let attempt = 1; attempt <= 3; attempt++) {
      const reply = await http(body);
      expect(reply.status).toBe(201);
      expect(reply.body).toMatchObject({ data: { attempt, source: { id: `${tenant}-src-0` } }, version: 2 * attempt - 1 });
      attempts.push(reply.body);
      // Running: not claimable, whatever the retries.
      expect((await http(body)).status).toBe(204);
      await finish(reply.body, 'fail');
    }
    // One claim and two retries, each failed: nothing more, also through the request topic.
    expect((await http(body)).status).toBe(204);
    expect((await overKafka(body)).value).toBeNull();
    expect(new Set(attempts.map((a) => a.stream)).size).toBe(1);
    expect(new Set(attempts.map((a) => a.nodeId)).size).toBe(1);
    // With no retries allowed, a failed job is never claimed again.
    expect((await http({ ...body, maxRetries: 0 })).status).toBe(204);
    // More retries allowed by a later caller: claimable again.
    expect((await http({ ...body, maxRetries: 3 })).body).toMatchObject({ data: { attempt: 4 } });

    // A job that succeeded is never claimed again.
    const done = 'retry-done';
    await seed(sources(done, 1));
    const claim = (await http({ ...body, tenant: done })).body;
    await finish(claim, 'success');
    expect((await http({ ...body, tenant: done, maxRetries: 100 })).status).toBe(204);
  }, 60000);

  it('retries race too: of eight claimers of one failed job, one wins the retry', async () => {
    const tenant = 'retry-race';
    await seed(sources(tenant, 1));
    const body = { tenant, sourceType: 'BuildFinished', targetType: 'Deploy', sender: 'w', maxRetries: 5 };
    await finish((await http(body)).body, 'fail');
    const replies = await Promise.all(Array.from({ length: WORKERS }, (_, w) => http(body, TOKENS.worker, w % 2 ? second.url : fx.query.url)));
    expect(replies.map((r) => r.status).sort()).toEqual([201, ...Array(WORKERS - 1).fill(204)]);
    // The log holds the first claim, its failure and one retry: attempts 1 and 2, no second 2.
    const claimIds = (await claimsIn(tenant)).filter((r) => r.status === 'running').map((r) => r.id.slice(-2));
    expect(claimIds).toEqual([':1', ':2']);
  }, 60000);

  describe('hostile bodies: 400 naming the field, on HTTP and on the request topic, nothing written', () => {
    const valid = { sourceType: 'BuildFinished', targetType: 'Deploy', sender: 'w', tenant: 'hostile' };
    const cases: [string, unknown, string][] = [
      ['sourceType missing', { ...valid, sourceType: undefined }, 'sourceType'],
      ['sourceType null', { ...valid, sourceType: null }, 'sourceType'],
      ['sourceType a number', { ...valid, sourceType: 5 }, 'sourceType'],
      ['sourceType empty', { ...valid, sourceType: '' }, 'sourceType'],
      ['sourceType too long', { ...valid, sourceType: 'x'.repeat(201) }, 'sourceType'],
      ['targetType null', { ...valid, targetType: null }, 'targetType'],
      ['targetType with a control character', { ...valid, targetType: 'De\u0001ploy' }, 'targetType'],
      ['sender missing', { ...valid, sender: undefined }, 'sender'],
      ['sender an array', { ...valid, sender: ['w'] }, 'sender'],
      ['sender with a lone surrogate', { ...valid, sender: 'w\ud800' }, 'sender'],
      ['description null', { ...valid, description: null }, 'description'],
      ['description too long', { ...valid, description: 'd'.repeat(4097) }, 'description'],
      ['sequential a string', { ...valid, sequential: 'true' }, 'sequential'],
      ['sequential null', { ...valid, sequential: null }, 'sequential'],
      ['maxRetries negative', { ...valid, maxRetries: -1 }, 'maxRetries'],
      ['maxRetries a fraction', { ...valid, maxRetries: 1.5 }, 'maxRetries'],
      ['maxRetries a string', { ...valid, maxRetries: '3' }, 'maxRetries'],
      ['maxRetries too large', { ...valid, maxRetries: 1e9 }, 'maxRetries'],
      ['an unknown field', { ...valid, lockTable: 'x' }, 'lockTable'],
      ['a __proto__ key', JSON.stringify(valid).replace('{', '{"__proto__":{"x":1},'), '__proto__'],
      ['tenant null', { ...valid, tenant: null }, 'tenant'],
      ['tenant a number', { ...valid, tenant: 7 }, 'tenant'],
      ['filter not an array', { ...valid, filter: 'type = 1' }, 'filter'],
      ['filter null', { ...valid, filter: null }, 'filter'],
      ['filter with a null condition', { ...valid, filter: [null] }, 'filter'],
      ['filter field SQL', { ...valid, filter: [{ field: "type'; DROP TABLE events; --", operator: 'eq', value: 'x' }] }, 'filter[0].field'],
      ['filter operator unknown', { ...valid, filter: [{ field: 'type', operator: 'LIKE', value: 'x' }] }, 'filter[0].operator'],
      ['filter path key hostile', { ...valid, filter: [{ field: 'data.a b', operator: 'eq', value: 1 }] }, 'filter[0].field'],
      ['filter value of the wrong type', { ...valid, filter: [{ field: 'version', operator: 'eq', value: "1 OR 1=1" }] }, 'filter[0].value'],
      ['filter value an object', { ...valid, filter: [{ field: 'data.n', operator: 'gt', value: { $gt: 1 } }] }, 'filter[0].value'],
      ['filter condition with an unknown key', { ...valid, filter: [{ field: 'type', operator: 'eq', value: 'x', sql: '1=1' }] }, 'filter[0].sql'],
      ['filter too many conditions', { ...valid, filter: Array(51).fill({ field: 'type', operator: 'exists' }) }, 'filter'],
    ];

    let before: number;
    beforeAll(async () => {
      await seed(sources('hostile', 2));
      before = await fx.db.count();
    });

    it.each(cases)('%s', async (_name, body, field) => {
      const reply = await http(body);
      expect(reply.status).toBe(400);
      expect(reply.body.details.map((d: any) => d.field)).toContain(field);
      const viaKafka = await overKafka(body);
      expect(viaKafka.error).toMatchObject({ statusCode: 400 });
      expect(viaKafka.error.details.map((d: any) => d.field)).toContain(field);
    });

    it('a body that is not a JSON object: 400', async () => {
      for (const body of ['{"sourceType":', '[]', '"x"', 'null']) {
        const reply = await http(body);
        expect(reply.status).toBe(400);
        expect(reply.body.details.length).toBeGreaterThan(0);
      }
    });

    it('none of them wrote anything', async () => {
      expect(await fx.db.count()).toBe(before);
    });
  });

  describe('tokens: the publish scope, and the tenant the token grants', () => {
    const body = { sourceType: 'BuildFinished', targetType: 'Deploy', sender: 'w' };

    beforeAll(() => seed([...sources('acme', 2), ...sources('globex', 2)]));

    it('401 without a token, 403 with a read-only token or for a tenant the token does not grant; over HTTP and Kafka', async () => {
      expect((await http({ ...body, tenant: 'acme' }, null)).status).toBe(401);
      expect((await http({ ...body, tenant: 'acme' }, 'not-a-token-at-all-xxxx')).status).toBe(401);
      expect((await http({ ...body, tenant: 'acme' }, TOKENS.reader)).status).toBe(403);
      expect((await http({ ...body, tenant: 'globex' }, TOKENS.acme)).status).toBe(403);
      expect((await overKafka({ ...body, tenant: 'acme' }, null)).error).toMatchObject({ statusCode: 401 });
      expect((await overKafka({ ...body, tenant: 'acme' }, TOKENS.reader)).error).toMatchObject({ statusCode: 403 });
      expect((await overKafka({ ...body, tenant: 'globex' }, TOKENS.acme)).error).toMatchObject({ statusCode: 403 });
      expect(await claimsIn('acme')).toHaveLength(0);
      expect(await claimsIn('globex')).toHaveLength(0);
    });

    it('a call naming no tenant claims in the token’s only tenant, never in another', async () => {
      const viaHttp = await http(body, TOKENS.acme);
      expect(viaHttp.status).toBe(201);
      expect(viaHttp.body).toMatchObject({ tenant: 'acme', data: { source: { id: 'acme-src-0' } } });
      const viaKafka = await overKafka(body, TOKENS.acme);
      expect(viaKafka.value).toMatchObject({ tenant: 'acme', data: { source: { id: 'acme-src-1' } } });
      expect((await http(body, TOKENS.acme)).status).toBe(204);
      expect(await claimsIn('globex')).toHaveLength(0);
    });
  });
});
