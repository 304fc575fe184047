import { AppProcess } from './support/app-process';
import { QueryFixture } from './support/query-fixture';

/*
 * POST /graphql against a real query process reading a database that ingest filled from Kafka:
 * every query field answers what the REST endpoint it stands for answers for the same data; hostile
 * documents are refused with GraphQL errors; tokens and tenants are held as on REST.
 */

const TOKENS = {
  acme: 'token-acme-reader-graphql',
  globex: 'token-globex-reader-graphql',
  admin: 'token-every-tenant-graphql-x',
  publisher: 'token-acme-publish-only-gql',
};
const AUTH_TOKENS = JSON.stringify({
  [TOKENS.acme]: { tenants: ['acme'], scopes: ['read'] },
  [TOKENS.globex]: { tenants: ['globex'], scopes: ['read'] },
  [TOKENS.admin]: { tenants: ['*'], scopes: ['read'] },
  [TOKENS.publisher]: { tenants: ['acme'], scopes: ['publish'] },
});

const base = Date.UTC(2024, 5, 1, 8, 0, 0);
const at = (second: number) => new Date(base + second * 1000).toISOString();
const TYPES = ['OrderPlaced', 'OrderPaid', 'OrderShipped'];

/** 60 order events in three streams, with data, metadata, statuses, sources and messages. */
const orders = (tenant: string) =>
  Array.from({ length: 60 }, (_, i) => ({
    id: `${tenant}-order-${i}`,
    tenant,
    stream: `order-${i % 3}`,
    type: TYPES[i % 3],
    source: i % 4 === 0 ? 'shop' : 'billing',
    status: i % 7 === 0 ? 'fail' : 'success',
    message: `order ${i % 3} step ${i} of ${tenant}`,
    occurredAt: at(i * 60 + (i % 5)), // several events share a second bucket, none the same time
    data: { amount: 10 * (i % 9), currency: i % 2 ? 'EUR' : 'USD', lines: [{ sku: `sku-${i % 4}` }] },
    metadata: { region: i < 30 ? 'eu' : 'us' },
  }));

/** A chain five levels deep: root → (a, b) → a1 → a1x → a1xy; node a fails at last. */
const step = (tenant: string, id: string, nodeId: string, parentNodeId: string | undefined, status: string, second: number) => ({
  id: `${tenant}-${id}`, tenant, stream: `deploy-${tenant}`, type: 'Step', requestId: 'req-tree', nodeId, parentNodeId, status, occurredAt: at(5000 + second),
  message: `secret step of ${tenant}`,
});
const tree = (tenant: string) => [
  step(tenant, 't1', 'root', undefined, 'running', 0),
  step(tenant, 't2', 'a', 'root', 'running', 1),
  step(tenant, 't3', 'b', 'root', 'running', 2),
  step(tenant, 't4', 'a1', 'a', 'running', 3),
  step(tenant, 't5', 'a1x', 'a1', 'running', 4),
  step(tenant, 't6', 'a1xy', 'a1x', 'success', 5),
  step(tenant, 't7', 'a1x', 'a1', 'success', 6),
  step(tenant, 't8', 'a1', 'a', 'success', 7),
  step(tenant, 't9', 'b', 'root', 'success', 8),
  step(tenant, 't10', 'a', 'root', 'fail', 9),
  step(tenant, 't11', 'root', undefined, 'success', 10),
];
const SEED = [...orders('acme'), ...tree('acme'), ...orders('globex'), ...tree('globex')];

const EVENT_FIELDS = `id tenant stream version position type data metadata source status message requestId nodeId parentNodeId
  occurredAt recordedAt kafka { topic partition offset }`;
const NODE_FIELDS = `nodeId parentNodeId status startedAt endedAt events { ${EVENT_FIELDS} }`;
/** A trace node with its children to `levels` levels, every field of each. */
const nodeTree = (levels: number): string => `${NODE_FIELDS}${levels > 0 ? ` children { ${nodeTree(levels - 1)} }` : ''}`;

interface GraphqlReply {
  status: number;
  body: { data?: Record<string, any> | null; errors?: { message: string; path?: string[]; extensions?: Record<string, any> }[] };
}

describe('GraphQL at /graphql', () => {
  let fx: QueryFixture;

  beforeAll(async () => {
    fx = await QueryFixture.start('graphql', { AUTH_TOKENS });
    await fx.produce(SEED);
    await fx.waitForEvents(SEED.length);
  });
  afterAll(() => fx?.stop());

  const graphql = async (query: string, variables?: Record<string, unknown>, token: string = TOKENS.admin): Promise<GraphqlReply> => {
    const headers: Record<string, string> = { 'content-type': 'application/json' };
    if (token) headers['x-auth-token'] = token;
    const res = await fetch(`${fx.query.url}/graphql`, { method: 'POST', headers, body: JSON.stringify({ query, variables }) });
    return { status: res.status, body: (await res.json()) as GraphqlReply['body'] };
  };
  const rest = async (path: string, body?: unknown) => {
    const res = await fetch(`${fx.query.url}${path}`, {
      method: body === undefined ? 'GET' : 'POST',
      headers: { 'x-auth-token': TOKENS.admin, ...(body === undefined ? {} : { 'content-type': 'application/json' }) },
      body: body === undefined ? undefined : JSON.stringify(body),
    });
    return { status: res.status, body: (await res.json()) as any };
  };
  /** The data of a reply that must have no errors. */
  const data = (reply: GraphqlReply) => {
    expect(reply.body.errors).toBeUndefined();
    expect(reply.status).toBe(200);
    return reply.body.data!;
  };

  describe('answers what REST answers', () => {
    it.each([
      { name: 'the default order', args: '', query: '' },
      { name: 'a filter, ascending by position', args: 'filter: {streamPrefix: "order-", type: ["OrderPaid", "OrderShipped"], source: "billing"}, sort: position, order: asc', query: 'streamPrefix=order-&type=OrderPaid,OrderShipped&source=billing&sort=position&order=asc' },
      { name: 'a time window and a message search', args: `filter: {from: "${at(600)}", to: "${String(base + 3000 * 1000)}", q: "STEP 1"}`, query: `from=${encodeURIComponent(at(600))}&to=${base + 3000 * 1000}&q=STEP%201` },
    ])('events(filter, first, after) pages like GET /v1/events with pageSize and cursor: $name', async ({ args, query }) => {
      let after: string | null = null;
      let cursor: string | null = null;
      let pages = 0;
      let seen = 0;
      // One document for every page, the cursor a variable: from its second run on, mercurius runs it compiled (graphql-jit).
      const document = `query Page($after: String) { events(tenant: "acme", first: 7${args ? `, ${args}` : ''}, after: $after) {
          totalCount nodes { ${EVENT_FIELDS} } pageInfo { hasNextPage endCursor } } }`;
      do {
        // The first page leaves `after` out: null is refused, as everywhere (see the null tests below).
        const reply: GraphqlReply = await graphql(document, after === null ? {} : { after });
        const page = data(reply).events;
        const expected = await rest(`/v1/events?tenant=acme&pageSize=7${query ? `&${query}` : ''}${cursor ? `&cursor=${encodeURIComponent(cursor)}` : ''}`);
        expect(expected.status).toBe(200);
        expect(page.nodes).toEqual(expected.body.events);
        expect(page.totalCount).toBe(expected.body.totalCount);
        expect(page.pageInfo).toEqual({ hasNextPage: expected.body.nextCursor !== null, endCursor: expected.body.nextCursor });
        seen += page.nodes.length;
        after = page.pageInfo.endCursor;
        cursor = expected.body.nextCursor;
        pages += 1;
      } while (after !== null && pages < 20);
      expect(after).toBeNull();
      const total = data(await graphql(`{ events(tenant: "acme"${args ? `, ${args}` : ''}) { totalCount } }`)).events.totalCount;
      expect(seen).toBe(total);
      expect(total).toBeGreaterThan(7); // more than one page was read
    });

    it('counts the total only when totalCount is selected, and a cursor from REST pages GraphQL', async () => {
      const first = await rest('/v1/events?tenant=acme&pageSize=5');
      const next = data(await graphql(`{ events(tenant: "acme", first: 5, after: ${JSON.stringify(first.body.nextCursor)}) { nodes { id } } }`));
      const expected = await rest(`/v1/events?tenant=acme&pageSize=5&cursor=${encodeURIComponent(first.body.nextCursor)}`);
      expect(next.events.nodes.map((e: { id: string }) => e.id)).toEqual(expected.body.events.map((e: { id: string }) => e.id));
      expect(data(await graphql('{ events(tenant: "acme", first: 1) { nodes { id } } }')).events).not.toHaveProperty('totalCount');
    });

    it('event(id) is GET /v1/events/{id}; an unknown id is null where REST says 404', async () => {
      const reply = data(await graphql(`{ event(tenant: "acme", id: "acme-order-17") { ${EVENT_FIELDS} } missing: event(tenant: "acme", id: "globex-order-17") { id } }`));
      expect(reply.event).toEqual((await rest('/v1/events/acme-order-17?tenant=acme')).body);
      expect(reply.event.kafka.topic).toBe(fx.topics.ingest);
      expect(reply.missing).toBeNull();
      expect((await rest('/v1/events/globex-order-17?tenant=acme')).status).toBe(404);
    });

    it.each([
      { args: '', query: '' },
      { args: ', fromVersion: 4, limit: 5', query: '?fromVersion=4&limit=5' },
      { args: ', direction: backward, limit: 3', query: '?direction=backward&limit=3' },
      { args: ', limit: 0', query: '?limit=0' },
    ])('stream(name$args) is GET /v1/streams/{stream}/events$query', async ({ args, query }) => {
      const reply = data(await graphql(`{ stream(tenant: "acme", name: "order-1"${args}) {
        stream version eventCount firstOccurredAt lastOccurredAt direction fromVersion count nextVersion events { ${EVENT_FIELDS} } } }`));
      const expected = await rest(`/v1/streams/order-1/events${query}${query ? '&' : '?'}tenant=acme`);
      expect(expected.status).toBe(200);
      expect(reply.stream).toEqual(expected.body);
      expect(data(await graphql('{ stream(tenant: "acme", name: "no-such-stream") { version } }')).stream).toBeNull();
    });

    it('trace(requestId) is GET /v1/traces/{requestId}, with nested children to the leaves', async () => {
      const reply = data(await graphql(`{ trace(tenant: "acme", requestId: "req-tree") {
        requestId status startedAt endedAt durationMs eventCount truncated events { ${EVENT_FIELDS} } nodes { ${nodeTree(5)} } } }`));
      const expected = await rest('/v1/traces/req-tree?tenant=acme');
      expect(reply.trace).toEqual(expected.body);
      expect(reply.trace).toMatchObject({ status: 'fail', durationMs: 10_000, eventCount: 11 });
      // root → a → a1 → a1x → a1xy: the fifth level holds the leaf
      expect(reply.trace.nodes[0].children[0].children[0].children[0].children[0]).toMatchObject({ nodeId: 'a1xy', status: 'success', children: [] });
      expect(data(await graphql('{ trace(tenant: "acme", requestId: "no-such-request") { status } }')).trace).toBeNull();
    });

    it('stats is GET /v1/stats, its count maps as {key, count} lists', async () => {
      const query = `from=${encodeURIComponent(at(0))}&to=${encodeURIComponent(at(2400))}`;
      for (const [args, path] of [
        ['tenant: "acme"', '/v1/stats?tenant=acme'],
        [`tenant: "acme", stream: "order-2", from: "${at(0)}", to: "${at(2400)}"`, `/v1/stats?tenant=acme&stream=order-2&${query}`],
      ]) {
        const reply = data(await graphql(`{ stats(${args}) { tenant totalCount byType { key count } byStatus { key count } bySource { key count }
          streamCount firstOccurredAt lastOccurredAt ingestLag { records secondsSinceLastAppend lastPosition }
          deadLetters { total pending byCode { key count } } } }`));
        const expected = (await rest(path)).body;
        const entries = (list: { key: string; count: number }[]) => Object.fromEntries(list.map((c) => [c.key, c.count]));
        const stats = reply.stats;
        const deadLetters = { ...stats.deadLetters, byCode: entries(stats.deadLetters.byCode) };
        expect({ ...stats, byType: entries(stats.byType), byStatus: entries(stats.byStatus), bySource: entries(stats.bySource), deadLetters }).toEqual({
          ...expected,
          // seconds since the last append grow between the two calls
          ingestLag: { ...expected.ingestLag, secondsSinceLastAppend: expect.any(Number) },
        });
        expect(stats.totalCount).toBeGreaterThan(0);
      }
    });

    it.each([
      {
        name: 'where, select, orderBy, limit',
        dsl: { from: { tenant: 'acme', streamPrefix: 'order-' }, where: [{ field: 'data.amount', operator: 'gte', value: 40 }, { field: 'metadata.region', operator: 'eq', value: 'eu' }], select: ['id', 'type', 'data.amount'], orderBy: { field: 'data.amount', direction: 'asc' }, limit: 6 },
        selection: 'totalCount count events',
      },
      { name: 'whole events', dsl: { from: { tenant: 'acme' }, where: [{ field: 'type', operator: 'in', value: ['OrderPaid'] }], limit: 3, offset: 2 }, selection: 'totalCount count events' },
      { name: 'reduce with groupBy and interval', dsl: { from: { tenant: 'acme' }, reduce: { type: 'sum', field: 'data.amount', groupBy: ['type'], interval: '1h' } }, selection: 'groups { key bucket value }' },
      { name: 'collect', dsl: { from: { tenant: 'acme' }, reduce: { type: 'collect', field: 'data.currency', groupBy: ['stream'] } }, selection: 'groups { key value }' },
    ])('aggregate(dsl) is POST /v1/query: $name', async ({ dsl, selection }) => {
      const reply = data(await graphql(`query($dsl: JSON!) { aggregate(dsl: $dsl) { ${selection} } }`, { dsl }));
      const expected = await rest('/v1/query', dsl);
      expect(expected.status).toBe(200);
      expect(reply.aggregate).toEqual(expected.body);
      expect(JSON.stringify(reply.aggregate).length).toBeGreaterThan(30);
    });

    it('answers several fields in one request, each from its own tenant, also once the document is compiled', async () => {
      for (let run = 0; run < 3; run++) {
        const reply = data(await graphql('{ a: events(tenant: "acme") { totalCount nodes { tenant } } g: events(tenant: "globex") { nodes { tenant } } }'));
        expect(new Set(reply.a.nodes.map((e: { tenant: string }) => e.tenant))).toEqual(new Set(['acme']));
        expect(new Set(reply.g.nodes.map((e: { tenant: string }) => e.tenant))).toEqual(new Set(['globex']));
        expect(reply.a.totalCount).toBe(71);
        expect(reply.g).not.toHaveProperty('totalCount');
      }
    });
  });

  it('times each field in the query latency metric, by its GraphQL name and status', async () => {
    await graphql('{ stats(tenant: "acme") { totalCount } }');
    await graphql('{ event(id: "a b") { id } }');
    const metrics = await (await fetch(`${fx.query.url}/metrics`)).text();
    expect(metrics).toMatch(/eventlog_query_duration_seconds_count\{transport="graphql",route="Query.stats",status="200"\} [1-9]/);
    expect(metrics).toMatch(/eventlog_query_duration_seconds_count\{transport="graphql",route="Query.event",status="400"\} [1-9]/);
  });

  describe('refuses hostile documents with GraphQL errors, running nothing', () => {
    /** A reply that refused the document (400) or the one field (200, data.field null), never a 500. */
    const refusal = (reply: GraphqlReply, field?: string) => {
      expect([200, 400]).toContain(reply.status);
      expect(reply.body.errors?.length).toBeGreaterThan(0);
      if (reply.status === 200) expect(reply.body.data?.[field!]).toBeNull();
      return reply.body.errors![0];
    };

    it('a query 50 levels deep', async () => {
      const deep = `{ trace(tenant: "acme", requestId: "req-tree") { nodes { ${'children { '.repeat(50)}nodeId${' }'.repeat(50)} } } }`;
      const reply = await graphql(deep);
      expect(reply.status).toBe(400);
      expect(refusal(reply)).toMatchObject({ message: 'the query is 53 fields deep; at most 15 are allowed', extensions: { code: 'QUERY_TOO_COMPLEX' } });
      expect(reply.body.data).toBeNull();
    });

    it('10,000 aliases, in the text or multiplied by a fragment', async () => {
      const aliases = Array.from({ length: 10_000 }, (_, i) => `a${i}: stats(tenant: "acme") { totalCount }`).join(' ');
      const text = await graphql(`{ ${aliases} }`);
      expect(text.status).toBe(400);
      expect(refusal(text).message).toMatch(/more t\w+ 5000 tokens/);
      const fragment = `{ ${'...F '.repeat(200)} } fragment F on Query { ${Array.from({ length: 50 }, (_, i) => `s${i}: stats { totalCount }`).join(' ')} }`;
      const multiplied = await graphql(fragment);
      expect(multiplied.status).toBe(400);
      expect(refusal(multiplied).message).toBe('the query has 10000 aliases; at most 100 are allowed');
      const many = await graphql(`{ ${Array.from({ length: 101 }, (_, i) => `a${i}: __typename`).join(' ')} }`);
      expect(refusal(many).message).toBe('the query has 101 aliases; at most 100 are allowed');
    });

    it('pages whose cost exceeds the limit', async () => {
      const page = (n: number) => `p${n}: events(tenant: "acme", first: 1000) { nodes { ${EVENT_FIELDS} } }`;
      const reply = await graphql(`{ ${[1, 2, 3].map(page).join(' ')} }`);
      expect(reply.status).toBe(400);
      expect(refusal(reply).message).toMatch(/^the query costs \d+; at most 50000 is allowed/);
    });

    it.each([
      { name: 'first: null', query: '{ events(first: null) { totalCount } }', field: 'first', message: 'first must be an integer number' },
      { name: 'filter: null', query: '{ events(filter: null) { totalCount } }', field: 'filter', message: 'filter must not be null' },
      { name: 'tenant: null', query: '{ events(tenant: null) { totalCount } }', field: 'tenant', message: 'tenant must be a string of 1 to 64 characters' },
      { name: 'a null variable', query: 'query($a: String) { events(after: $a) { totalCount } }', variables: { a: null }, field: 'after', message: 'after must be a string' },
      { name: 'a null inside the filter', query: '{ events(filter: {stream: null}) { totalCount } }', field: 'filter.stream', message: 'filter.stream must be a string' },
      { name: 'a null DSL value', query: '{ aggregate(dsl: {from: {tenant: null}}) { count } }', field: 'dsl.from.tenant', message: 'dsl.from.tenant must be a string' },
      { name: 'first over the page limit', query: '{ events(first: 5000) { totalCount } }', field: 'first', message: 'first must not be greater than 1000' },
      { name: 'an oversized stream name', query: `{ stream(name: "${'s'.repeat(201)}") { version } }`, field: 'name', message: 'name must be shorter than or equal to 200 characters' },
      { name: 'a NUL character', query: '{ events(filter: {stream: "a\\u0000b"}) { totalCount } }', field: 'filter.stream', message: 'NUL' },
      { name: 'an impossible date', query: '{ events(filter: {from: "2024-02-30T00:00:00Z"}) { totalCount } }', field: 'filter.from', message: 'filter.from' },
      { name: 'a malformed cursor', query: '{ events(after: "not-a-cursor") { totalCount } }', field: 'after', message: 'after' },
      { name: 'an event id with a space', query: '{ event(id: "a b") { id } }', field: 'id', message: 'id must be 1-128 characters' },
      { name: 'an unknown DSL field', query: '{ aggregate(dsl: {where: [{field: "data.x; DROP TABLE events", operator: "eq", value: 1}]}) { count } }', field: 'dsl.where[0].field', message: 'dsl.where[0].field' },
      { name: 'a DSL that is not an object', query: '{ aggregate(dsl: [1, 2]) { count } }', field: 'dsl', message: 'dsl must be a JSON object' },
      { name: 'a __proto__ key in the DSL', query: '{ aggregate(dsl: {__proto__: {tenant: "globex"}}) { count } }', field: 'dsl.__proto__', message: 'should not exist' },
    ])('a field refused naming its argument: $name', async ({ query, variables, field, message }: { query: string; variables?: Record<string, unknown>; field: string; message: string }) => {
      const reply = await graphql(query, variables);
      expect(reply.status).toBe(200);
      const error = refusal(reply, Object.keys(reply.body.data ?? {})[0]);
      expect(error.message).toContain(message);
      expect(error.extensions).toMatchObject({ code: 'BAD_USER_INPUT', statusCode: 400 });
      expect(error.extensions!.details.map((d: { field: string }) => d.field)).toContain(field);
    });

    it.each([
      { name: 'a wrong type', query: '{ events(first: "ten") { totalCount } }', field: 'first' },
      { name: 'a wrong type in a list', query: '{ events(filter: {type: ["a", 5]}) { totalCount } }', field: 'filter.type[1]' },
      { name: 'an unknown argument', query: '{ events(bogus: 1) { totalCount } }', field: 'bogus' },
      { name: 'an unknown filter field (no tenant inside the filter)', query: '{ events(filter: {tenant: "globex"}) { totalCount } }', field: 'filter.tenant' },
      { name: 'null for a required argument', query: '{ event(id: null) { id } }', field: 'id' },
      { name: 'a number past 2^53 in JSON', query: '{ aggregate(dsl: {limit: 12345678901234567890}) { count } }', field: 'dsl.limit' },
    ])('a document refused naming the argument: $name', async ({ query, field }) => {
      const reply = await graphql(query);
      expect(reply.status).toBe(400);
      expect(reply.body.data).toBeNull();
      const error = refusal(reply);
      expect(error.message.startsWith(`${field}: `)).toBe(true);
      expect(error.extensions).toMatchObject({ code: 'GRAPHQL_VALIDATION_FAILED', details: [{ field }] });
    });

    it('variables of the wrong shape, bodies that are not GraphQL text', async () => {
      const wrong = await graphql('query($f: EventFilter) { events(filter: $f) { totalCount } }', { f: { stream: 5 } });
      expect(wrong.status).toBe(400);
      expect(refusal(wrong).message).toMatch(/Variable "\$f" got invalid value 5 at "f.stream"/);
      const post = (body: string) =>
        fetch(`${fx.query.url}/graphql`, { method: 'POST', headers: { 'content-type': 'application/json', 'x-auth-token': TOKENS.admin }, body });
      for (const body of [
        JSON.stringify({ query: { kind: 'Document', definitions: [] } }),
        JSON.stringify({ query: JSON.stringify({ kind: 'Document', definitions: [] }) }),
        JSON.stringify([{ query: '{ __typename }' }]),
        '{"query": "{ __typename }", "variables": {"x": "\\ud800"}}',
        '{"query": ',
      ]) {
        const res = await post(body);
        expect(res.status).toBe(400);
        expect(((await res.json()) as GraphqlReply['body']).errors!.length).toBeGreaterThan(0);
      }
    });

    it('serves no GraphiQL outside development', async () => {
      expect((await fetch(`${fx.query.url}/graphiql`)).status).toBe(404);
    });
  });

  describe('tokens and tenants as on REST', () => {
    const statusOf = (reply: GraphqlReply) => reply.body.errors?.[0]?.extensions?.statusCode;

    it.each([
      ['events', '{ events { totalCount } }'],
      ['event', '{ event(id: "acme-order-1") { id } }'],
      ['stream', '{ stream(name: "order-1") { version } }'],
      ['trace', '{ trace(requestId: "req-tree") { status } }'],
      ['stats', '{ stats { totalCount } }'],
      ['aggregate', '{ aggregate(dsl: {}) { count } }'],
    ])('%s: 401 without a token or with an unknown one, 403 for a publish-only token', async (field, query) => {
      for (const token of ['', 'not-a-configured-token']) { // '' sends no token
        const reply = await graphql(query, undefined, token);
        expect(reply.body.data).toEqual({ [field]: null });
        expect(statusOf(reply)).toBe(401);
        expect(reply.body.errors![0].extensions!.code).toBe('UNAUTHENTICATED');
      }
      const publishOnly = await graphql(query, undefined, TOKENS.publisher);
      expect(statusOf(publishOnly)).toBe(403);
    });

    it.each([
      ['events', '{ events(tenant: "acme") { nodes { message } } }'],
      ['event', '{ event(tenant: "acme", id: "acme-t1") { message } }'],
      ['stream', '{ stream(tenant: "acme", name: "deploy-acme") { events { message } } }'],
      ['trace', '{ trace(tenant: "acme", requestId: "req-tree") { events { message } } }'],
      ['stats', '{ stats(tenant: "acme") { totalCount } }'],
      ['aggregate', '{ aggregate(dsl: {from: {tenant: "acme"}}) { events } }'],
    ])("%s: 403 for another tenant's token; the tenant's own token reads it, and a call naming none reads the token's", async (field, query) => {
      const denied = await graphql(query, undefined, TOKENS.globex);
      expect(statusOf(denied)).toBe(403);
      expect(denied.body.errors![0].extensions!.code).toBe('FORBIDDEN');
      expect(JSON.stringify(denied.body)).not.toContain('secret step of acme');
      expect(data(await graphql(query, undefined, TOKENS.acme))[field]).not.toBeNull();
      const unnamed = query.replace(/tenant: "acme", ?|\(tenant: "acme"\)|from: \{tenant: "acme"\}/, '');
      const asGlobex = JSON.stringify(data(await graphql(unnamed.replace('acme-t1', 'globex-t1').replace('deploy-acme', 'deploy-globex'), undefined, TOKENS.globex)));
      expect(asGlobex).not.toContain('of acme');
      if (field !== 'stats') expect(asGlobex).toContain('of globex');
    });

    it('one field of a request denied does not deny the others, nor leak into them', async () => {
      const reply = await graphql('{ mine: events(tenant: "globex") { nodes { tenant } } theirs: events(tenant: "acme") { nodes { tenant } } }', undefined, TOKENS.globex);
      expect(reply.status).toBe(200);
      expect(reply.body.data!.theirs).toBeNull();
      expect(reply.body.errors).toHaveLength(1);
      expect(reply.body.errors![0]).toMatchObject({ path: ['theirs'], extensions: { statusCode: 403 } });
      expect(new Set(reply.body.data!.mine.nodes.map((e: { tenant: string }) => e.tenant))).toEqual(new Set(['globex']));
    });

    it('no argument selects or bypasses the tenant: a DSL from.tenant of null, a tenant in the DSL where, Bearer tokens', async () => {
      const nullTenant = await graphql('{ aggregate(dsl: {from: {tenant: null}}) { count } }', undefined, TOKENS.acme);
      expect(statusOf(nullTenant)).toBe(400);
      const viaWhere = data(await graphql('{ aggregate(dsl: {where: [{field: "tenant", operator: "eq", value: "globex"}]}) { count events } }', undefined, TOKENS.acme));
      expect(viaWhere.aggregate).toEqual({ count: 0, events: [] });
      const res = await fetch(`${fx.query.url}/graphql`, {
        method: 'POST',
        headers: { 'content-type': 'application/json', authorization: `Bearer ${TOKENS.acme}` },
        body: JSON.stringify({ query: '{ stats { tenant } }' }),
      });
      expect(((await res.json()) as GraphqlReply['body']).data).toEqual({ stats: { tenant: 'acme' } });
    });
  });

  it('serves GraphiQL when NODE_ENV=development; counts each field against the token\'s rate limit', async () => {
    const dev = await AppProcess.start(
      'query',
      'graphql-dev-query',
      fx.queryEnv({
        AUTH_TOKENS,
        NODE_ENV: 'development',
        RATE_LIMIT_PER_MINUTE: '10',
        QUERY_GROUP_ID: `${fx.groupId}.dev`,
        QUERY_TOPIC_PREFIX: `${fx.topicPrefix}dev.`,
      }),
    );
    try {
      const page = await fetch(`${dev.url}/graphiql`);
      expect(page.status).toBe(200);
      expect(await page.text()).toMatch(/graphiql/i);
      const call = async (query: string) => {
        const res = await fetch(`${dev.url}/graphql`, { method: 'POST', headers: { 'content-type': 'application/json', 'x-auth-token': TOKENS.acme }, body: JSON.stringify({ query }) });
        return (await res.json()) as GraphqlReply['body'];
      };
      // Eight fields in one request and two more requests: ten calls, all answered.
      const eight = await call(`{ ${Array.from({ length: 8 }, (_, i) => `s${i}: stats { tenant }`).join(' ')} }`);
      expect(eight.errors).toBeUndefined();
      for (let i = 0; i < 2; i++) expect((await call('{ stats { tenant } }')).errors).toBeUndefined();
      const limited = await call('{ stats { tenant } }');
      expect(limited.data).toEqual({ stats: null });
      expect(limited.errors![0].extensions).toMatchObject({ code: 'TOO_MANY_REQUESTS', statusCode: 429 });
    } finally {
      await dev.stop();
    }
  });
});
