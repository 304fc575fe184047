import { Consumer, IHeaders } from 'kafkajs';
import { EventLogClient, EventLogError } from '@eventlog/client';
import { QUERY_TOPICS, replyTopicOf } from '@eventlog/contracts';
import { uniqueSuffix } from './support/env';
import { kafka } from './support/kafka';
import { QueryFixture } from './support/query-fixture';
import { waitFor } from './support/wait-for';

/** The query topics answer like HTTP: once called by hand with kafkajs, once with EventLogClient. */
describe('query app: Kafka request/reply', () => {
  let fx: QueryFixture;
  const events = [
    { id: 'k-root', stream: 'job-1', type: 'JobStarted', requestId: 'req-k', nodeId: 'root', status: 'running', occurredAt: '2024-07-01T10:00:00.000Z' },
    { id: 'k-child', stream: 'job-1', type: 'StepDone', requestId: 'req-k', nodeId: 'c1', parentNodeId: 'root', status: 'success', occurredAt: '2024-07-01T10:00:01.000Z' },
    { id: 'k-grand', stream: 'job-1', type: 'StepDone', requestId: 'req-k', nodeId: 'g1', parentNodeId: 'c1', status: 'success', occurredAt: '2024-07-01T10:00:02.000Z', data: { n: 2 } },
    ...Array.from({ length: 20 }, (_, i) => ({ id: `k-${i}`, stream: `acct-${i % 2}`, type: 'Deposit', data: { amount: i }, occurredAt: `2024-07-01T11:00:${String(i).padStart(2, '0')}.000Z` })),
  ];
  // Each query topic, a request for it and the HTTP request that must give the same answer.
  const same: [keyof typeof QUERY_TOPICS, object, string][] = [
    ['events', { stream: 'acct-1', pageSize: '3', sort: 'position' }, '/v1/events?stream=acct-1&pageSize=3&sort=position'],
    ['event', { id: 'k-7' }, '/v1/events/k-7'],
    ['stream', { stream: 'acct-0', direction: 'backward', limit: 4 }, '/v1/streams/acct-0/events?direction=backward&limit=4'],
    ['trace', { requestId: 'req-k' }, '/v1/traces/req-k'],
    ['traceNode', { requestId: 'req-k', nodeId: 'c1' }, '/v1/traces/req-k/nodes/c1'],
    ['stats', { stream: 'acct-0' }, '/v1/stats?stream=acct-0'],
  ];
  const dslBody = { where: [{ field: 'data.amount', operator: 'gte' as const, value: 15 }], reduce: { type: 'sum' as const, field: 'data.amount', groupBy: ['stream'] } };
  // Stats carry a clock reading (seconds since the last append) that moves between two calls.
  const steady = (reply: any) => (reply?.ingestLag ? { ...reply, ingestLag: { ...reply.ingestLag, secondsSinceLastAppend: 0 } } : reply);

  beforeAll(async () => {
    fx = await QueryFixture.start('query-kafka');
    await fx.produce(events);
    await fx.waitForEvents(events.length);
  });
  afterAll(() => fx?.stop());

  describe('a plain kafkajs client setting the NestJS headers by hand', () => {
    let consumer: Consumer;
    const replies = new Map<string, { value: string | null; headers: IHeaders; partition: number; topic: string }>();
    const topic = (name: keyof typeof QUERY_TOPICS) => fx.topicPrefix + QUERY_TOPICS[name];

    beforeAll(async () => {
      consumer = kafka.consumer({ groupId: `${fx.topics.group}.plain.${uniqueSuffix()}`, maxWaitTimeInMs: 50 });
      let joined = false;
      consumer.on(consumer.events.GROUP_JOIN, () => (joined = true));
      await consumer.connect();
      await consumer.subscribe({ topics: Object.keys(QUERY_TOPICS).map((k) => replyTopicOf(topic(k as keyof typeof QUERY_TOPICS))) });
      await consumer.run({
        eachMessage: async ({ topic: t, partition, message }) => {
          replies.set(String(message.headers?.kafka_correlationId), { value: message.value?.toString() ?? null, headers: message.headers ?? {}, partition, topic: t });
        },
      });
      await waitFor(async () => joined, Boolean, { what: 'reply consumer to join' });
    });
    afterAll(() => consumer?.disconnect());

    async function request(name: keyof typeof QUERY_TOPICS, value: string, replyPartition = 2) {
      const id = `corr-${uniqueSuffix()}`;
      await fx.kafka.produce(topic(name), [
        { value, headers: { kafka_correlationId: id, kafka_replyTopic: replyTopicOf(topic(name)), kafka_replyPartition: String(replyPartition) } },
      ]);
      return waitFor(async () => replies.get(id), Boolean, { timeoutMs: 15000, what: `reply ${id}` }).then((r) => r!);
    }

    it.each(same)('%s: the reply value is the JSON HTTP returns, on the asked reply partition', async (name, body, path) => {
      const reply = await request(name, JSON.stringify(body), 3);
      expect(reply.partition).toBe(3);
      expect(reply.headers['kafka_nest-err']).toBeUndefined();
      const http = await fx.get(path);
      expect(http.status).toBe(200);
      expect(steady(JSON.parse(reply.value!))).toEqual(steady(http.body));
    });

    it('dsl: the reply is the JSON POST /v1/query returns', async () => {
      const reply = await request('dsl', JSON.stringify(dslBody));
      expect(JSON.parse(reply.value!)).toEqual((await fx.post('/v1/query', dslBody)).body);
      const amounts = (stream: string) =>
        events.filter((e) => e.stream === stream).map((e) => (e.data as { amount?: number } | undefined)?.amount ?? 0);
      const sumOf = (stream: string) => amounts(stream).filter((a) => a >= 15).reduce((n, a) => n + a, 0);
      expect(JSON.parse(reply.value!).groups).toEqual([
        { key: { stream: 'acct-0' }, value: sumOf('acct-0') },
        { key: { stream: 'acct-1' }, value: sumOf('acct-1') },
      ]);
    });

    it('bad input: a 400 body in kafka_nest-err naming the field, not "Internal server error"', async () => {
      for (const [name, value, field] of [
        ['events', JSON.stringify({ pageSize: -3 }), 'pageSize'],
        ['dsl', JSON.stringify({ where: [{ field: 'nope', operator: 'eq', value: 1 }] }), 'where[0].field'],
        ['event', 'this is not JSON', 'body'],
        ['stats', JSON.stringify({ from: 'soon' }), 'from'],
      ] as const) {
        const reply = await request(name, value);
        const err = JSON.parse(String(reply.headers['kafka_nest-err']));
        expect(err).toMatchObject({ statusCode: 400, error: 'Bad Request' });
        expect(err.details.map((d: { field: string }) => d.field)).toContain(field);
      }
    });

    it('unknown ids: a 404 body in kafka_nest-err', async () => {
      const reply = await request('trace', JSON.stringify({ requestId: 'nope' }));
      expect(JSON.parse(String(reply.headers['kafka_nest-err']))).toMatchObject({ statusCode: 404, error: 'Not Found' });
    });

    it('concurrent requests each get their own reply, matched by correlation id', async () => {
      const ids = Array.from({ length: 20 }, (_, i) => `k-${i}`);
      const answers = await Promise.all(ids.map((id, i) => request('event', JSON.stringify({ id }), i % 6)));
      expect(answers.map((a) => JSON.parse(a.value!).id)).toEqual(ids);
      expect(answers.map((a) => a.partition)).toEqual(ids.map((_, i) => i % 6));
    });
  });

  describe('the shipped EventLogClient', () => {
    let client: EventLogClient;

    beforeAll(async () => {
      client = new EventLogClient({ transport: 'kafka', kafka: { brokers: ['127.0.0.1:9092'], groupId: `${fx.topics.group}.client`, topicPrefix: fx.topicPrefix }, timeoutMs: 10000 });
      await client.connect();
    });
    afterAll(() => client?.close());

    it('answers every method as HTTP does', async () => {
      const [events, event, stream, trace, node, stats] = same.map(([, , path]) => path);
      expect(await client.events({ stream: 'acct-1', pageSize: 3, sort: 'position' })).toEqual((await fx.get(events)).body);
      expect(await client.event({ id: 'k-7' })).toEqual((await fx.get(event)).body);
      expect(await client.stream({ stream: 'acct-0', direction: 'backward', limit: 4 })).toEqual((await fx.get(stream)).body);
      expect(await client.trace({ requestId: 'req-k' })).toEqual((await fx.get(trace)).body);
      expect(await client.traceNode({ requestId: 'req-k', nodeId: 'c1' })).toEqual((await fx.get(node)).body);
      expect(await client.dsl(dslBody)).toEqual((await fx.post('/v1/query', dslBody)).body);
      expect(steady(await client.stats({ stream: 'acct-0' }))).toEqual(steady((await fx.get(stats)).body));
    });

    it('rejects with EventLogError carrying the status and the named fields', async () => {
      const bad = await client.events({ pageSize: 5000 }).catch((e) => e);
      expect(bad).toBeInstanceOf(EventLogError);
      expect(bad).toMatchObject({ statusCode: 400, details: [expect.objectContaining({ field: 'pageSize' })] });
      await expect(client.event({ id: 'missing' })).rejects.toMatchObject({ statusCode: 404 });
    });

    it('clients sharing a group each fetch their own reply partitions and get their own answers', async () => {
      const second = new EventLogClient({ transport: 'kafka', kafka: { brokers: ['127.0.0.1:9092'], groupId: `${fx.topics.group}.client`, topicPrefix: fx.topicPrefix }, timeoutMs: 10000 });
      await second.connect();
      try {
        // Both hold reply partitions after the rebalance the second's join caused; each fetches only its lowest.
        const ids = Array.from({ length: 10 }, (_, i) => `k-${i}`);
        const answers = await Promise.all(ids.flatMap((id) => [client.event({ id }), second.event({ id })]));
        expect(answers.map((a) => a.id)).toEqual(ids.flatMap((id) => [id, id]));
      } finally {
        await second.close();
      }
      // The first client is given every partition again, and a new lowest one to fetch.
      expect((await client.event({ id: 'k-3' })).id).toBe('k-3');
    });

    it('times out with a 504 EventLogError when nobody answers', async () => {
      const prefix = `${fx.topics.group}.nobody.`;
      const topics = Object.values(QUERY_TOPICS).flatMap((t) => [prefix + t, replyTopicOf(prefix + t)]);
      await fx.kafka.createTopics(topics.map((t) => ({ topic: t, partitions: 1 })));
      const lonely = new EventLogClient({ transport: 'kafka', kafka: { brokers: ['127.0.0.1:9092'], groupId: `${fx.topics.group}.lonely`, topicPrefix: prefix }, timeoutMs: 1500 });
      await lonely.connect();
      try {
        const started = Date.now();
        await expect(lonely.stats()).rejects.toMatchObject({ name: 'EventLogError', statusCode: 504 });
        expect(Date.now() - started).toBeGreaterThanOrEqual(1400);
      } finally {
        await lonely.close();
      }
    });
  });
});
