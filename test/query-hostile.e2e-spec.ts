import { QueryFixture } from './support/query-fixture';

/** Hostile and malformed input: each one a 400 naming the field, never a 500, and nothing changes. */
describe('query app: hostile and malformed input', () => {
  let fx: QueryFixture;
  let cursor: string;
  const events = Array.from({ length: 30 }, (_, i) => ({ id: `h-${i}`, stream: `acct-${i % 3}`, type: 'Deposit', data: { amount: i } }));

  beforeAll(async () => {
    fx = await QueryFixture.start('query-hostile');
    await fx.produce(events);
    await fx.waitForEvents(events.length);
    cursor = (await fx.get('/v1/events?pageSize=5')).body.nextCursor;
  });
  afterAll(() => fx?.stop());

  const dsl = (body: unknown) => ['POST', '/v1/query', body] as const;
  const get = (path: string) => ['GET', path, undefined] as const;
  // As text: JSON.stringify itself would overflow the stack at this depth.
  const deep = (levels: number) => `${'{"a":'.repeat(levels)}1${'}'.repeat(levels)}`;
  const flip = (c: string) => c.slice(0, 5) + (c[5] === 'A' ? 'B' : 'A') + c.slice(6);

  // [what, request, the field the answer must name]
  const cases: [string, () => readonly [string, string, unknown], string][] = [
    ['negative pageSize', () => get('/v1/events?pageSize=-1'), 'pageSize'],
    ['huge pageSize', () => get('/v1/events?pageSize=100000000'), 'pageSize'],
    ['page 0', () => get('/v1/events?page=0'), 'page'],
    ['page beyond the deepest offset', () => get('/v1/events?page=99999999&pageSize=1000'), 'page'],
    ['negative offset', () => get('/v1/events?offset=-5&limit=5'), 'offset'],
    ['a word for a number', () => get('/v1/events?limit=ten'), 'limit'],
    ['pageSize as a nested array', () => get('/v1/events?pageSize=1&pageSize=2'), 'pageSize'],
    ['bracket syntax for a parameter', () => get('/v1/events?pageSize[]=5'), 'pageSize[]'],
    ['an unknown parameter', () => get('/v1/events?colour=red'), 'colour'],
    ['an Object.prototype name as a parameter', () => get('/v1/events?valueOf=x'), 'valueOf'],
    ['__proto__ in a DSL body', () => dsl(JSON.parse('{"__proto__": {"limit": 5}}')), '__proto__'],
    ['a value nested 5,000 levels deep', () => dsl(`{"where": [{"field": "id", "operator": "eq", "value": ${deep(5000)}}]}`), 'where[0].value'],
    ['a date that is not one', () => get('/v1/events?from=yesterday'), 'from'],
    ['month 13', () => get('/v1/events?from=2024-13-01T00:00:00Z'), 'from'],
    ['February 30', () => get('/v1/events?to=2024-02-30T10:00:00Z'), 'to'],
    ['from after to', () => get('/v1/events?from=2024-05-02T00:00:00Z&to=2024-05-01T00:00:00Z'), 'from'],
    ['SQL in sort', () => get(`/v1/events?sort=${encodeURIComponent('occurred_at; DROP TABLE events; --')}`), 'sort'],
    ['an unknown order', () => get('/v1/events?order=sideways'), 'order'],
    ['a non-boolean includeTotal', () => get('/v1/events?includeTotal=maybe'), 'includeTotal'],
    ['a garbage cursor', () => get('/v1/events?cursor=abc.def'), 'cursor'],
    ['a tampered cursor', () => get(`/v1/events?pageSize=5&cursor=${flip(cursor)}`), 'cursor'],
    ['cursor mixed with offset', () => get(`/v1/events?offset=5&cursor=${cursor}`), 'cursor'],
    ['page mixed with offset', () => get('/v1/events?page=2&offset=10'), 'offset'],
    ['a control character in tenant', () => get('/v1/events?tenant=a%01b'), 'tenant'],
    ['an over-long stream', () => get(`/v1/events?stream=${'s'.repeat(201)}`), 'stream'],
    ['an empty type list', () => get('/v1/events?type=,,'), 'type'],
    ['101 types', () => get(`/v1/events?type=${Array.from({ length: 101 }, (_, i) => `t${i}`).join(',')}`), 'type'],
    ['an over-long q', () => get(`/v1/events?q=${'x'.repeat(300)}`), 'q'],
    ['an id with spaces and quotes', () => get(`/v1/events/${encodeURIComponent("a' OR '1'='1")}`), 'id'],
    ['an unknown read direction', () => get('/v1/streams/acct-1/events?direction=up'), 'direction'],
    ['a huge stream read', () => get('/v1/streams/acct-1/events?limit=100000'), 'limit'],
    ['fromVersion 0', () => get('/v1/streams/acct-1/events?fromVersion=0'), 'fromVersion'],
    ['a bad stats window', () => get('/v1/stats?from=1e99'), 'from'],
    ['an unknown DSL operator', () => dsl({ where: [{ field: 'type', operator: 'like', value: 'x' }] }), 'where[0].operator'],
    ['an unknown DSL field', () => dsl({ where: [{ field: 'colour', operator: 'eq', value: 'x' }] }), 'where[0].field'],
    ['SQL in a DSL field name', () => dsl({ where: [{ field: 'type = type OR 1=1 --', operator: 'eq', value: 'x' }] }), 'where[0].field'],
    ['SQL in a DSL path', () => dsl({ where: [{ field: "data.amount')::int; DROP TABLE events; --", operator: 'gt', value: 1 }] }), 'where[0].field'],
    ['a nested array where a scalar belongs', () => dsl({ where: [{ field: 'data.amount', operator: 'eq', value: [[1]] }] }), 'where[0].value'],
    ['an object where a scalar belongs', () => dsl({ where: [{ field: 'type', operator: 'in', value: [{ $ne: null }] }] }), 'where[0].value[0]'],
    ['a 10,000-item in list', () => dsl({ where: [{ field: 'type', operator: 'in', value: Array.from({ length: 10000 }, (_, i) => `t${i}`) }] }), 'where[0].value'],
    ['a DSL field that is an array', () => dsl({ where: [{ field: ['type'], operator: 'eq', value: 'x' }] }), 'where[0].field'],
    ['where as an object', () => dsl({ where: { field: 'type', operator: 'eq', value: 'x' } }), 'where'],
    ['a negative DSL limit', () => dsl({ limit: -1 }), 'limit'],
    ['a huge DSL limit', () => dsl({ limit: 1e9 }), 'limit'],
    ['an unknown reducer', () => dsl({ reduce: { type: 'median', field: 'data.amount' } }), 'reduce.type'],
    ['a sub-minute interval', () => dsl({ reduce: { type: 'count', interval: '7s' } }), 'reduce.interval'],
    ['SQL in groupBy', () => dsl({ reduce: { type: 'count', groupBy: ['type); DELETE FROM events; --'] } }), 'reduce.groupBy[0]'],
    ['SQL in select', () => dsl({ select: ['id, (SELECT 1)'] }), 'select[0]'],
    ['a number for from.tenant', () => dsl({ from: { tenant: 7 } }), 'from.tenant'],
    ['an unknown orderBy direction', () => dsl({ orderBy: { field: 'type', direction: 'sideways' } }), 'orderBy.direction'],
    ['a DSL body that is not JSON', () => dsl('{"where": ['), 'body'],
    ['an unknown DSL key', () => dsl({ having: 'x' }), 'having'],
    ['a malformed %-escape in the path', () => ['GET', '/v1/events/%ZZ', undefined] as const, 'path'],
    ['publish without a stream', () => ['POST', '/v1/events', { type: 'T' }] as const, 'stream'],
    ['publish with data as an array', () => ['POST', '/v1/events', { stream: 's', type: 'T', data: [1] }] as const, 'data'],
    ['publish with an unknown field', () => ['POST', '/v1/events', { stream: 's', type: 'T', colour: 'red' }] as const, 'colour'],
    ['publish with a bad id', () => ['POST', '/v1/events', { id: 'a b', stream: 's', type: 'T' }] as const, 'id'],
    ['publish with a bad waitMs', () => ['POST', '/v1/events?wait=true&waitMs=999999', { stream: 's', type: 'T' }] as const, 'waitMs'],
    ['a batch of 1001', () => ['POST', '/v1/events/batch', Array.from({ length: 1001 }, () => ({ stream: 's', type: 'T' }))] as const, 'body'],
    ['a batch with one bad item', () => ['POST', '/v1/events/batch', [{ stream: 's', type: 'T' }, { stream: 's' }]] as const, '[1].type'],
  ];

  it('has at least 25 cases', () => expect(cases.length).toBeGreaterThanOrEqual(25));

  it.each(cases)('%s → 400 naming the field', async (_, request, field) => {
    const [method, path, body] = request();
    const r = method === 'GET' ? await fx.get(path) : await fx.post(path, body);
    expect(r.status).toBe(400);
    expect(r.body).toMatchObject({ statusCode: 400, error: 'Bad Request', message: expect.any(String) });
    // The named field, or a path inside it (where[0].value.a.a… for nesting).
    const fields: string[] = r.body.details.map((d: { field: string }) => d.field);
    expect(fields.some((f) => f === field || f.startsWith(`${field}.`) || f.startsWith(`${field}[`))).toBe(true);
    const named = field.replace(/^.*[.\]]/, '').replace(/\[\]$/, '') || field;
    expect(r.body.message.includes(named) || r.body.message.includes(field) || field === 'body').toBe(true);
  });

  it('changed nothing: the log, the streams and the ingest topic are as before', async () => {
    expect(await fx.db.count()).toBe(events.length);
    expect(await fx.db.count('SELECT count(*)::int AS n FROM streams')).toBe(3);
    expect(await fx.db.count('SELECT sum(version)::int AS n FROM streams')).toBe(events.length);
    const offsets = await fx.kafka.admin.fetchTopicOffsets(fx.topics.ingest);
    expect(offsets.reduce((n, p) => n + Number(p.high), 0)).toBe(events.length);
    expect((await fx.get('/v1/events?pageSize=100')).body.totalCount).toBe(events.length);
  });
});
