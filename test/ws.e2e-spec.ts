import { AppProcess } from './support/app-process';
import { uniqueSuffix } from './support/env';
import { QueryFixture } from './support/query-fixture';
import { waitFor } from './support/wait-for';
import { WsClient } from './support/ws-client';

/**
 * /v1/ws and POST /v1/notify (issue 16, item 2) against two real query processes sharing one
 * database, fed by a real ingest from Kafka: stored events and notifications reach the sockets of
 * both instances; a notification is stored nowhere and never reaches the outbound topic.
 */
describe('WebSocket /v1/ws and POST /v1/notify', () => {
  const TOKENS = {
    'ws-default-token-000': { tenants: ['default'], scopes: ['read', 'publish'] },
    'ws-acme-token-000000': { tenants: ['acme'], scopes: ['read', 'publish'] },
    'ws-reader-token-0000': { tenants: ['default'], scopes: ['read'] },
  };
  const DEFAULT = { 'x-auth-token': 'ws-default-token-000' };
  const ACME = { 'x-auth-token': 'ws-acme-token-000000' };
  let fx: QueryFixture;
  let second: AppProcess;
  const clients: WsClient[] = [];
  const wsUrl = (app: AppProcess, query = '') => `ws://127.0.0.1:${app.port}/v1/ws${query}`;
  const connect = async (app: AppProcess, headers: Record<string, string> = DEFAULT, query = '') => {
    const client = await WsClient.open(wsUrl(app, query), headers);
    clients.push(client);
    return client;
  };
  /** Opens a socket and subscribes; resolves once the subscription is confirmed. */
  const subscribe = async (app: AppProcess, data: Record<string, unknown> = {}, headers: Record<string, string> = DEFAULT) => {
    const client = await connect(app, headers);
    client.send('subscribe', data);
    await client.nth('subscribed', 0);
    return client;
  };
  const http = async (app: AppProcess, method: string, path: string, body?: unknown, headers: Record<string, string> = DEFAULT) => {
    const res = await fetch(`${app.url}${path}`, {
      method,
      headers: { ...headers, ...(body !== undefined ? { 'content-type': 'application/json' } : {}) },
      body: body === undefined ? undefined : typeof body === 'string' ? body : JSON.stringify(body),
    });
    return { status: res.status, body: (await res.json()) as any };
  };
  const eventIds = (c: WsClient) => c.of('event').map((e) => e.id);
  let produced = 0;
  const produce = async (events: Record<string, unknown>[]) => {
    await fx.produce(events);
    produced += events.length;
  };

  beforeAll(async () => {
    fx = await QueryFixture.start('ws', { AUTH_TOKENS: JSON.stringify(TOKENS), LIVE_HEARTBEAT_MS: '1000' });
    second = await AppProcess.start('query', 'ws-query-2', fx.queryEnv({ AUTH_TOKENS: JSON.stringify(TOKENS), QUERY_GROUP_ID: `${fx.groupId}.second` }));
    await produce(Array.from({ length: 10 }, (_, i) => ({ id: `old-${i}`, stream: `order-${i % 2}`, type: i % 2 ? 'OrderPaid' : 'OrderPlaced' })));
    await fx.waitForEvents(produced);
  });

  afterAll(async () => {
    clients.forEach((c) => c.close());
    await second?.stop();
    await fx?.stop();
  });

  it('a stored event and a notification reach the subscribers of both query instances', async () => {
    const [a, b] = await Promise.all([subscribe(fx.query), subscribe(second)]);
    expect(a.of('subscribed')[0]).toEqual({ position: produced, tenant: 'default', stream: null, streamPrefix: null, type: null });

    await produce([{ id: 'live-1', stream: 'order-9', type: 'OrderPlaced', status: 'running', requestId: 'req-ws', nodeId: 'build' }]);
    for (const c of [a, b]) await c.until(() => eventIds(c).includes('live-1'), 'the stored event');
    const stored = a.of('event').find((e) => e.id === 'live-1');
    expect(stored).toMatchObject({ id: 'live-1', tenant: 'default', stream: 'order-9', version: 1, position: produced, nodeId: 'build', kafka: { topic: fx.topics.ingest } });
    expect(b.of('event').find((e) => e.id === 'live-1')).toEqual(stored);

    const sent = await http(fx.query, 'POST', '/v1/notify', { requestId: 'req-ws', nodeId: 'build', progress: 42.5, message: 'compiling' });
    expect(sent.status).toBe(202);
    expect(sent.body).toEqual({
      id: expect.stringMatching(/^[0-9a-f-]{36}$/),
      tenant: 'default',
      type: 'progress',
      stream: null,
      requestId: 'req-ws',
      nodeId: 'build',
      status: null,
      progress: 42.5,
      message: 'compiling',
      notifiedAt: expect.any(String),
    });
    for (const c of [a, b]) await c.until(() => c.of('notification').some((n) => n.id === sent.body.id), 'the notification on both instances');
    expect(b.of('notification').find((n) => n.id === sent.body.id)).toEqual(sent.body);

    // A notify message on the socket of one instance reaches the other's subscriber too.
    b.send('notify', { requestId: 'req-ws', nodeId: 'build', progress: 80 });
    const notified = await b.nth('notified', 0);
    expect(notified).toMatchObject({ tenant: 'default', progress: 80, nodeId: 'build' });
    await a.until(() => a.of('notification').some((n) => n.id === notified.id), 'the socket notify on the other instance');
    expect(a.of('error')).toEqual([]);
    expect(b.of('error')).toEqual([]);
  });

  it('a notification is stored nowhere: not in the log, the table, any query, or the outbound topic', async () => {
    const suffix = uniqueSuffix();
    const marker = `ephemeral-${suffix}`;
    const watcher = await subscribe(second);
    const sent = await http(fx.query, 'POST', '/v1/notify', { stream: 'order-9', requestId: marker, nodeId: marker, type: 'OrderPlaced', status: 'running', progress: 10, message: marker });
    expect(sent.status).toBe(202);
    await watcher.until(() => watcher.of('notification').some((n) => n.message === marker), 'the notification');
    // Something stored after it, so everything before it has certainly been ingested and relayed.
    await produce([{ id: `after-${suffix}`, stream: 'order-9', type: 'OrderPaid' }]);
    await watcher.until(() => eventIds(watcher).includes(`after-${suffix}`), 'the event stored after it');

    expect(await fx.db.count()).toBe(produced);
    expect(await fx.db.count('SELECT count(*)::int AS n FROM events WHERE message = $1 OR request_id = $1 OR node_id = $1 OR id = $2', [marker, sent.body.id])).toBe(0);
    const log = await http(fx.query, 'GET', '/v1/events?pageSize=1000');
    expect(log.body.totalCount).toBe(produced);
    expect(JSON.stringify(log.body)).not.toContain(marker);
    expect((await http(second, 'GET', `/v1/events?q=${marker}`)).body.totalCount).toBe(0);
    expect((await http(fx.query, 'GET', `/v1/events?requestId=${marker}`)).body.totalCount).toBe(0);
    expect((await http(fx.query, 'GET', `/v1/events/${sent.body.id}`)).status).toBe(404);
    expect((await http(fx.query, 'GET', `/v1/traces/${marker}`)).status).toBe(404);
    expect((await http(fx.query, 'POST', '/v1/query', { where: [{ field: 'message', operator: 'eq', value: marker }] })).body.totalCount).toBe(0);
    const stats = (await http(fx.query, 'GET', '/v1/stats')).body;
    expect(stats.totalCount).toBe(produced);
    expect(stats.byType.progress).toBeUndefined();
    expect((await http(fx.query, 'GET', '/v1/streams/order-9')).body.eventCount).toBe(2);

    const outbound = await fx.kafka.readAll(fx.topics.outbound, produced, 60000);
    expect(outbound).toHaveLength(produced);
    expect(outbound.map((r) => r.value!.toString()).join('\n')).not.toContain(marker);
  });

  it("tenants: a token reads only its tenant's events and notifications; no valid token, no socket", async () => {
    await expect(WsClient.open(wsUrl(fx.query), {})).rejects.toMatchObject({ status: 401 });
    await expect(WsClient.open(wsUrl(fx.query), { 'x-auth-token': 'not-a-token-at-all' })).rejects.toMatchObject({ status: 401 });
    await expect(WsClient.open(wsUrl(fx.query, '?access_token=not-a-token-at-all'), {})).rejects.toMatchObject({ status: 401 });

    // Browsers cannot set headers on a WebSocket: the token may come in the query string instead.
    const acme = await connect(second, {}, '?access_token=ws-acme-token-000000');
    acme.send('subscribe', { fromPosition: 0 });
    expect(await acme.nth('subscribed', 0)).toMatchObject({ tenant: 'acme', position: 0 });
    const byBearer = await subscribe(fx.query, { fromPosition: 0 }, { authorization: 'Bearer ws-default-token-000' });

    // The default token naming acme is refused on the socket, which stays open and usable.
    const intruder = await connect(fx.query);
    intruder.send('subscribe', { tenant: 'acme', fromPosition: 0 });
    expect(await intruder.nth('error', 0)).toMatchObject({ statusCode: 403, message: 'the token does not grant tenant acme' });
    intruder.send('notify', { tenant: 'acme', message: 'spoofed' });
    expect(await intruder.nth('error', 1)).toMatchObject({ statusCode: 403 });
    expect((await http(fx.query, 'POST', '/v1/notify', { tenant: 'acme', message: 'spoofed' })).status).toBe(403);
    intruder.send('subscribe', { fromPosition: 0 });
    expect(await intruder.nth('subscribed', 0)).toMatchObject({ tenant: 'default' });

    await produce([{ id: 'acme-1', tenant: 'acme', stream: 'order-9', type: 'OrderPlaced' }]);
    await acme.until(() => eventIds(acme).includes('acme-1'), "acme's event");
    const acmeNote = await http(fx.query, 'POST', '/v1/notify', { message: 'for acme' }, ACME);
    expect(acmeNote.body.tenant).toBe('acme');
    const defaultNote = await http(second, 'POST', '/v1/notify', { message: 'for default' });
    await acme.until(() => acme.of('notification').some((n) => n.id === acmeNote.body.id), "acme's notification");
    for (const c of [byBearer, intruder]) await c.until(() => c.of('notification').some((n) => n.id === defaultNote.body.id), "default's notification");

    expect(eventIds(acme)).toEqual(['acme-1']);
    expect(acme.of('notification').map((n) => n.message)).toEqual(['for acme']);
    for (const c of [byBearer, intruder]) {
      expect(eventIds(c)).not.toContain('acme-1');
      expect(c.of('event').every((e) => e.tenant === 'default')).toBe(true);
      expect(c.of('notification').map((n) => n.message)).not.toContain('for acme');
    }

    // Notifying needs the publish scope, as publishing does.
    const reader = await connect(fx.query, { 'x-auth-token': 'ws-reader-token-0000' });
    reader.send('notify', { message: 'read-only' });
    expect(await reader.nth('error', 0)).toMatchObject({ statusCode: 403, message: 'the token lacks the publish scope' });
    expect((await http(fx.query, 'POST', '/v1/notify', { message: 'read-only' }, { 'x-auth-token': 'ws-reader-token-0000' })).status).toBe(403);
  });

  it('filters: stream, streamPrefix and type select stored events and notifications alike', async () => {
    const byStream = await subscribe(fx.query, { stream: 'cart-1' });
    const byPrefix = await subscribe(second, { streamPrefix: 'cart-', type: ['ItemAdded'] });
    const byTypes = await subscribe(second, { type: 'ItemRemoved,progress' });
    const everything = await subscribe(fx.query);
    await produce([
      { id: 'f-1', stream: 'cart-1', type: 'ItemAdded' },
      { id: 'f-2', stream: 'cart-2', type: 'ItemAdded' },
      { id: 'f-3', stream: 'cart-1', type: 'ItemRemoved' },
      { id: 'f-4', stream: 'wish-1', type: 'ItemAdded' },
    ]);
    const notes = [
      { stream: 'cart-1', type: 'ItemAdded', message: 'n-cart-1' },
      { stream: 'cart-2', message: 'n-cart-2-progress' },
      { message: 'n-no-stream' },
    ];
    for (const n of notes) expect((await http(fx.query, 'POST', '/v1/notify', n)).status).toBe(202);
    await everything.until(() => eventIds(everything).length === 4 && everything.of('notification').length === 3, 'all four events and three notifications');
    // A marker after everything: once it has arrived, nothing else is on its way.
    await produce([{ id: 'f-end', stream: 'cart-1', type: 'ItemRemoved' }]);
    for (const c of [byStream, byTypes]) await c.until(() => eventIds(c).includes('f-end'), 'the end marker');
    await http(fx.query, 'POST', '/v1/notify', { stream: 'cart-9', type: 'ItemAdded', message: 'n-end' });
    await byPrefix.until(() => byPrefix.of('notification').some((n) => n.message === 'n-end'), 'the end notification');

    const messages = (c: WsClient) => c.of('notification').map((n) => n.message);
    expect(eventIds(byStream)).toEqual(['f-1', 'f-3', 'f-end']);
    expect(messages(byStream)).toEqual(['n-cart-1']);
    // Different streams, different partitions: ingest may record them in either order.
    expect(eventIds(byPrefix).sort()).toEqual(['f-1', 'f-2']);
    for (const c of [byStream, byPrefix, byTypes, everything]) {
      const positions = c.of('event').map((e) => e.position);
      expect(positions).toEqual([...positions].sort((x, y) => x - y));
    }
    expect(messages(byPrefix)).toEqual(['n-cart-1', 'n-end']);
    expect(eventIds(byTypes)).toEqual(['f-3', 'f-end']);
    expect(messages(byTypes)).toEqual(['n-cart-2-progress', 'n-no-stream']);
  });

  it('resumes after a position: catches up in order, then follows live, with no gap and no repeat', async () => {
    const from = produced - 5;
    const client = await subscribe(second, { fromPosition: from });
    expect(client.of('subscribed')[0].position).toBe(from);
    await produce([{ id: 'resume-1', stream: 'order-1', type: 'OrderPaid' }, { id: 'resume-2', stream: 'order-2', type: 'OrderPaid' }]);
    await client.until(() => eventIds(client).includes('resume-2') && eventIds(client).includes('resume-1'), 'the two new events');
    const positions = client.of('event').map((e) => e.position);
    expect(positions).toEqual(Array.from({ length: 7 }, (_, i) => from + 1 + i));

    // A subscribe replaces the socket's subscription; unsubscribe says where to resume.
    client.send('unsubscribe');
    expect(await client.nth('unsubscribed', 0)).toEqual({ position: produced });
    client.send('subscribe', { fromPosition: produced - 1, type: ['OrderPaid'] });
    await client.nth('subscribed', 1);
    await client.until(() => client.of('event').length === 8, 'the last event again');
    expect(client.of('event')[7]).toEqual(client.of('event')[6]);
  });

  it('a subscription asking for positions not yet written waits for them, and does not hold back the others', async () => {
    // Alone on its instance, so that it is the one that sets where the shared reads start.
    const gauge = async () => Number(/^eventlog_ws_connections (\d+)/m.exec(await (await fetch(`${second.url}/metrics`)).text())?.[1]);
    clients.splice(0).forEach((c) => c.close());
    await waitFor(gauge, (n) => n === 0, { what: 'no sockets left on the second instance' });
    const ahead = await subscribe(second, { fromPosition: produced + 2 });
    const now = await subscribe(second);
    await produce([{ id: 'ahead-1', stream: 'order-1', type: 'OrderPaid' }, { id: 'ahead-2', stream: 'order-2', type: 'OrderPaid' }]);
    await now.until(() => eventIds(now).length === 2, 'both new events');
    await produce([{ id: 'ahead-3', stream: 'order-3', type: 'OrderPaid' }]);
    await now.until(() => eventIds(now).length === 3, 'the third');
    await ahead.until(() => eventIds(ahead).length === 1, 'the event after the position asked for');
    // ahead-1 and ahead-2 (two streams) may be recorded in either order; ahead-3 came after both.
    expect(eventIds(now).slice(0, 2).sort()).toEqual(['ahead-1', 'ahead-2']);
    expect(eventIds(now)[2]).toBe('ahead-3');
    expect(eventIds(ahead)).toEqual(['ahead-3']);
  });

  const badSubscribes: [string, unknown, string][] = [
    ['a null tenant', { tenant: null }, 'tenant'],
    ['an unknown field', { streem: 'x' }, 'streem'],
    ['a string position', { fromPosition: '5' }, 'fromPosition'],
    ['a negative position', { fromPosition: -1 }, 'fromPosition'],
    ['a fractional position', { fromPosition: 1.5 }, 'fromPosition'],
    ['a null stream', { stream: null }, 'stream'],
    ['an empty type list', { type: [] }, 'type'],
    ['a number for a type', { type: [1] }, 'type'],
    ['a lone surrogate', '{"event":"subscribe","data":{"stream":"\\ud800"}}', 'stream'],
    ['no data', '{"event":"subscribe"}', 'body'],
    ['data that is an array', '{"event":"subscribe","data":[1]}', 'body'],
    ['malformed JSON', '{"event":"subscribe",', 'message'],
    ['a number', '42', 'message'],
    ['an unknown event', '{"event":"subscrbe","data":{}}', 'event'],
    ['a field beside event and data', '{"event":"subscribe","data":{},"tenant":"acme"}', 'tenant'],
  ];
  it.each(badSubscribes)('answers a subscribe with %s with an error naming the field, and the socket stays usable', async (_name, data, field) => {
    const client = await connect(fx.query);
    if (typeof data === 'string') client.sendRaw(data);
    else client.send('subscribe', data);
    const error = await client.nth('error', 0);
    expect(error).toMatchObject({ statusCode: 400, error: 'Bad Request' });
    expect(error.details.map((d: { field: string }) => d.field)).toContain(field);
    client.send('subscribe', {});
    expect(await client.nth('subscribed', 0)).toMatchObject({ tenant: 'default' });
    expect(client.closed).toBeUndefined();
  });

  const badNotifies: [string, unknown, string][] = [
    ['progress over 100', { progress: 100.5 }, 'progress'],
    ['negative progress', { progress: -1 }, 'progress'],
    ['progress as a string', { progress: '50' }, 'progress'],
    ['a null message', { message: null }, 'message'],
    ['a null tenant', { tenant: null }, 'tenant'],
    ['a message over 1024 characters', { message: 'x'.repeat(1025) }, 'message'],
    ['a message of 1024 emoji (2048 code units)', { message: '😀'.repeat(1024) }, 'message'],
    ['a control character', { message: 'a\nb' }, 'message'],
    ['an unknown field', { progress: 5, data: {} }, 'data'],
    ['a number for a stream', { stream: 7 }, 'stream'],
    ['an empty type', { type: '' }, 'type'],
    ['a nodeId over 128 characters', { nodeId: 'n'.repeat(129) }, 'nodeId'],
  ];
  it.each(badNotifies)('refuses a notify with %s: 400 naming the field on HTTP, an error message on the socket', async (_name, body, field) => {
    const res = await http(second, 'POST', '/v1/notify', body);
    expect(res.status).toBe(400);
    expect(res.body.details.map((d: { field: string }) => d.field)).toContain(field);
    const client = await connect(fx.query);
    client.send('notify', body);
    const error = await client.nth('error', 0);
    expect(error).toMatchObject({ statusCode: 400 });
    expect(error.details.map((d: { field: string }) => d.field)).toContain(field);
  });

  it('a notification of the largest allowed size in 3-byte characters is broadcast (within NOTIFY’s 8000 bytes)', async () => {
    const watcher = await subscribe(second, { stream: '€'.repeat(200) });
    const body = {
      type: '€'.repeat(200),
      stream: '€'.repeat(200),
      requestId: '€'.repeat(128),
      nodeId: '€'.repeat(128),
      status: '€'.repeat(32),
      progress: 99.999,
      message: '€'.repeat(1024),
    };
    const res = await http(fx.query, 'POST', '/v1/notify', body);
    expect(res.status).toBe(202);
    await watcher.until(() => watcher.of('notification').some((n) => n.id === res.body.id), 'the largest notification');
    expect(watcher.of('notification')[0]).toMatchObject(body);
  });

  it('both processes are still healthy after all of that', async () => {
    for (const app of [fx.query, second]) expect((await fetch(`${app.url}/health/ready`)).status).toBe(200);
    const gauge = async () => Number(/^eventlog_ws_connections (\d+)/m.exec(await (await fetch(`${fx.query.url}/metrics`)).text())?.[1]);
    const before = await gauge();
    const client = await connect(fx.query);
    await waitFor(gauge, (n) => n === before + 1, { what: 'the connection counted' });
    client.close();
    await waitFor(gauge, (n) => n === before, { what: 'the connection released' });
  });
});
