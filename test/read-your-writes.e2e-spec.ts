import { execFileSync } from 'node:child_process';
import { setTimeout as sleep } from 'node:timers/promises';
import { Consumer, IHeaders } from 'kafkajs';
import { QUERY_TOPICS, replyTopicOf } from '@eventlog/contracts';
import { AppProcess } from './support/app-process';
import { KAFKA_BROKERS, uniqueSuffix } from './support/env';
import { kafka } from './support/kafka';
import { QueryFixture } from './support/query-fixture';
import { waitFor } from './support/wait-for';

type Topic = keyof typeof QUERY_TOPICS;
interface Reply {
  status: number;
  body: any;
}

/**
 * A client of the request topics under one prefix, as any Kafka client calls them: the NestJS
 * headers set by hand, replies matched by correlation id. A reply carrying kafka_nest-err is
 * returned as its error body's status and body.
 */
class RequestTopics {
  private consumer?: Consumer;
  private readonly replies = new Map<string, Reply>();

  constructor(
    private readonly fx: QueryFixture,
    private readonly prefix: string,
  ) {}

  async start() {
    this.consumer = kafka.consumer({ groupId: `${this.prefix}replies.${uniqueSuffix()}`, maxWaitTimeInMs: 50 });
    let joined = false;
    this.consumer.on(this.consumer.events.GROUP_JOIN, () => (joined = true));
    await this.consumer.connect();
    await this.consumer.subscribe({ topics: Object.values(QUERY_TOPICS).map((t) => replyTopicOf(this.prefix + t)) });
    await this.consumer.run({
      eachMessage: async ({ message }) => {
        const headers = message.headers ?? ({} as IHeaders);
        const error = headers['kafka_nest-err'];
        const reply = error ? JSON.parse(String(error)) : JSON.parse(message.value!.toString());
        this.replies.set(String(headers.kafka_correlationId), { status: error ? reply.statusCode : 200, body: reply });
      },
    });
    await waitFor(async () => joined, Boolean, { what: 'reply consumer to join' });
  }

  async request(name: Topic, value: unknown, timeoutMs = 60000): Promise<Reply> {
    const id = `corr-${uniqueSuffix()}`;
    const topic = this.prefix + QUERY_TOPICS[name];
    await this.fx.kafka.produce(topic, [
      { value: JSON.stringify(value), headers: { kafka_correlationId: id, kafka_replyTopic: replyTopicOf(topic), kafka_replyPartition: '0' } },
    ]);
    return waitFor(async () => this.replies.get(id), Boolean, { timeoutMs, intervalMs: 20, what: `reply ${id}` }).then((r) => r!);
  }

  stop() {
    return this.consumer?.disconnect();
  }
}

/** One new event's names, unique to the case, so that only the wait can make it appear. */
const freshEvent = () => {
  const s = uniqueSuffix();
  return { id: `ryw-${s}`, stream: `ryw-${s}`, requestId: `req-${s}`, nodeId: `node-${s}`, type: 'Written', data: { s } };
};
type Fresh = ReturnType<typeof freshEvent>;

/** Every read path: how to ask it for the fresh event, and whether the answer holds it. */
const HTTP_READS: [string, (e: Fresh) => { method?: 'POST'; path: string; body?: unknown }, (reply: any, e: Fresh) => boolean][] = [
  ['GET /v1/events', (e) => ({ path: `/v1/events?stream=${e.stream}` }), (r, e) => r.events.some((x: any) => x.id === e.id)],
  ['GET /v1/events/{id}', (e) => ({ path: `/v1/events/${e.id}` }), (r, e) => r.id === e.id],
  ['GET /v1/streams', (e) => ({ path: `/v1/streams?prefix=${e.stream}` }), (r, e) => r.streams.some((x: any) => x.stream === e.stream)],
  ['GET /v1/streams/{stream}', (e) => ({ path: `/v1/streams/${e.stream}` }), (r) => r.version === 1],
  ['GET /v1/streams/{stream}/events', (e) => ({ path: `/v1/streams/${e.stream}/events` }), (r, e) => r.events.some((x: any) => x.id === e.id)],
  ['GET /v1/traces/{requestId}', (e) => ({ path: `/v1/traces/${e.requestId}` }), (r) => r.eventCount === 1],
  ['GET /v1/traces/{requestId}/nodes/{nodeId}', (e) => ({ path: `/v1/traces/${e.requestId}/nodes/${e.nodeId}` }), (r) => r.eventCount === 1],
  ['POST /v1/query', (e) => ({ method: 'POST', path: '/v1/query', body: { from: { stream: e.stream } } }), (r, e) => r.events.some((x: any) => x.id === e.id)],
  ['GET /v1/stats', (e) => ({ path: `/v1/stats?stream=${e.stream}` }), (r) => r.totalCount === 1],
];
const KAFKA_READS: [Topic, (e: Fresh) => Record<string, unknown>, (reply: any, e: Fresh) => boolean][] = [
  ['events', (e) => ({ stream: e.stream }), (r, e) => r.events.some((x: any) => x.id === e.id)],
  ['event', (e) => ({ id: e.id }), (r, e) => r.id === e.id],
  ['stream', (e) => ({ stream: e.stream }), (r, e) => r.events.some((x: any) => x.id === e.id)],
  ['trace', (e) => ({ requestId: e.requestId }), (r) => r.eventCount === 1],
  ['traceNode', (e) => ({ requestId: e.requestId, nodeId: e.nodeId }), (r) => r.eventCount === 1],
  ['dsl', (e) => ({ from: { stream: e.stream } }), (r, e) => r.events.some((x: any) => x.id === e.id)],
  ['stats', (e) => ({ stream: e.stream }), (r) => r.totalCount === 1],
];

describe('read-your-writes: after=<topic>:<partition>:<offset> and minPosition on every read', () => {
  let fx: QueryFixture;
  let topics: RequestTopics;

  beforeAll(async () => {
    // The largest bound: under a loaded machine ingest may take seconds, and a wait that ends early is the failure looked for.
    fx = await QueryFixture.start('ryw', { READ_WAIT_MS: '30000' });
    topics = new RequestTopics(fx, fx.topicPrefix);
    await topics.start();
  });
  afterAll(async () => {
    await topics?.stop();
    await fx?.stop();
  });

  /** Produces one record as any kafkajs producer does; returns what send answered, as `after`. */
  async function produce(value: string, key: string): Promise<string> {
    const [sent] = await fx.kafka.producer.send({ topic: fx.topics.ingest, acks: -1, messages: [{ key, value }] });
    return `${sent.topicName}:${sent.partition}:${sent.baseOffset}`;
  }
  const publish = (e: Fresh) => produce(JSON.stringify(e), e.stream);
  const head = async () => Number((await fx.db.pool.query<{ last: string }>('SELECT last FROM event_position')).rows[0].last);

  async function http(method: 'GET' | 'POST' | undefined, path: string, params: Record<string, string | string[]>, body?: unknown, base = fx.query.url): Promise<Reply> {
    const url = new URL(path, base);
    for (const [k, v] of Object.entries(params)) for (const one of [v].flat()) url.searchParams.append(k, one);
    const res = await fetch(url, body === undefined ? {} : { method, headers: { 'content-type': 'application/json' }, body: JSON.stringify(body) });
    return { status: res.status, body: await res.json() };
  }

  let nextPartition = 0;
  /**
   * Sends the read first, naming the record the next produce to a partition will get (its end
   * offset) or the next position, and produces that record only once the read is under way: the
   * answer can hold the record only if the read waited for it.
   */
  async function readThenWrite(e: Fresh, read: (wait: { after: string; minPosition: number }) => Promise<Reply>): Promise<Reply> {
    const partition = nextPartition++ % 6;
    const [{ high }] = (await fx.kafka.admin.fetchTopicOffsets(fx.topics.ingest)).filter((p) => p.partition === partition);
    const reading = read({ after: `${fx.topics.ingest}:${partition}:${high}`, minPosition: (await head()) + 1 });
    await sleep(300);
    const [sent] = await fx.kafka.producer.send({ topic: fx.topics.ingest, acks: -1, messages: [{ partition, key: e.stream, value: JSON.stringify(e) }] });
    expect(sent.baseOffset).toBe(high);
    return reading;
  }

  describe.each(HTTP_READS)('%s', (_, ask, holds) => {
    it('with after: a read sent before the record is produced answers with it', async () => {
      const e = freshEvent();
      const asked = ask(e);
      const reply = await readThenWrite(e, ({ after }) => http(asked.method, asked.path, { after }, asked.body));
      expect(reply.status).toBe(200);
      expect(holds(reply.body, e)).toBe(true);
    });

    it('with minPosition: a read sent before the position exists answers with its event', async () => {
      const e = freshEvent();
      const asked = ask(e);
      const reply = await readThenWrite(e, ({ minPosition }) => http(asked.method, asked.path, { minPosition: String(minPosition) }, asked.body));
      expect(reply.status).toBe(200);
      expect(holds(reply.body, e)).toBe(true);
    });
  });

  describe.each(KAFKA_READS)('request topic %s', (name, ask, holds) => {
    it('with after (a list, in the request value): a request sent before the record is produced replies with it', async () => {
      const e = freshEvent();
      const reply = await readThenWrite(e, ({ after }) => topics.request(name, { ...ask(e), after: [after] }));
      expect(reply.status).toBe(200);
      expect(holds(reply.body, e)).toBe(true);
    });

    it('with minPosition: a request sent before the position exists replies with its event', async () => {
      const e = freshEvent();
      const reply = await readThenWrite(e, ({ minPosition }) => topics.request(name, { ...ask(e), minPosition }));
      expect(reply.status).toBe(200);
      expect(holds(reply.body, e)).toBe(true);
    });
  });

  it('a request waiting on after holds up no other request, of its topic or another', async () => {
    const e = freshEvent();
    const partition = nextPartition++ % 6;
    const [{ high }] = (await fx.kafka.admin.fetchTopicOffsets(fx.topics.ingest)).filter((p) => p.partition === partition);
    let answered = false;
    const waiting = topics.request('event', { id: e.id, after: [`${fx.topics.ingest}:${partition}:${high}`] }).finally(() => (answered = true));
    await sleep(300); // fetched by the query app and waiting
    // Sent after it, answered while it still waits: an unknown id, and the stats of the tenant.
    const behind = await Promise.all([topics.request('event', { id: `missing-${uniqueSuffix()}` }, 15000), topics.request('stats', {}, 15000)]);
    expect(behind.map((r) => r.status)).toEqual([404, 200]);
    expect(answered).toBe(false);
    await fx.kafka.producer.send({ topic: fx.topics.ingest, acks: -1, messages: [{ partition, key: e.stream, value: JSON.stringify(e) }] });
    expect(await waiting).toMatchObject({ status: 200, body: { id: e.id } });
  });

  it('GET /v1/events/live with after: the feed opens, the record first', async () => {
    const e = freshEvent();
    const from = await head();
    const after = await publish(e);
    const controller = new AbortController();
    const res = await fetch(`${fx.query.url}/v1/events/live?fromPosition=${from}&stream=${e.stream}&after=${after}`, { signal: controller.signal });
    expect(res.status).toBe(200);
    const reader = res.body!.getReader();
    let text = '';
    while (!text.includes('data: ')) text += new TextDecoder().decode((await reader.read()).value);
    controller.abort();
    expect(text).toContain(`"id":"${e.id}"`);
  });

  it('a record produced with kcat is read back at once through after', async () => {
    const e = freshEvent();
    // kcat prints no delivery report: its partition is chosen (-p 2) and its offset is the partition's end before it.
    const [{ high }] = (await fx.kafka.admin.fetchTopicOffsets(fx.topics.ingest)).filter((p) => p.partition === 2);
    execFileSync('kcat', ['-b', KAFKA_BROKERS, '-t', fx.topics.ingest, '-P', '-p', '2', '-K', '|'], { input: `${e.stream}|${JSON.stringify(e)}\n` });
    const reply = await http('GET', `/v1/events/${e.id}`, { after: `${fx.topics.ingest}:2:${high}` });
    expect(reply.status).toBe(200);
    expect(reply.body).toMatchObject({ id: e.id, kafka: { topic: fx.topics.ingest, partition: 2, offset: Number(high) } });
  });

  it('a dead-lettered record: after returns (its outcome is durable), not a 504', async () => {
    const stream = `ryw-bad-${uniqueSuffix()}`;
    const after = await produce('{"type": this is not JSON', stream);
    const started = Date.now();
    const reply = await http('GET', '/v1/events', { stream, after });
    expect(reply.status).toBe(200);
    expect(reply.body.count).toBe(0);
    expect(Date.now() - started).toBeLessThan(30000);
    const [, partition, offset] = after.split(':');
    const letters = await fx.kafka.readUntil(fx.topics.dlq, (seen) => seen.some((r) => r.headerText['x-source-offset'] === offset && r.headerText['x-source-partition'] === partition), 'the dead letter');
    expect(letters.find((r) => r.headerText['x-source-offset'] === offset)?.headerText['x-error-code']).toBe('INVALID_JSON');
  });

  it('a duplicate: after returns, and the log holds the event once', async () => {
    const e = freshEvent();
    const first = await publish(e);
    expect((await http('GET', `/v1/events/${e.id}`, { after: first })).status).toBe(200);
    const again = await publish({ ...e, data: { s: 'changed' } });
    expect(again).not.toBe(first);
    const reply = await http('GET', '/v1/events', { stream: e.stream, after: [first, again] });
    expect(reply.status).toBe(200);
    expect(reply.body.events.map((x: any) => [x.id, x.data])).toEqual([[e.id, e.data]]);
    expect(await fx.db.count('SELECT count(*)::int AS n FROM events WHERE id = $1', [e.id])).toBe(1);
  });

  it('after does not widen a read: another tenant still sees nothing of the default tenant', async () => {
    const e = freshEvent();
    const after = await publish(e);
    const reply = await http('GET', '/v1/events', { stream: e.stream, tenant: 'someone-else', after });
    expect(reply.status).toBe(200);
    expect(reply.body.count).toBe(0);
    expect((await http('GET', `/v1/events/${e.id}`, { tenant: 'someone-else', after })).status).toBe(404);
  });

  it('the OpenAPI document lists after and minPosition, and the 504, on the reads and not on publishing', async () => {
    const doc = (await fx.get('/docs-json')).body;
    const names = (op: any) => (op.parameters ?? []).map((p: { name: string }) => p.name);
    for (const op of [doc.paths['/v1/events'].get, doc.paths['/v1/events/{id}'].get, doc.paths['/v1/query'].post, doc.paths['/v1/stats'].get]) {
      expect(names(op)).toEqual(expect.arrayContaining(['after', 'minPosition']));
      expect(op.responses['504']).toBeDefined();
    }
    expect(names(doc.paths['/v1/events'].post)).not.toContain('after');
  });

  describe('bad values: 400 naming the field', () => {
    const ingest = () => fx.topics.ingest;
    const cases: [string, () => Record<string, unknown>, string][] = [
      ['after malformed', () => ({ after: 'just-text' }), 'after'],
      ['partition not an integer', () => ({ after: `${ingest()}:one:5` }), 'after'],
      ['offset not an integer', () => ({ after: `${ingest()}:1:5.5` }), 'after'],
      ['negative offset', () => ({ after: `${ingest()}:1:-5` }), 'after'],
      ['negative partition', () => ({ after: `${ingest()}:-1:5` }), 'after'],
      ['absurd offset', () => ({ after: `${ingest()}:1:${'9'.repeat(400)}` }), 'after'],
      ['too many repetitions', () => ({ after: Array.from({ length: 101 }, (_, i) => `${ingest()}:0:${i}`) }), 'after'],
      ['the second of several malformed', () => ({ after: [`${ingest()}:0:1`, `${ingest()}:0:x`] }), 'after[1]'],
      ['a topic ingest does not consume', () => ({ after: `${fx.topics.dlq}:0:1` }), 'after'],
      ['minPosition not an integer', () => ({ minPosition: '1.5' }), 'minPosition'],
      ['minPosition negative', () => ({ minPosition: '-3' }), 'minPosition'],
    ];

    it.each(cases)('HTTP GET /v1/events and POST /v1/query: %s', async (_, params, field) => {
      const query = params() as Record<string, string | string[]>;
      for (const reply of [await http('GET', '/v1/events', query), await http('POST', '/v1/query', query, { limit: 1 })]) {
        expect(reply.status).toBe(400);
        expect(reply.body).toMatchObject({ statusCode: 400, error: 'Bad Request' });
        expect(reply.body.details.map((d: { field: string }) => d.field)).toContain(field);
      }
    });

    it.each(cases)('request topics events and dsl: %s', async (_, params, field) => {
      for (const reply of [await topics.request('events', params()), await topics.request('dsl', { limit: 1, ...params() })]) {
        expect(reply.status).toBe(400);
        expect(reply.body.details.map((d: { field: string }) => d.field)).toContain(field);
      }
    });

    it('JSON that is not text or a number, and null, are refused on the request topics', async () => {
      for (const [value, field] of [
        [{ after: null }, 'after'],
        [{ after: { topic: fx.topics.ingest } }, 'after'],
        [{ minPosition: null }, 'minPosition'],
        [{ minPosition: 2.5 }, 'minPosition'],
      ] as const) {
        const reply = await topics.request('stats', value);
        expect(reply.status).toBe(400);
        expect(reply.body.details.map((d: { field: string }) => d.field)).toEqual([field]);
      }
    });
  });

  describe('the wait bound', () => {
    let short: AppProcess;
    let shortTopics: RequestTopics;
    const BOUND_MS = 1500;

    beforeAll(async () => {
      const prefix = `${fx.topics.group}.short.`;
      short = await AppProcess.start('query', 'ryw-query-short', fx.queryEnv({ READ_WAIT_MS: String(BOUND_MS), QUERY_TOPIC_PREFIX: prefix, QUERY_GROUP_ID: `${fx.groupId}.short` }));
      shortTopics = new RequestTopics(fx, prefix);
      await shortTopics.start();
    });
    afterAll(async () => {
      await shortTopics?.stop();
      await short?.stop();
    });

    it('minPosition beyond the log: 504 after the bound, naming minPosition', async () => {
      const started = Date.now();
      const reply = await http('GET', '/v1/stats', { minPosition: String((await head()) + 1000) }, undefined, short.url);
      expect(Date.now() - started).toBeGreaterThanOrEqual(BOUND_MS - 50);
      expect(reply.status).toBe(504);
      expect(reply.body).toMatchObject({ statusCode: 504, error: 'Gateway Timeout', details: [{ field: 'minPosition' }] });
    });

    it('ingest not running: 504 after the bound on HTTP, the live feed and the request topics; the same read answers once ingest is back', async () => {
      await fx.ingest.stop();
      const e = freshEvent();
      const after = await publish(e);

      const started = Date.now();
      const reply = await http('GET', `/v1/events/${e.id}`, { after }, undefined, short.url);
      expect(Date.now() - started).toBeGreaterThanOrEqual(BOUND_MS - 50);
      expect(reply.status).toBe(504);
      expect(reply.body).toMatchObject({ statusCode: 504, error: 'Gateway Timeout', details: [{ field: 'after', message: `${after} has no durable outcome yet` }] });
      expect(reply.body.message).toContain(`within ${BOUND_MS} ms`);

      expect((await fetch(`${short.url}/v1/events/live?after=${after}`)).status).toBe(504);
      const kafkaReply = await shortTopics.request('event', { id: e.id, after });
      expect(kafkaReply).toMatchObject({ status: 504, body: { statusCode: 504, details: [{ field: 'after' }] } });

      await fx.ingest.launch();
      const late = await http('GET', `/v1/events/${e.id}`, { after });
      expect(late.status).toBe(200);
      expect(late.body.id).toBe(e.id);
    });
  });
});
