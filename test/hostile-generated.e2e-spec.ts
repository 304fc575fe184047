import fc from 'fast-check';
import { IHeaders } from 'kafkajs';
import { uniqueSuffix } from './support/env';
import { asQueryValues, hostileValue, mutationsOf, percentEncode, replaceAt, toJsonText } from './support/hostile-values';
import { kafka } from './support/kafka';
import { QueryFixture } from './support/query-fixture';
import { waitFor } from './support/wait-for';

/*
 * The generative hostile-input suite of issue 12. Valid requests and records, each with one
 * position given a hostile value (null, a wrong type, a Unicode edge case, a number beyond a
 * double, deep nesting, text at and past a limit), sent with a token restricted to tenant acme.
 * Every parser gets CASES cases from one seed, printed at the start (rerun with HOSTILE_SEED=…).
 * Each answer must be: no 5xx; a 400 (or dead letter) that names the field; 403 only for a tenant;
 * and a 2xx never carries another tenant's event. Afterwards nothing stored before has changed, and
 * a valid record produced behind the hostile ones lands within seconds on every partition.
 */

const SEED = Number(process.env.HOSTILE_SEED ?? Date.now() % 2 ** 31);
const CASES = Number(process.env.HOSTILE_CASES ?? 1000);
const PARTITIONS = 6;
const ACME = 'tok-hostile-acme-0123456789';
const ADMIN = 'tok-hostile-admin-012345678';
const AUTH_TOKENS = JSON.stringify({
  [ACME]: { tenants: ['acme'], scopes: ['read', 'publish'] },
  [ADMIN]: { tenants: ['*'], scopes: ['read', 'publish'] },
});
const SECRET = 'secret-of-default';

const sample = <T>(arb: fc.Arbitrary<T>, salt: number, n = CASES) => fc.sample(arb, { numRuns: n, seed: SEED + salt });
const short = (s: string) => (s.length > 200 ? `${s.slice(0, 200)}…(${s.length})` : s);

interface Case {
  parser: string;
  field: string;
  method: 'GET' | 'POST';
  path: string;
  body?: string;
}

// ── valid templates, one per parser ──────────────────────────────────────────────────────────

const envelope = { tenant: 'acme', stream: 'acme-gen', type: 'Generated', data: { amount: 1, tags: ['a'] }, metadata: { m: 'x' }, source: 'gen', status: 'success', message: 'generated', requestId: 'gen-req', nodeId: 'gen-node', parentNodeId: 'gen-root', occurredAt: '2024-05-01T10:00:00.000Z', expectedVersion: 'any' };
const DSL_EVENTS = {
  from: { tenant: 'acme', stream: 'acme-s', streamPrefix: 'acme-' },
  where: [{ field: 'type', operator: 'in', value: ['Mine', 'Other'] }, { field: 'data.amount', operator: 'between', value: [1, 100] }],
  select: ['type', 'data.amount'],
  orderBy: { field: 'occurredAt', direction: 'desc' },
  limit: 10,
  offset: 0,
  includeTotal: true,
};
const DSL_GROUPS = { from: { tenant: 'acme' }, where: [{ field: 'status', operator: 'neq', value: 'fail' }], reduce: { type: 'sum', field: 'data.amount', groupBy: ['type', 'tenant'], interval: '1h', limit: 5 } };
const LOG_QUERY = { tenant: 'acme', stream: 'acme-s', type: ['Mine', 'Other'], status: 'success', source: 'src', requestId: 'r', q: 'data', from: '2020-01-01T00:00:00.000Z', to: '2100-01-01T00:00:00.000Z', sort: 'position', order: 'asc', page: '1', pageSize: '10', includeTotal: 'true' };
const QUERIES: Record<string, Record<string, unknown>> = {
  '/v1/events': LOG_QUERY,
  '/v1/stats': { tenant: 'acme', stream: 'acme-s', from: '2020-01-01T00:00:00.000Z', to: '1999999999999' },
  '/v1/streams': { tenant: 'acme', prefix: 'acme-', offset: '0', limit: '5' },
  '/v1/streams/acme-s/events': { tenant: 'acme', fromVersion: '1', direction: 'backward', limit: '3' },
};
const PATHS: { template: string[]; route: (p: string[]) => string }[] = [
  { template: ['a-1'], route: ([id]) => `/v1/events/${id}` },
  { template: ['acme-s'], route: ([s]) => `/v1/streams/${s}` },
  { template: ['acme-s'], route: ([s]) => `/v1/streams/${s}/events` },
  { template: ['acme-req'], route: ([r]) => `/v1/traces/${r}` },
  { template: ['acme-req', 'root'], route: ([r, n]) => `/v1/traces/${r}/nodes/${n}` },
];
const PATH_NAMES = ['id', 'stream', 'stream', 'requestId', 'requestId|nodeId'];

const queryString = (q: Record<string, unknown>) =>
  Object.entries(q)
    .filter(([, v]) => v !== undefined)
    .flatMap(([k, v]) => asQueryValues(v).map((one) => `${k}=${percentEncode(one)}`))
    .join('&');

const bodyCases = (parser: string, path: string, templates: unknown[], salt: number): Case[] =>
  templates.flatMap((template, t) =>
    sample(mutationsOf(template), salt + t, Math.ceil(CASES / templates.length)).map((m) => ({ parser, field: m.field, method: 'POST' as const, path, body: toJsonText(m.value) })),
  );

const queryCases = (): Case[] =>
  Object.entries(QUERIES).flatMap(([path, template], t) =>
    sample(fc.tuple(fc.constantFrom(...Object.keys(template)), hostileValue), 20 + t, Math.ceil(CASES / 4)).map(([key, hostile]) => ({
      parser: 'query string',
      field: key,
      method: 'GET' as const,
      path: `${path}?${queryString({ ...template, [key]: hostile.value })}`,
    })),
  );

const pathCases = (): Case[] =>
  sample(fc.tuple(fc.nat({ max: PATHS.length - 1 }), fc.nat({ max: 1 }), hostileValue), 30).map(([r, i, hostile]) => {
    const { template, route } = PATHS[r];
    const at = Math.min(i, template.length - 1);
    const segment = percentEncode(asQueryValues(hostile.value)[0]);
    return { parser: 'path parameters', field: PATH_NAMES[r].split('|')[at], method: 'GET' as const, path: route(replaceAt(template, [at], segment) as string[]) };
  });

// ── what every answer must be ────────────────────────────────────────────────────────────────

/** Whether an error detail's field is the mutated one, inside it or around it. */
const names = (detail: string, field: string) =>
  [detail, field].some((a) => {
    const b = a === detail ? field : detail;
    return a === b || b.startsWith(`${a}.`) || b.startsWith(`${a}[`) || (a === '' && b !== '');
  });

/** What is wrong with one answer, or undefined. */
function wrongAnswer(c: Case, status: number, text: string): string | undefined {
  if (status >= 500) return `${status}`;
  if (status === 431 && c.path.length > 16_000) return undefined; // Node's limit on a request line: a clear refusal
  if (status === 400) {
    const details: { field: string }[] = JSON.parse(text).details ?? [];
    // A path the router cannot decode is refused before it has parameters: it names the path. An
    // empty last segment addresses the collection (`/v1/traces/` is `GET /v1/traces`): its 400
    // names a field of that route's own.
    const collection = c.parser === 'path parameters' && /\/(\?|$)/.test(c.path);
    const named = details.some((d) => names(d.field, c.field) || (c.parser === 'path parameters' && d.field === 'path') || collection);
    return named ? undefined : `400 naming ${details.map((d) => d.field).join(', ') || 'nothing'}`;
  }
  if (status === 403) return /tenant$/.test(c.field) ? undefined : '403 for a field that is not a tenant';
  if (status === 404 || status === 201 || status === 202 || status === 200) {
    if (text.includes(SECRET)) return "another tenant's event";
    const tenants = [...text.matchAll(/"tenant":"((?:[^"\\]|\\.)*)"/g)].map((m) => m[1]);
    return tenants.every((t) => t === 'acme') ? undefined : `tenants ${[...new Set(tenants)].join(', ')}`;
  }
  return `unexpected ${status}`;
}

async function sendAll(base: string, cases: Case[], width = 8) {
  const wrong: string[] = [];
  let next = 0;
  await Promise.all(
    Array.from({ length: width }, async () => {
      while (next < cases.length) {
        const c = cases[next++];
        const headers: Record<string, string> = { 'x-auth-token': ACME, ...(c.body === undefined ? {} : { 'content-type': 'application/json' }) };
        const send = () => fetch(`${base}${c.path}`, { method: c.method, headers, body: c.body });
        let res: Response;
        try {
          // A kept-alive socket can close under a request in flight (one CI run in many saw
          // "fetch failed" for a request the server logged as answered with its 400). Sent once
          // more: a server that drops or crashes on the input fails the second time as well.
          res = await send().catch(() => send());
        } catch (err) {
          // Over Node's 16 KB request line the server answers 431 and closes the socket; when it
          // closes while the client is still writing the line, the client sees the close instead.
          const cause = (err as Error & { cause?: { code?: string } }).cause?.code;
          if (c.path.length <= 16_000) wrong.push(`${c.parser} ${c.field}: ${(err as Error).message}${cause ? ` (${cause})` : ''} ← ${c.method} ${short(c.path)}`);
          continue;
        }
        const text = await res.text();
        const problem = wrongAnswer(c, res.status, text);
        if (problem) wrong.push(`${c.parser} ${c.field}: ${problem} ← ${c.method} ${short(c.path)} ${short(c.body ?? '')} → ${short(text)}`);
      }
    }),
  );
  return wrong;
}

/** JSON with object keys sorted (jsonb keeps them in its own order) and -0 as 0 (the same number). */
const canonical = (v: unknown): string =>
  Array.isArray(v)
    ? `[${v.map(canonical).join(',')}]`
    : typeof v === 'object' && v !== null
      ? `{${Object.keys(v).sort().map((k) => `${JSON.stringify(k)}:${canonical((v as Record<string, unknown>)[k])}`).join(',')}}`
      : JSON.stringify(Object.is(v, -0) ? 0 : v);

/** The dead letters' reason headers by source `partition:offset`, read until `expected` all have one (or 30 s pass). */
async function deadLetters(topic: string, expected: string[]): Promise<Map<string, Record<string, string>>> {
  const dead = new Map<string, Record<string, string>>();
  const consumer = kafka.consumer({ groupId: `reader.${uniqueSuffix()}`, maxWaitTimeInMs: 100 });
  await consumer.connect();
  try {
    await consumer.subscribe({ topic, fromBeginning: true });
    await consumer.run({
      eachMessage: async ({ message }) => {
        const h = Object.fromEntries(Object.entries(message.headers ?? {}).map(([k, v]) => [k, String(v)]));
        dead.set(`${h['x-source-partition']}:${h['x-source-offset']}`, h);
      },
    });
    await waitFor(async () => expected.filter((at) => !dead.has(at)).length, (missing) => missing === 0, { timeoutMs: 30_000, what: 'a dead letter for every case not stored' }).catch(() => undefined);
    return dead;
  } finally {
    await consumer.disconnect();
  }
}

describe(`hostile input, generated (seed ${SEED}, ${CASES} cases per parser)`, () => {
  let fx: QueryFixture;
  let before: Map<string, string>;

  const snapshot = async () => {
    const { rows } = await fx.db.pool.query<{ position: string; row: string }>('SELECT position::text, md5(row_to_json(e)::text) AS row FROM events e');
    return new Map(rows.map((r) => [r.position, r.row]));
  };

  beforeAll(async () => {
    console.log(`hostile-generated e2e: seed ${SEED} (rerun with HOSTILE_SEED=${SEED})`);
    fx = await QueryFixture.start('hostilegen', { AUTH_TOKENS, RATE_LIMIT_PER_MINUTE: '1000000' });
    await fx.produce([
      { id: 'd-1', stream: 'acme-s', type: 'Mine', message: SECRET, requestId: 'acme-req', nodeId: 'root', data: { amount: 5 } },
      { id: 'a-1', tenant: 'acme', stream: 'acme-s', type: 'Mine', message: 'acme data', requestId: 'acme-req', nodeId: 'root', status: 'success', data: { amount: 5 } },
      { id: 'a-2', tenant: 'acme', stream: 'acme-s', type: 'Other', requestId: 'acme-req', nodeId: 'child', parentNodeId: 'root', data: { amount: 7 } },
    ]);
    await fx.waitForEvents(3);
    before = await snapshot();
  });
  afterAll(() => fx?.stop());

  it('every template is answered 2xx as it is (so each case tests the one position it changes)', async () => {
    const valid: Case[] = [
      { parser: 'dsl', field: '', method: 'POST', path: '/v1/query', body: JSON.stringify(DSL_EVENTS) },
      { parser: 'dsl', field: '', method: 'POST', path: '/v1/query', body: JSON.stringify(DSL_GROUPS) },
      { parser: 'publish', field: '', method: 'POST', path: '/v1/events', body: JSON.stringify(envelope) },
      { parser: 'batch', field: '', method: 'POST', path: '/v1/events/batch', body: JSON.stringify([envelope, envelope]) },
      ...Object.entries(QUERIES).map(([path, q]) => ({ parser: 'query', field: '', method: 'GET' as const, path: `${path}?${queryString(q)}` })),
      ...PATHS.map((p) => ({ parser: 'path', field: '', method: 'GET' as const, path: p.route(p.template) })),
    ];
    for (const c of valid) {
      const res = await fetch(`${fx.query.url}${c.path}`, { method: c.method, headers: { 'x-auth-token': ACME, 'content-type': 'application/json' }, body: c.body });
      expect(`${c.method} ${c.path} → ${res.status}`).toMatch(/→ 20[012]$/);
    }
  });

  it.each([
    ['the DSL (POST /v1/query)', () => bodyCases('dsl', '/v1/query', [DSL_EVENTS, DSL_GROUPS], 1)],
    ['publish (POST /v1/events)', () => bodyCases('publish', '/v1/events', [envelope], 3)],
    ['the batch (POST /v1/events/batch)', () => bodyCases('batch', '/v1/events/batch', [[envelope, envelope]], 5)],
    ['query strings (GET /v1/events, /v1/stats, /v1/streams, a stream read)', queryCases],
    ['path parameters (event, stream, trace and node ids)', pathCases],
  ])('%s: no 5xx, a 400 naming the field, 403 only for a tenant, never another tenant’s event', async (_name, cases) => {
    const all = cases();
    expect(all.length).toBeGreaterThanOrEqual(CASES);
    const wrong = await sendAll(fx.query.url, all);
    if (wrong.length) throw new Error(`seed ${SEED}: ${wrong.length} of ${all.length} wrong:\n${wrong.slice(0, 15).join('\n')}`);
  });

  it('the request topics: the same, over Kafka request/reply', async () => {
    const topics = { events: 'eventlog.query.events', dsl: 'eventlog.query.dsl', stats: 'eventlog.query.stats', stream: 'eventlog.query.stream' };
    const templates: [keyof typeof topics, unknown][] = [
      ['dsl', DSL_EVENTS],
      ['dsl', DSL_GROUPS],
      ['events', { ...LOG_QUERY, page: 1, pageSize: 10, includeTotal: true }],
      ['stats', { tenant: 'acme', stream: 'acme-s' }],
      ['stream', { tenant: 'acme', stream: 'acme-s', fromVersion: 1, direction: 'forward', limit: 3 }],
    ];
    const cases = templates.flatMap(([name, template], t) =>
      sample(mutationsOf(template), 40 + t, Math.ceil(CASES / templates.length)).map((m) => ({ name, field: m.field, value: toJsonText(m.value), id: `c-${uniqueSuffix()}` })),
    );
    expect(cases.length).toBeGreaterThanOrEqual(CASES);

    const replies = new Map<string, { value: string; error?: string }>();
    const consumer = kafka.consumer({ groupId: `${fx.topics.group}.gen.${uniqueSuffix()}`, maxWaitTimeInMs: 50 });
    let joined = false;
    consumer.on(consumer.events.GROUP_JOIN, () => (joined = true));
    await consumer.connect();
    try {
      await consumer.subscribe({ topics: Object.values(topics).map((t) => `${fx.topicPrefix}${t}.reply`) });
      await consumer.run({
        eachMessage: async ({ message: m }) => {
          const err = m.headers?.['kafka_nest-err'];
          replies.set(String(m.headers?.kafka_correlationId), { value: m.value?.toString() ?? '', error: err?.toString() });
        },
      });
      await waitFor(async () => joined, Boolean, { what: 'reply consumer joined' });
      for (let i = 0; i < cases.length; i += 100) {
        for (const name of Object.keys(topics) as (keyof typeof topics)[]) {
          const batch = cases.slice(i, i + 100).filter((c) => c.name === name);
          if (!batch.length) continue;
          await fx.kafka.produce(
            `${fx.topicPrefix}${topics[name]}`,
            batch.map((c) => {
              const headers: IHeaders = { kafka_correlationId: c.id, kafka_replyTopic: `${fx.topicPrefix}${topics[name]}.reply`, kafka_replyPartition: '0', 'x-auth-token': ACME };
              return { value: c.value, headers };
            }),
          );
        }
      }
      await waitFor(async () => cases.filter((c) => !replies.has(c.id)).length, (missing) => missing === 0, { timeoutMs: 90_000, what: `${cases.length} replies` });
    } finally {
      await consumer.disconnect();
    }
    const wrong = cases.flatMap((c) => {
      const reply = replies.get(c.id)!;
      const problem = reply.error
        ? wrongAnswer({ parser: c.name, field: c.field, method: 'POST', path: '' }, JSON.parse(reply.error).statusCode, reply.error)
        : wrongAnswer({ parser: c.name, field: c.field, method: 'POST', path: '' }, 200, reply.value);
      return problem ? [`${c.name} ${c.field}: ${problem} ← ${short(c.value)} → ${short(reply.error ?? reply.value)}`] : [];
    });
    if (wrong.length) throw new Error(`seed ${SEED}: ${wrong.length} of ${cases.length} wrong:\n${wrong.slice(0, 15).join('\n')}`);
  });

  it('the Kafka decoder: each record stored exactly or dead-lettered naming its field, and every partition flows on', async () => {
    const cases = sample(mutationsOf(envelope), 50).map((m, n) => {
      const tag = `g${n}-${uniqueSuffix()}`;
      // Unique id and stream per case, unless the case is about that field.
      const withIds = { ...(m.value as object), ...(m.field === 'id' || m.field.startsWith('id') ? {} : { id: tag }), ...(m.field.startsWith('stream') ? {} : { stream: tag }) };
      return { field: m.field, tag, value: toJsonText(withIds), partition: n % PARTITIONS };
    });
    const offsets = new Map<string, (typeof cases)[number]>();
    for (let p = 0; p < PARTITIONS; p++) {
      const mine = cases.filter((c) => c.partition === p);
      for (let i = 0; i < mine.length; i += 50) {
        const run = mine.slice(i, i + 50);
        const [ack] = await fx.kafka.producer.send({ topic: fx.topics.ingest, acks: -1, messages: run.map((c) => ({ partition: p, key: 'k', value: c.value })) });
        run.forEach((c, j) => offsets.set(`${p}:${Number(ack.baseOffset) + j}`, c));
      }
    }
    // Canaries behind the hostile records, one per partition: each must land within seconds.
    const canaries = Array.from({ length: PARTITIONS }, (_, p) => ({ partition: p, key: 'k', value: JSON.stringify({ id: `canary-${p}-${uniqueSuffix()}`, stream: 'canary', type: 'Canary' }) }));
    await fx.kafka.produce(fx.topics.ingest, canaries);
    const canaryIds = canaries.map((c) => JSON.parse(c.value).id);
    await waitFor(() => fx.db.count('SELECT count(*)::int AS n FROM events WHERE id = ANY($1)', [canaryIds]), (n) => n === PARTITIONS, { timeoutMs: 30_000, what: 'a canary on every partition' });

    const { rows } = await fx.db.pool.query<Record<string, string>>(
      `SELECT kafka_partition || ':' || kafka_offset AS at, tenant, stream, type, source, status, message, request_id, node_id, parent_node_id, data::text, metadata::text
         FROM events WHERE kafka_topic = $1`,
      [fx.topics.ingest],
    );
    const stored = new Map(rows.map((r) => [r.at, r]));
    const dead = await deadLetters(fx.topics.dlq, [...offsets.keys()].filter((at) => !stored.has(at) && offsets.get(at)!.field !== 'id'));

    const wrong: string[] = [];
    for (const [at, c] of offsets) {
      const row = stored.get(at);
      const letter = dead.get(at);
      const sent = JSON.parse(c.value);
      if (row && letter) wrong.push(`${c.field}: both stored and dead-lettered`);
      else if (letter) {
        const top = c.field.split(/[.[]/)[0];
        if (!letter['x-error-message'].includes(top)) wrong.push(`${c.field}: dead letter does not name it: ${letter['x-error-message']}`);
      } else if (row) {
        const exact = ['tenant', 'stream', 'type', 'source', 'status', 'message'].every((f) => (sent[f] ?? (f === 'tenant' ? 'default' : null)) === row[f]);
        const sameJson = (a: string, b: unknown) => canonical(JSON.parse(a)) === canonical(b ?? {});
        if (!exact || !sameJson(row.data, sent.data) || !sameJson(row.metadata, sent.metadata)) wrong.push(`${c.field}: stored differently: ${short(JSON.stringify(row))} from ${short(c.value)}`);
      } else if (!(c.field === 'id' && typeof sent.id === 'string')) wrong.push(`${c.field}: no outcome for ${short(c.value)}`);
    }
    if (wrong.length) throw new Error(`seed ${SEED}: ${wrong.length} of ${offsets.size} wrong:\n${wrong.slice(0, 15).join('\n')}`);
  });

  it('changed nothing that was stored before', async () => {
    const after = await snapshot();
    for (const [position, row] of before) expect(`${position}:${after.get(position)}`).toBe(`${position}:${row}`);
  });
});
