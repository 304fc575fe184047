import { Socket } from 'node:net';
import { AppProcess } from './support/app-process';
import { TestDatabase } from './support/database';
import { appEnv } from './support/ingest-env';
import { testTopics, TestKafka } from './support/kafka';
import { SseClient } from './support/sse-client';
import { waitFor } from './support/wait-for';

describe('GET /v1/events/live: Server-Sent Events', () => {
  const topics = testTopics('live');
  const tk = new TestKafka();
  let db: TestDatabase;
  let ingest: AppProcess;
  let query: AppProcess;
  const clients: SseClient[] = [];
  const open = (path: string, headers?: Record<string, string>) => {
    const c = new SseClient(`${query.url}${path}`, headers);
    clients.push(c);
    return c;
  };
  const publish = (events: { id: string; stream: string; type: string; tenant?: string; data?: object }[]) =>
    tk.produce(topics.ingest, events.map((e) => ({ key: e.stream, value: JSON.stringify(e) })));

  beforeAll(async () => {
    db = await TestDatabase.create('live');
    await tk.connect();
    await tk.createTopics([
      { topic: topics.ingest, partitions: 3 },
      { topic: topics.dlq, partitions: 1 },
    ]);
    const env = appEnv(db, topics, { QUERY_GROUP_ID: `${topics.group}.query`, LIVE_HEARTBEAT_MS: '500', LIVE_SLOW_CLIENT_MS: '1500' });
    ingest = await AppProcess.start('ingest', 'live-ingest', env);
    query = await AppProcess.start('query', 'live-query', env);
    await publish(Array.from({ length: 20 }, (_, i) => ({ id: `old-${i}`, stream: `acct-${i % 2}`, type: i % 2 ? 'Debit' : 'Credit' })));
    await waitFor(() => db.count(), (n) => n === 20);
  });

  afterAll(async () => {
    clients.forEach((c) => c.close());
    await query?.stop();
    await ingest?.stop();
    await tk.disconnect();
    await db?.drop();
  });

  it('catches up from fromPosition, then follows new events live, with id = position and heartbeats', async () => {
    const client = open('/v1/events/live?fromPosition=15');
    await waitFor(async () => client.events().length, (n) => n === 5, { what: 'catch-up 16..20' });
    await publish([{ id: 'new-1', stream: 'acct-0', type: 'Credit' }, { id: 'new-2', stream: 'acct-1', type: 'Debit' }]);
    await waitFor(async () => client.events().length, (n) => n === 7, { what: 'two live events' });
    const events = client.events();
    expect(events.map((e) => e.position)).toEqual([16, 17, 18, 19, 20, 21, 22]);
    expect(events.every((e) => e.sseId === e.position)).toBe(true);
    expect(events.slice(5).map((e) => e.id).sort()).toEqual(['new-1', 'new-2']);
    await waitFor(async () => client.messages.filter((m) => m.comment?.startsWith('heartbeat')).length, (n) => n >= 1, { what: 'a heartbeat' });
  });

  it('starts at the end by default, and resumes after Last-Event-ID', async () => {
    const live = open('/v1/events/live');
    await new Promise((r) => setTimeout(r, 300));
    await publish([{ id: 'new-3', stream: 'acct-0', type: 'Credit' }]);
    await waitFor(async () => live.events().length, (n) => n === 1, { what: 'the one new event' });
    expect(live.events()[0].position).toBe(23);

    const resumed = open('/v1/events/live?fromPosition=0', { 'last-event-id': '21' });
    await waitFor(async () => resumed.events().length, (n) => n === 2, { what: 'events after 21' });
    expect(resumed.events().map((e) => e.position)).toEqual([22, 23]);
  });

  it('filters by stream, streamPrefix, type and tenant', async () => {
    await publish([{ id: 'other-tenant', stream: 'acct-0', type: 'Credit', tenant: 'acme' }]);
    const byStream = open('/v1/events/live?fromPosition=0&stream=acct-1');
    const byType = open('/v1/events/live?fromPosition=0&type=Credit');
    const byPrefix = open('/v1/events/live?fromPosition=0&streamPrefix=acct-&type=Debit,Nothing');
    const acme = open('/v1/events/live?fromPosition=0&tenant=acme');
    await waitFor(async () => acme.events().length, (n) => n === 1, { what: "acme's event" });
    await waitFor(async () => byType.events().length, (n) => n === 12, { what: 'credits' });
    await waitFor(async () => byStream.events().length, (n) => n === 11, { what: 'acct-1' });
    await waitFor(async () => byPrefix.events().length, (n) => n === 11, { what: 'debits' });
    expect(byStream.events().every((e) => e.stream === 'acct-1')).toBe(true);
    expect(byType.events().every((e) => e.type === 'Credit' && e.tenant === 'default')).toBe(true);
    expect(acme.events()).toEqual([expect.objectContaining({ id: 'other-tenant', tenant: 'acme', stream: 'acct-0' })]);
    expect(byType.events().map((e) => e.id)).not.toContain('other-tenant');
  });

  it('stops the stream when the client disconnects', async () => {
    const gauge = async () => Number(/^eventlog_live_connections (\d+)/m.exec(await (await fetch(`${query.url}/metrics`)).text())?.[1]);
    const before = await gauge();
    const client = open('/v1/events/live');
    await waitFor(gauge, (n) => n === before + 1, { what: 'the connection counted' });
    client.close();
    await waitFor(gauge, (n) => n === before, { what: 'the connection released' });
  });

  it.each([
    ['fromPosition=-3', 'fromPosition'],
    // A type list with no type in it would otherwise follow every type.
    ['type=,,', 'type'],
    ['type=,&type=', 'type'],
  ])('answers 400 naming the field for %s', async (params, field) => {
    const res = await fetch(`${query.url}/v1/events/live?${params}`);
    expect(res.status).toBe(400);
    expect(JSON.stringify(await res.json())).toMatch(new RegExp(`"field":"${field}"`));
  });

  it('drops a client that stops reading, with a final message, and keeps memory bounded', async () => {
    // A raw socket that sends the request and then reads nothing.
    const socket = new Socket();
    await new Promise<void>((resolve) => socket.connect(query.port, '127.0.0.1', resolve));
    socket.write(`GET /v1/events/live?fromPosition=0 HTTP/1.1\r\nHost: x\r\nAccept: text/event-stream\r\n\r\n`);
    socket.pause();
    // Enough to fill the socket buffers several times over.
    const blob = 'q'.repeat(50000);
    for (let i = 0; i < 300; i += 10) {
      await publish(Array.from({ length: 10 }, (_, j) => ({ id: `bulk-${i + j}`, stream: `bulk-${(i + j) % 5}`, type: 'Bulk', data: { blob } })));
    }
    await waitFor(() => db.count("SELECT count(*)::int AS n FROM events WHERE type = 'Bulk'"), (n) => n === 300);
    await new Promise((r) => setTimeout(r, 3000));

    let text = '';
    const closed = new Promise<void>((resolve) => socket.on('close', () => resolve()));
    socket.setEncoding('utf8');
    socket.on('data', (chunk: string) => (text += chunk));
    socket.resume();
    await closed;
    expect(text).toMatch(/event: dropped\ndata: \{"reason":"client too slow: nothing read for 1500 ms"/);
    // Cut off well before the end: it was not sent the whole log.
    const delivered = (text.match(/^id: /gm) ?? []).length;
    expect(delivered).toBeLessThan(await db.count());
    const rss = Number(/process_resident_memory_bytes (\d+)/.exec(await (await fetch(`${query.url}/metrics`)).text())?.[1]);
    expect(rss).toBeLessThan(400 * 1024 * 1024);
  });
});
