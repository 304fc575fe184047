import { ConfigResourceTypes, IHeaders } from 'kafkajs';
import { AppProcess } from './support/app-process';
import { TestDatabase } from './support/database';
import { uniqueSuffix } from './support/env';
import { appEnv } from './support/ingest-env';
import { kafka, ReceivedRecord, testTopics } from './support/kafka';
import { QueryFixture } from './support/query-fixture';
import { waitFor } from './support/wait-for';
import { kafkaCases } from './support/case-hooks';

/*
 * Issue 12's reproducers, each exactly as found from outside, against real Kafka, Postgres and the
 * built apps: every one ends stored exactly or refused with the field named, and the partition
 * behind it keeps flowing.
 */

const ACME = 'tok-acme-0123456789abcdef';
const ADMIN = 'tok-admin-0123456789abcdef';
const AUTH_TOKENS = JSON.stringify({
  [ACME]: { tenants: ['acme'], scopes: ['read'] },
  [ADMIN]: { tenants: ['*'], scopes: ['read', 'publish'] },
});

describe('hostile input: the reproducers of issue 12', () => {
  let fx: QueryFixture;

  beforeAll(async () => {
    fx = await QueryFixture.start('hostile', { AUTH_TOKENS });
    await fx.produce([
      { id: 'd-1', stream: 'default-s', type: 'Secret', message: 'secret of default' },
      { id: 'a-1', tenant: 'acme', stream: 'acme-s', type: 'Mine', message: 'acme data' },
    ]);
    await fx.waitForEvents(2);
  });
  afterAll(() => fx?.stop());

  const call = async (method: string, path: string, token: string | undefined, body?: string | object) => {
    const headers: Record<string, string> = body === undefined ? {} : { 'content-type': 'application/json' };
    if (token) headers['x-auth-token'] = token;
    const payload = body === undefined || Buffer.isBuffer(body) || typeof body === 'string' ? body : JSON.stringify(body);
    const res = await fetch(`${fx.query.url}${path}`, { method, headers, body: payload as string | undefined });
    const text = await res.text();
    return { status: res.status, text, body: JSON.parse(text || 'null') };
  };
  const fields = (body: { details?: { field: string }[] }) => (body.details ?? []).map((d) => d.field);

  /** Dead letters of this fixture's DLQ, by the id their value names. */
  const letters = async (ids: string[]) => {
    const seen = await fx.kafka.readUntil(fx.topics.dlq, (all) => ids.every((id) => all.some((r) => r.value?.includes(`"${id}"`))), `letters ${ids}`);
    return new Map(ids.map((id) => [id, seen.find((r) => r.value?.includes(`"${id}"`))!]));
  };

  it('1. a stream with a lone surrogate is dead-lettered naming the field, and the partition keeps flowing', async () => {
    // The bytes kcat sends for the reproducer: JSON text with the escape \ud800, keyed `k`, one partition.
    const record = (id: string, stream: string) => ({ key: 'k', partition: 0, value: `{"id":"${id}","stream":"${stream}","type":"T"}` });
    await fx.kafka.produce(fx.topics.ingest, [record('rp-1', 'rp-\\ud800')]);
    await fx.kafka.produce(fx.topics.ingest, [record('rp-2', 'rp-\\ud800'), record('rp-3', 'ok')]);
    await waitFor(() => fx.db.count(`SELECT count(*)::int AS n FROM events WHERE id = 'rp-3'`), (n) => n === 1, { timeoutMs: 10000, what: 'rp-3 stored' });
    const dead = await letters(['rp-1', 'rp-2']);
    for (const letter of dead.values()) {
      expect(letter.headerText['x-error-code']).toBe('VALIDATION_FAILED');
      expect(letter.headerText['x-error-message']).toMatch(/^stream: text must be well-formed Unicode/);
    }
    expect(await fx.db.count(`SELECT count(*)::int AS n FROM events WHERE id IN ('rp-1', 'rp-2')`)).toBe(0);
  });

  it('1b. over HTTP, a tenant with a lone surrogate is a 400 naming tenant, not a 202 that never settles', async () => {
    const r = await call('POST', '/v1/events?wait=true', ADMIN, '{"tenant":"\\ud800","stream":"s","type":"T"}');
    expect(r.status).toBe(400);
    expect(fields(r.body)).toContain('tenant');
  });

  it.each([
    ['{"from":{"tenant":null}}', 'from.tenant'],
    ['{"from":null}', 'from'],
    ['{"from":{"tenant":null},"reduce":{"type":"count","groupBy":["tenant"]}}', 'from.tenant'],
    ['{"from":{"tenant":7}}', 'from.tenant'],
    ['{"from":{"tenant":["default"]}}', 'from.tenant'],
  ])("3. an acme token's DSL %s is a 400 naming %s, never default's events", async (body, field) => {
    const r = await call('POST', '/v1/query', ACME, body);
    expect(r.status).toBe(400);
    expect(fields(r.body)).toContain(field);
    expect(r.text).not.toContain('secret of default');
  });

  it("3b. an acme token naming no tenant reads acme's events only, grouped by tenant too", async () => {
    const grouped = await call('POST', '/v1/query', ACME, { reduce: { type: 'count', groupBy: ['tenant'] } });
    expect(grouped.status).toBe(200);
    expect(grouped.body.groups).toEqual([{ key: { tenant: 'acme' }, value: 1 }]);
    const plain = await call('POST', '/v1/query', ACME, {});
    expect(plain.body.events.map((e: { id: string }) => e.id)).toEqual(['a-1']);
  });

  it('3c. the same nulls on the request topic are refused too, and so is a request with no value', async () => {
    const replyTopic = `${fx.topicPrefix}eventlog.query.dsl.reply`;
    const consumer = kafka.consumer({ groupId: `${fx.topics.group}.hostile.${uniqueSuffix()}`, maxWaitTimeInMs: 50 });
    const replies = new Map<string, ReceivedRecord['headers']>();
    let joined = false;
    consumer.on(consumer.events.GROUP_JOIN, () => (joined = true));
    await consumer.connect();
    try {
      await consumer.subscribe({ topic: replyTopic });
      await consumer.run({ eachMessage: async ({ message }) => void replies.set(String(message.headers?.kafka_correlationId), message.headers) });
      await waitFor(async () => joined, Boolean, { what: 'reply consumer joined' });
      // The last: a tombstone, a request with no value at all.
      for (const value of ['{"from":{"tenant":null}}', '{"from":null}', '{"from":{"streamPrefix":null}}', '{"where":[],"x":1e400}', null]) {
        const id = `corr-${uniqueSuffix()}`;
        const headers: IHeaders = { kafka_correlationId: id, kafka_replyTopic: replyTopic, kafka_replyPartition: '0', 'x-auth-token': ACME };
        await fx.kafka.produce(`${fx.topicPrefix}eventlog.query.dsl`, [{ value, headers }]);
        const reply = (await waitFor(async () => replies.get(id), Boolean, { timeoutMs: 15000, what: `reply to ${value}` }))!;
        expect(JSON.parse(String(reply['kafka_nest-err']))).toMatchObject({ statusCode: 400 });
      }
    } finally {
      await consumer.disconnect();
    }
  });

  it.each([
    ['POST', '/v1/query', '{"from":{"streamPrefix":null}}', 'from.streamPrefix'],
    ['POST', '/v1/query', '{"reduce":{"type":"count","field":null}}', 'reduce.field'],
    ['POST', '/v1/query', '{"from":{"stream":null}}', 'from.stream'],
    ['POST', '/v1/events/batch', `${'['.repeat(3000)}${']'.repeat(3000)}`, '[0]'],
    ['POST', '/v1/query', '{"where":[{"field":"data.n","operator":"eq","value":1e400}]}', 'where[0].value'],
    ['POST', '/v1/query', '{"where":[{"field":"data.n","operator":"eq","value":9007199254740993}]}', 'where[0].value'],
    ['POST', '/v1/events', '{"stream":"s","type":"T","data":{"n":1e400}}', 'data.n'],
    ['POST', '/v1/events', '{"stream":"s","type":"T","data":{"n":18446744073709551617}}', 'data.n'],
  ])('4/5. %s %s (%#) is a 400 naming the field', async (method, path, body, field) => {
    const r = await call(method, path, ADMIN, body);
    expect(r.status).toBe(400);
    expect(fields(r.body).some((f: string) => f === field || f.startsWith(`${field}[`) || f.startsWith(`${field}.`))).toBe(true);
  });

  it('5. an HTTP body that is not UTF-8 is a 400, not text with U+FFFD', async () => {
    const body = Buffer.concat([Buffer.from('{"stream":"s-'), Buffer.from([0xff]), Buffer.from('","type":"T"}')]);
    const res = await fetch(`${fx.query.url}/v1/events`, { method: 'POST', headers: { 'content-type': 'application/json', 'x-auth-token': ADMIN }, body });
    expect(res.status).toBe(400);
    expect(await res.json()).toMatchObject({ message: 'body is not valid UTF-8', details: [{ field: 'body' }] });
  });

  it('5b. over Kafka: 1e400, 2^53+1 and invalid UTF-8 are dead letters naming the value; exact numbers are stored exactly', async () => {
    await fx.kafka.produce(fx.topics.ingest, [
      { key: 'n', value: '{"id":"num-1","stream":"n","type":"T","data":{"n":1e400}}' },
      { key: 'n', value: '{"id":"num-2","stream":"n","type":"T","data":{"n":9007199254740993}}' },
      { key: 'n', value: Buffer.concat([Buffer.from('{"id":"num-3","stream":"n-'), Buffer.from([0xc3, 0x28]), Buffer.from('","type":"T"}')]) },
      { key: 'n', value: '{"id":"num-4","stream":"n","type":"T","data":{"n":9007199254740992,"f":0.1}}' },
    ]);
    const dead = await letters(['num-1', 'num-2', 'num-3']);
    expect(dead.get('num-1')!.headerText).toMatchObject({ 'x-error-code': 'VALIDATION_FAILED', 'x-error-message': expect.stringMatching(/^data\.n: the number 1e400/) });
    expect(dead.get('num-2')!.headerText).toMatchObject({ 'x-error-code': 'VALIDATION_FAILED', 'x-error-message': expect.stringMatching(/^data\.n: the number 9007199254740993/) });
    expect(dead.get('num-3')!.headerText).toMatchObject({ 'x-error-code': 'INVALID_JSON', 'x-error-message': 'value is not valid UTF-8' });
    await waitFor(() => fx.db.count(`SELECT count(*)::int AS n FROM events WHERE id = 'num-4'`), (n) => n === 1, { what: 'num-4 stored' });
    const { rows } = await fx.db.pool.query(`SELECT data::text AS data FROM events WHERE id = 'num-4'`);
    expect(rows[0].data).toBe('{"f": 0.1, "n": 9007199254740992}');
  });

  it('5c. x-error-message is one line even when the reason quotes a newline from the record', async () => {
    await fx.kafka.produce(fx.topics.ingest, [{ key: 'nl', value: '{"id":"nl-1","stream":"nl","type":"T","bad\\nfield\\r":1}' }]);
    const letter = (await letters(['nl-1'])).get('nl-1')!;
    expect(letter.headerText['x-error-message']).toBe('property bad\\u000afield\\u000d should not exist');
  });

  it('the GET routes still refuse a tenant the token does not grant', async () => {
    expect((await call('GET', '/v1/events?tenant=default', ACME)).status).toBe(403);
    expect((await call('GET', '/v1/events', ACME)).text).not.toContain('secret of default');
  });
});

describe('hostile input: records the dead-letter or outbound topic refuse as too large (issue 12, item 2)', () => {
  const { tk, cleanup } = kafkaCases();

  const maxMessageBytes = async (topic: string) => {
    const { resources } = await tk.admin.describeConfigs({ includeSynonyms: false, resources: [{ type: ConfigResourceTypes.TOPIC, name: topic }] });
    return Number(resources[0].configEntries.find((e) => e.configName === 'max.message.bytes')!.configValue);
  };

  async function setUp(label: string, sizes: { ingest?: number; dlq?: number; outbound?: number }) {
    const db = await TestDatabase.create(label);
    cleanup.push(() => db.drop());
    const topics = testTopics(label);
    const entries = (bytes?: number) => (bytes ? [{ name: 'max.message.bytes', value: String(bytes) }] : []);
    await tk.admin.createTopics({
      waitForLeaders: true,
      topics: [
        { topic: topics.ingest, numPartitions: 1, configEntries: entries(sizes.ingest) },
        { topic: topics.dlq, numPartitions: 1, configEntries: entries(sizes.dlq) },
        ...(sizes.outbound ? [{ topic: topics.outbound, numPartitions: 1, configEntries: entries(sizes.outbound) }] : []),
      ],
    });
    return { db, topics };
  }

  it('a 2 MB record the DLQ topic (1 MB, made elsewhere) refuses is dead-lettered without its value; the small one behind it lands', async () => {
    const { db, topics } = await setUp('dlqsize', { ingest: 8 * 1024 * 1024 });
    expect(await maxMessageBytes(topics.dlq)).toBeLessThan(2 * 1024 * 1024);
    const ingest = await AppProcess.start('ingest', 'dlqsize-ingest', appEnv(db, topics));
    cleanup.push(() => ingest.stop());
    const big = JSON.stringify({ id: 'big-1', stream: 's', type: 'T', data: { s: 'x'.repeat(2 * 1024 * 1024) } });
    await tk.produce(topics.ingest, [{ key: 's', value: big }]);
    await tk.produce(topics.ingest, [{ key: 's', value: JSON.stringify({ id: 'small-1', stream: 's', type: 'T' }) }]);
    await waitFor(() => db.count(`SELECT count(*)::int AS n FROM events WHERE id = 'small-1'`), (n) => n === 1, { timeoutMs: 15000, what: 'small-1 stored' });
    const [letter] = await tk.readAll(topics.dlq, 1);
    expect(letter.value).toBeNull();
    expect(letter.headerText).toMatchObject({
      'x-error-code': 'TOO_LARGE',
      'x-source-topic': topics.ingest,
      'x-source-offset': '0',
      'x-error-value-bytes': String(Buffer.byteLength(big)),
    });
  });

  it('the topics the apps create have room for a whole record, whichever app starts first', async () => {
    const db = await TestDatabase.create('topicsize');
    cleanup.push(() => db.drop());
    const topics = testTopics('topicsize');
    const query = await AppProcess.start('query', 'topicsize-query', appEnv(db, topics, { QUERY_TOPIC_PREFIX: `${topics.group}.` }));
    cleanup.push(() => query.stop());
    // MAX_EVENT_BYTES is 1 MiB: room for 2 MiB of record and 1 MiB of headers and envelope.
    expect(await maxMessageBytes(topics.dlq)).toBe(3 * 1024 * 1024);
    expect(await maxMessageBytes(topics.ingest)).toBe(3 * 1024 * 1024);
  });

  it('an event the outbound topic (64 KiB, made elsewhere) refuses is published as a reference; the next one whole', async () => {
    const { db, topics } = await setUp('outsize', { outbound: 64 * 1024 });
    const ingest = await AppProcess.start('ingest', 'outsize-ingest', appEnv(db, topics));
    cleanup.push(() => ingest.stop());
    await tk.produce(topics.ingest, [
      { key: 's', value: JSON.stringify({ id: 'wide-1', stream: 's', type: 'Wide', data: { s: 'x'.repeat(100 * 1024) } }) },
      { key: 's', value: JSON.stringify({ id: 'narrow-1', stream: 's', type: 'Narrow' }) },
    ]);
    const records = await tk.readPositions(topics.outbound, 2);
    const byPosition = (p: string) => records.find((r) => r.headerText['eventlog-position'] === p)!;
    expect(JSON.parse(byPosition('1').value!.toString())).toEqual({ tenant: 'default', stream: 's', type: 'Wide', version: 1, position: 1, truncated: true });
    expect(Number(byPosition('1').headerText['eventlog-truncated'])).toBeGreaterThan(100 * 1024);
    expect(JSON.parse(byPosition('2').value!.toString())).toMatchObject({ id: 'narrow-1', position: 2, version: 2 });
  });
});
