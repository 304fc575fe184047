import 'reflect-metadata';
import { parse as parseQueryString } from 'node:querystring';
import fc from 'fast-check';
// The query app's own pipe and input checks: these are what turn a request into a 400.
import { ApiError } from '../errors/api-error';
import { resolvePaging } from './paging';
import { timeWindow } from './time-window';
import { createValidationPipe } from '../validation/validation.pipe';
import { decodeCursor } from '@eventlog/store';
import {
  InvalidQueryError,
  EventIdParamDto,
  GetEventRequestDto,
  ListEventsQueryDto,
  ListStreamsQueryDto,
  PublishEventDto,
  PublishQueryDto,
  ReadStreamQueryDto,
  ReadStreamRequestDto,
  StatsQueryDto,
  StreamParamDto,
  TenantQueryDto,
  TraceNodeParamDto,
  TraceNodeRequestDto,
  TraceParamDto,
  TraceRequestDto,
} from '@eventlog/contracts';

/*
 * Hostile input for every query DTO (issue 5, item 3). Each request goes through what the query app
 * does before it touches Postgres: the global ValidationPipe, then the service's own checks (paging
 * styles, time windows, cursor). The answer must be "valid" or a 400 whose details name a field the
 * caller sent (or the DTO knows) — any other throw would be a 500. Query strings are parsed as
 * Express 5 parses them (node:querystring); Kafka requests and bodies are JSON.
 */

const RUNS = 1000;
const pipe = createValidationPipe();

type Detail = { field: string; message: string };
type Answer = { ok: true; dto: unknown } | { ok: false; status: number; details: Detail[] };
type Metatype = new () => object;

async function answer(metatype: Metatype, value: unknown, type: 'query' | 'body' | 'param', after?: (dto: any) => void): Promise<Answer> {
  try {
    const dto = await pipe.transform(value, { type, metatype, data: undefined });
    after?.(dto);
    return { ok: true, dto };
  } catch (err) {
    if (err instanceof ApiError) return { ok: false, status: err.body.statusCode, details: err.body.details };
    if (err instanceof InvalidQueryError) return { ok: false, status: 400, details: err.problems };
    throw err; // the exception filter would answer this with a 500
  }
}

const PROPS: Record<string, string[]> = {};
/** A detail's field starts with a key the caller sent or a property of the DTO (or is the body as a whole). */
function expectNamedFields(a: Answer, sentKeys: string[], dtoName: string) {
  if (a.ok) return;
  expect(a.status).toBe(400);
  expect(a.details.length).toBeGreaterThan(0);
  const known = new Set([...sentKeys, ...(PROPS[dtoName] ?? []), 'body']);
  for (const d of a.details) {
    expect(typeof d.field).toBe('string');
    expect(d.field.length).toBeGreaterThan(0);
    expect(d.message.trim().length).toBeGreaterThan(0);
    const root = /^[^.[]*/.exec(d.field)![0];
    if (!known.has(root) && !known.has(d.field)) throw new Error(`detail names "${d.field}", which the request did not send: ${JSON.stringify(a.details)}`);
  }
}

// ── generators ───────────────────────────────────────────────────────────────────────────────

const HOSTILE_KEYS = ['__proto__', 'constructor', 'prototype', 'hasOwnProperty', 'toString', 'valueOf', 'isPrototypeOf', '__defineSetter__'];
const asciiChar = fc.string({ minLength: 1, maxLength: 1 });
const loneSurrogate = fc.integer({ min: 0xd800, max: 0xdfff }).map((c) => String.fromCharCode(c));
const controlChar = fc.integer({ min: 0, max: 0x1f }).map((c) => String.fromCharCode(c));
const hostileString = fc.oneof(
  fc.string({ maxLength: 30 }),
  fc.string({ unit: fc.oneof(asciiChar, controlChar, loneSurrogate, fc.constantFrom('😀', 'é\uFE0F', '\u202e', '%', '\u0000')), maxLength: 30 }),
  fc.constantFrom('', ' ', 'null', 'undefined', 'NaN', "' OR '1'='1", '"; DROP TABLE events; --', '$1', '${x}', ...HOSTILE_KEYS),
  fc.tuple(fc.constantFrom('x', '😀', '9'), fc.integer({ min: 60, max: 2000 })).map(([c, n]) => c.repeat(n)),
);
/** Text a query string may carry for numbers, booleans, times and enums, right and wrong. */
const queryText = fc.oneof(
  fc.constantFrom('-1', '0', '1', '2', '20', '1000', '1001', '10000000', '10000001', '1e3', '0x10', '1.5', '12abc', ' 5', '99999999999999999', '-0'),
  fc.constantFrom('true', 'false', 'TRUE', '1', 'yes'),
  fc.constantFrom('2024-05-01T10:00:00Z', '2024-05-01T10:00:00.123+02:00', '2024-02-30T00:00:00Z', '2024-13-01T00:00:00Z', '0050-01-01T00:00:00Z', '1714557600000', '253402300799999', '253402300800000', '9999-12-31T23:59:59-23:59', 'yesterday'),
  fc.constantFrom('occurredAt', 'position', 'recordedAt', 'asc', 'desc', 'forward', 'backward', 'sideways', 'a,b', ',,', 'T1,T2'),
  fc.integer().map(String),
  hostileString,
);

/** A URL cannot carry a lone surrogate: a client sends U+FFFD instead. */
const wellFormed = (s: string) => s.replace(/[\uD800-\uDBFF](?![\uDC00-\uDFFF])|(?<![\uD800-\uDBFF])[\uDC00-\uDFFF]/g, '\uFFFD');

/** A query string made of the DTO's own keys (mostly) and others, parsed as Express parses it. */
function queryString(keys: string[]) {
  const key = fc.oneof({ weight: 6, arbitrary: fc.constantFrom(...keys) }, { weight: 1, arbitrary: fc.constantFrom(...HOSTILE_KEYS) }, { weight: 1, arbitrary: hostileString.filter((k) => k.length > 0) });
  return fc
    .array(fc.tuple(key, queryText), { maxLength: 6 })
    .map((pairs) => {
      const text = pairs.map(([k, v]) => `${encodeURIComponent(wellFormed(k))}=${encodeURIComponent(wellFormed(v))}`).join('&');
      return { text, query: parseQueryString(text) as Record<string, unknown> };
    })
    .map((q) => Object.assign(q, { [fc.toStringMethod]: () => `?${q.text}` }));
}

/** A JSON object as a Kafka request carries it (or a body): the DTO's keys, others, any JSON values. */
function jsonRequest(keys: string[]) {
  const key = fc.oneof({ weight: 6, arbitrary: fc.constantFrom(...keys) }, { weight: 1, arbitrary: fc.constantFrom(...HOSTILE_KEYS) }, { weight: 1, arbitrary: hostileString });
  const value = fc.oneof(queryText, fc.jsonValue({ maxDepth: 3 }), fc.integer({ min: -5, max: 2000 }), fc.constant(null));
  return fc
    .array(fc.tuple(key, value), { maxLength: 6 })
    .map((entries) => JSON.parse(`{${entries.map(([k, v]) => `${JSON.stringify(k)}:${JSON.stringify(v)}`).join(',')}}`) as Record<string, unknown>);
}

const sentKeys = (value: unknown) => (value && typeof value === 'object' ? Object.keys(value) : []);

// ── DTOs: what each request carries and what the app checks after the pipe ───────────────────

const paging = (dto: any) => {
  const p = resolvePaging(dto);
  if (p.cursor !== undefined) decodeCursor(p.cursor, 'a query scope');
};
interface Case {
  name: string;
  metatype: Metatype;
  keys: string[];
  after?: (dto: any) => void;
}
const PAGING = ['tenant', 'page', 'pageSize', 'offset', 'limit', 'cursor'];
const QUERY_CASES: Case[] = [
  {
    name: 'ListEventsQueryDto',
    metatype: ListEventsQueryDto,
    keys: [...PAGING, 'sort', 'order', 'stream', 'streamPrefix', 'type', 'status', 'source', 'requestId', 'q', 'from', 'to', 'includeTotal'],
    after: (dto) => {
      paging(dto);
      timeWindow(dto);
    },
  },
  { name: 'TenantQueryDto', metatype: TenantQueryDto, keys: ['tenant'] },
  { name: 'ListStreamsQueryDto', metatype: ListStreamsQueryDto, keys: [...PAGING, 'prefix'], after: paging },
  { name: 'ReadStreamQueryDto', metatype: ReadStreamQueryDto, keys: ['tenant', 'fromVersion', 'direction', 'limit'] },
  { name: 'StatsQueryDto', metatype: StatsQueryDto, keys: ['tenant', 'stream', 'from', 'to'], after: (dto) => timeWindow(dto) },
  { name: 'PublishQueryDto', metatype: PublishQueryDto, keys: ['wait', 'waitMs'] },
];
const PARAM_CASES: Case[] = [
  { name: 'EventIdParamDto', metatype: EventIdParamDto, keys: ['id'] },
  { name: 'StreamParamDto', metatype: StreamParamDto, keys: ['stream'] },
  { name: 'TraceParamDto', metatype: TraceParamDto, keys: ['requestId'] },
  { name: 'TraceNodeParamDto', metatype: TraceNodeParamDto, keys: ['requestId', 'nodeId'] },
];
const KAFKA_CASES: Case[] = [
  { name: 'GetEventRequestDto', metatype: GetEventRequestDto, keys: ['id', 'tenant'] },
  { name: 'ReadStreamRequestDto', metatype: ReadStreamRequestDto, keys: ['stream', 'tenant', 'fromVersion', 'direction', 'limit'] },
  { name: 'TraceRequestDto', metatype: TraceRequestDto, keys: ['requestId', 'tenant'] },
  { name: 'TraceNodeRequestDto', metatype: TraceNodeRequestDto, keys: ['requestId', 'nodeId', 'tenant'] },
  { ...QUERY_CASES[0], name: 'ListEventsQueryDto (Kafka JSON)' },
  { ...QUERY_CASES[4], name: 'StatsQueryDto (Kafka JSON)' },
  {
    name: 'PublishEventDto',
    metatype: PublishEventDto,
    keys: ['id', 'tenant', 'stream', 'type', 'data', 'metadata', 'source', 'status', 'message', 'requestId', 'nodeId', 'parentNodeId', 'occurredAt', 'expectedVersion'],
  },
];
for (const c of [...QUERY_CASES, ...PARAM_CASES, ...KAFKA_CASES]) PROPS[c.name] = c.keys;

describe('query DTOs under generated input (fast-check): valid, or a 400 naming the field', () => {
  it.each(QUERY_CASES.map((c) => [c.name, c] as const))(`%s from a query string (${RUNS} cases)`, async (_name, c) => {
    await fc.assert(
      fc.asyncProperty(queryString(c.keys), async ({ query }) => expectNamedFields(await answer(c.metatype, query, 'query', c.after), sentKeys(query), c.name)),
      { numRuns: RUNS },
    );
  });

  it.each(PARAM_CASES.map((c) => [c.name, c] as const))(`%s from path segments (${RUNS} cases)`, async (_name, c) => {
    const params = fc.tuple(...c.keys.map(() => fc.oneof(hostileString, queryText).filter((s) => s.length > 0))).map((values) => Object.fromEntries(c.keys.map((k, i) => [k, values[i]])));
    await fc.assert(
      fc.asyncProperty(params, async (value) => expectNamedFields(await answer(c.metatype, value, 'param', c.after), sentKeys(value), c.name)),
      { numRuns: RUNS },
    );
  });

  it.each(KAFKA_CASES.map((c) => [c.name, c] as const))(`%s as a JSON request (${RUNS} cases)`, async (_name, c) => {
    const value = fc.oneof({ weight: 9, arbitrary: jsonRequest(c.keys) as fc.Arbitrary<unknown> }, { weight: 1, arbitrary: fc.jsonValue() });
    await fc.assert(
      fc.asyncProperty(value, async (v) => expectNamedFields(await answer(c.metatype, v, 'body', c.after), sentKeys(v), c.name)),
      { numRuns: RUNS },
    );
  });
});

// ── one bad field at a time: the 400 names exactly that field ───────────────────────────────────

/** A valid request, and per field values that must be refused. */
const VALID_EVENTS_QUERY = { tenant: 't1', stream: 's-1', type: 'A,B', status: 'success', source: 'svc', requestId: 'r-1', q: 'step', from: '2024-05-01T00:00:00Z', to: '1714600000000', sort: 'position', order: 'asc', includeTotal: 'false', pageSize: '50', page: '3' };
const BAD_EVENTS_QUERY: Record<string, string[]> = {
  tenant: ['', 'a\u0001b', 't'.repeat(65)],
  stream: ['', 's\nx', 's'.repeat(201)],
  streamPrefix: ['', 'p\u007f', 'p'.repeat(201)],
  type: [',,', Array.from({ length: 101 }, (_, i) => `t${i}`).join(','), 't'.repeat(201)],
  status: ['', 's'.repeat(33)],
  source: ['', 's'.repeat(201)],
  requestId: ['', 'r'.repeat(129)],
  q: ['', 'q'.repeat(257)],
  from: ['yesterday', '2024-13-01T00:00:00Z', '2024-02-30T00:00:00Z', '1e99', '-5', '253402300800000', '2024-05-02T00:00:00Z'],
  to: ['tomorrow', '2024-04-31T00:00:00Z', '12abc'],
  sort: ['occurred_at', 'id', 'position; DROP TABLE events'],
  order: ['up', 'DESC', ''],
  includeTotal: ['maybe', '1', ''],
  page: ['0', '-1', 'one', '1.5', '10000001'],
  pageSize: ['0', '1001', '-1', '1e3'],
  cursor: ['abc.def', 'x', 'A'.repeat(1025)],
  colour: ['red'],
};

describe('one invalid field at a time (fast-check)', () => {
  it(`GET /v1/events: a valid query with one field made invalid is a 400 naming that field (${RUNS} cases)`, async () => {
    const arb = fc.constantFrom(...Object.keys(BAD_EVENTS_QUERY)).chain((field) => fc.tuple(fc.constant(field), fc.constantFrom(...BAD_EVENTS_QUERY[field]), fc.subarray(Object.keys(VALID_EVENTS_QUERY))));
    await fc.assert(
      fc.asyncProperty(arb, async ([field, bad, keep]) => {
        const query: Record<string, string> = Object.fromEntries(keep.filter((k) => k !== field).map((k) => [k, VALID_EVENTS_QUERY[k as keyof typeof VALID_EVENTS_QUERY]]));
        if (field === 'from' && bad === '2024-05-02T00:00:00Z') query.to = '2024-05-01T00:00:00Z'; // after `to`
        if (field === 'cursor') delete query.page;
        query[field] = bad;
        const parsed = parseQueryString(new URLSearchParams(query).toString());
        const a = await answer(ListEventsQueryDto, parsed, 'query', QUERY_CASES[0].after);
        expect(a.ok).toBe(false);
        if (a.ok) return;
        expect(a.status).toBe(400);
        expect(a.details.map((d) => d.field)).toContain(field);
      }),
      { numRuns: RUNS },
    );
  });

  it(`every query DTO: a valid request plus one unknown parameter is a 400 naming that parameter (${RUNS} cases)`, async () => {
    const unknownKey = fc.oneof(fc.constantFrom(...HOSTILE_KEYS, 'colour', 'tenantId', 'Tenant', 'page[]', 'limit '), fc.stringMatching(/^[a-z][a-zA-Z]{0,12}$/));
    const arb = fc.tuple(fc.constantFrom(...QUERY_CASES), unknownKey.filter((k) => !Object.values(PROPS).flat().includes(k)), fc.constantFrom('x', '1', 'true'));
    await fc.assert(
      fc.asyncProperty(arb, async ([c, key, value]) => {
        const parsed = parseQueryString(`${encodeURIComponent(key)}=${encodeURIComponent(value)}`);
        const a = await answer(c.metatype, parsed, 'query', c.after);
        if (a.ok) throw new Error(`${c.name} accepted the unknown parameter ?${key}=${value}`);
        expect(a.status).toBe(400);
        expect(a.details.map((d) => d.field)).toContain(key);
      }),
      { numRuns: RUNS },
    );
  });

  it(`GET /v1/events: every valid combination of filters and one paging style is accepted (${RUNS} cases)`, async () => {
    const style = fc.constantFrom<Record<string, string>[]>([{}], [{ page: '2' }, { pageSize: '10' }], [{ offset: '40' }, { limit: '10' }], [{ limit: '5' }]);
    const arb = fc.tuple(fc.subarray(Object.keys(VALID_EVENTS_QUERY).filter((k) => k !== 'page' && k !== 'pageSize')), style);
    await fc.assert(
      fc.asyncProperty(arb, async ([keys, parts]) => {
        const query = Object.assign(Object.fromEntries(keys.map((k) => [k, VALID_EVENTS_QUERY[k as keyof typeof VALID_EVENTS_QUERY]])), ...parts);
        const a = await answer(ListEventsQueryDto, parseQueryString(new URLSearchParams(query).toString()), 'query', QUERY_CASES[0].after);
        if (!a.ok) throw new Error(`refused ${JSON.stringify(query)}: ${JSON.stringify(a.details)}`);
      }),
      { numRuns: RUNS },
    );
  });
});
