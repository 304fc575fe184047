import fc from 'fast-check';
import { EVENT_ID_PATTERN, NewEvent, NO_CONTROL_CHARS, RejectionCode } from '@eventlog/contracts';
import { KafkaRecord } from './kafka-record';
import { Decoded, decodeRecord } from './record-decoder';

/*
 * Hostile input for the ingest decoder (issue 5, item 3). Whatever a producer sends, decodeRecord
 * must not throw (a throw fails the whole batch, which is retried forever and blocks its partition),
 * and must give back either an event that keeps every rule of contract section 1 — so the append
 * cannot fail on it — or a rejection with one of the four dead-letter codes and a reason.
 * fast-check prints the seed and the shrunk counterexample of any failure.
 */

const RUNS = 1000;
const MAX = 1024 * 1024;
const CODES = new Set<string>(Object.values(RejectionCode));
const TOPIC = 'orders';

// ── what an outcome must satisfy ──────────────────────────────────────────────────────────────

/**
 * Characters as the contract (and class-validator) counts them: code points, with a variation
 * selector (U+FE0E/U+FE0F) counted with the character it follows.
 */
const chars = (s: string) => s.length - (s.match(/[\uD800-\uDBFF][\uDC00-\uDFFF]/g)?.length ?? 0) - (s.match(/[^\uFE0E\uFE0F][\uFE0E\uFE0F]/g)?.length ?? 0);
const isPlainObject = (v: unknown) => typeof v === 'object' && v !== null && !Array.isArray(v);

/** Bytes of the JSON the append writes to Postgres, or the error that serializing it throws. */
function serialized(value: unknown): number | Error {
  try {
    return Buffer.byteLength(JSON.stringify(value));
  } catch (err) {
    return err as Error;
  }
}

function optionalText(event: NewEvent, field: 'source' | 'status' | 'message' | 'requestId' | 'parentNodeId', max: number, min = 0) {
  const v = event[field];
  if (v === null) return;
  expect(typeof v).toBe('string');
  if (chars(v) < min || chars(v) > max) throw new Error(`${field} has ${chars(v)} characters; allowed ${min}-${max}`);
}

/** The contract's field rules (section 1) on an accepted event. */
function expectValidEvent(event: NewEvent, record: KafkaRecord, maxDataBytes: number) {
  expect(event.id).toMatch(EVENT_ID_PATTERN);
  for (const [field, max] of [['tenant', 64], ['stream', 200], ['type', 200]] as const) {
    const v = event[field];
    expect(typeof v).toBe('string');
    if (chars(v) < 1 || chars(v) > max) throw new Error(`${field} has ${chars(v)} characters; allowed 1-${max}`);
  }
  expect(event.tenant).toMatch(NO_CONTROL_CHARS);
  expect(event.stream).toMatch(NO_CONTROL_CHARS);
  optionalText(event, 'source', 200);
  optionalText(event, 'status', 32);
  optionalText(event, 'message', 4096);
  optionalText(event, 'requestId', 128);
  optionalText(event, 'parentNodeId', 128, 1);
  expect(typeof event.nodeId).toBe('string');
  if (chars(event.nodeId) < 1 || chars(event.nodeId) > 128) throw new Error(`nodeId has ${chars(event.nodeId)} characters`);
  expect(event.occurredAt).toBeInstanceOf(Date);
  expect(Number.isNaN(event.occurredAt.getTime())).toBe(false);
  expect(isPlainObject(event.data)).toBe(true);
  expect(isPlainObject(event.metadata)).toBe(true);
  const ev = event.expectedVersion;
  expect((typeof ev === 'number' && Number.isSafeInteger(ev) && ev >= 0) || ['any', 'no_stream', 'stream_exists'].includes(ev as string)).toBe(true);
  expect(event.kafka).toEqual({ topic: record.topic, partition: record.partition, offset: Number(record.offset) });
  // Postgres text and jsonb cannot hold U+0000: an accepted event must not carry it anywhere.
  for (const f of ['id', 'tenant', 'stream', 'type', 'source', 'status', 'message', 'requestId', 'nodeId', 'parentNodeId'] as const) {
    expect(String(event[f] ?? '').includes('\u0000')).toBe(false);
  }
  // data and metadata are written as JSON text: it must be producible, and data within the limit.
  const dataBytes = serialized(event.data);
  const metadataBytes = serialized(event.metadata);
  if (dataBytes instanceof Error) throw new Error(`accepted data cannot be serialized for the append: ${dataBytes.message}`);
  if (metadataBytes instanceof Error) throw new Error(`accepted metadata cannot be serialized for the append: ${metadataBytes.message}`);
  if (dataBytes > maxDataBytes) throw new Error(`accepted data is ${dataBytes} bytes serialized; the limit is ${maxDataBytes}`);
  for (const json of [JSON.stringify(event.data), JSON.stringify(event.metadata)]) expect(json.includes('\\u0000')).toBe(false);
}

function expectOutcome(record: KafkaRecord, maxDataBytes = MAX): Decoded {
  const decoded = decodeRecord(record, maxDataBytes);
  if (decoded.ok) {
    expectValidEvent(decoded.event, record, maxDataBytes);
  } else {
    expect(CODES.has(decoded.rejection.code)).toBe(true);
    expect(typeof decoded.rejection.message).toBe('string');
    expect(decoded.rejection.message.trim().length).toBeGreaterThan(0);
    // An expectedVersion mismatch is decided by the append, never by decoding.
    expect(decoded.rejection.code).not.toBe(RejectionCode.WrongExpectedVersion);
  }
  return decoded;
}

// ── generators ───────────────────────────────────────────────────────────────────────────────

const HOSTILE_KEYS = ['__proto__', 'constructor', 'prototype', 'hasOwnProperty', 'toString', 'valueOf', '__defineGetter__', 'isPrototypeOf'];
const ENVELOPE_KEYS = ['id', 'tenant', 'stream', 'type', 'data', 'metadata', 'source', 'status', 'message', 'requestId', 'nodeId', 'parentNodeId', 'occurredAt', 'expectedVersion'];

const asciiChar = fc.string({ minLength: 1, maxLength: 1 }); // one printable ASCII character
const loneSurrogate = fc.integer({ min: 0xd800, max: 0xdfff }).map((c) => String.fromCharCode(c));
const controlChar = fc.integer({ min: 0, max: 0x1f }).map((c) => String.fromCharCode(c)).chain((c) => fc.constantFrom(c, '\u007f', '\u0000'));
/** Text a producer should not send but might: controls, NUL, lone surrogates, odd Unicode, very long runs. */
const hostileString: fc.Arbitrary<string> = fc.oneof(
  fc.string({ maxLength: 40 }),
  fc.string({ unit: 'binary', maxLength: 40 }),
  fc.string({ unit: fc.oneof(asciiChar, controlChar, loneSurrogate, fc.constantFrom('\uFE0F', '😀', 'é', '\u202e', '\uFFFF')), maxLength: 60 }),
  fc.constantFrom('', ' ', '\u0000', 'null', 'undefined', "'; DROP TABLE events; --", '%s%n', '../../etc/passwd', ...HOSTILE_KEYS, ...ENVELOPE_KEYS),
  fc.tuple(fc.constantFrom('a', '😀', 'é\uFE0F', '\u0000', '\n', 'ab'), fc.integer({ min: 60, max: 3000 })).map(([c, n]) => c.repeat(n)),
);
const hostileKey = fc.oneof({ weight: 1, arbitrary: fc.constantFrom(...HOSTILE_KEYS) }, { weight: 1, arbitrary: fc.constantFrom(...ENVELOPE_KEYS) }, { weight: 2, arbitrary: hostileString });

/**
 * JSON written as text, so that keys JavaScript objects cannot easily hold (`__proto__`, duplicates)
 * and number spellings JSON.stringify never produces (`1E5`, `-0`, `9e999`) reach the decoder.
 */
type JsonText = string;
const numberText: fc.Arbitrary<JsonText> = fc.oneof(
  fc.double({ noNaN: true, noDefaultInfinity: true }).map((n) => JSON.stringify(n)),
  fc.integer().map(String),
  fc.constantFrom('-0', '1E5', '9e20', '1e400', '-1e400', '5e-324', '1e-400', '0.0000001', '123456789012345678901234567890', '9007199254740993'),
);
const stringText: fc.Arbitrary<JsonText> = hostileString.map((s) => JSON.stringify(s));
const scalarText: fc.Arbitrary<JsonText> = fc.oneof(numberText, stringText, fc.constantFrom('true', 'false', 'null'));
const { tree: jsonText } = fc.letrec<{ tree: JsonText; object: JsonText; array: JsonText }>((tie) => ({
  tree: fc.oneof({ depthSize: 'small', withCrossShrink: true }, scalarText, tie('object'), tie('array')),
  object: fc
    .array(fc.tuple(hostileKey, tie('tree')), { maxLength: 5 })
    .map((entries) => `{${entries.map(([k, v]) => `${JSON.stringify(k)}:${v}`).join(',')}}`),
  array: fc.array(tie('tree'), { maxLength: 5 }).map((items) => `[${items.join(',')}]`),
}));
/** Nesting far deeper than any real event: JSON.parse copes; recursive code might not. */
const deepText: fc.Arbitrary<JsonText> = fc
  .tuple(fc.integer({ min: 1, max: 20000 }), fc.constantFrom('[', '{"a":'), scalarText)
  .map(([depth, open, inner]) => open.repeat(depth) + inner + (open === '[' ? ']' : '}').repeat(depth));
const anyJson: fc.Arbitrary<JsonText> = fc.oneof({ weight: 6, arbitrary: jsonText }, { weight: 1, arbitrary: deepText });
const objectText = (entries: [string, JsonText][]) => `{${entries.map(([k, v]) => `${JSON.stringify(k)}:${v}`).join(',')}}`;

const TRACEPARENT = '00-0af7651916cd43dd8448eb211c80319c-b7ad6b7169203331-01';
const headerValue = fc.oneof(hostileString, hostileString.map((s) => Buffer.from(s)), fc.uint8Array({ maxLength: 40 }).map((b) => Buffer.from(b)));
const headers = fc.dictionary(
  fc.oneof(fc.constantFrom('x-request-id', 'traceparent', 'content-type', 'ce_id', 'ce_type'), fc.string({ maxLength: 12 })),
  fc.oneof(headerValue, fc.constant(TRACEPARENT), fc.constant('application/cloudevents+json')),
  { maxKeys: 4 },
);
const kafkaKey = fc.oneof(fc.constant(null), hostileString.map((s) => Buffer.from(s)), fc.uint8Array({ maxLength: 30 }).map((b) => Buffer.from(b)));

/** A record as kafkajs hands it over: any key, value and headers; coordinates and timestamp from the broker. */
const recordWith = (value: fc.Arbitrary<Buffer | null>, hdrs: fc.Arbitrary<KafkaRecord['headers']> = fc.option(headers, { nil: undefined })) =>
  fc.record({
    topic: fc.constantFrom(TOPIC, 't'.repeat(249)),
    partition: fc.integer({ min: 0, max: 10000 }),
    offset: fc.bigInt({ min: 0n, max: 2n ** 53n - 1n }).map(String),
    key: kafkaKey,
    value,
    headers: hdrs,
    timestamp: fc.integer({ min: 0, max: 253402300799999 }).map(String),
  }).map(readable);

/** Long runs abbreviated (`[×5000`), so that a counterexample stays readable in the report. */
const abbreviate = (text: string) => text.replace(/([\s\S])\1{19,}/g, (run, c: string) => `${c}×${run.length}`);
/** Counterexamples print the record's value as (abbreviated) text rather than as a byte list. */
function readable(record: KafkaRecord): KafkaRecord {
  const show = (b: Buffer | null | undefined) => (b ? `utf8(${JSON.stringify(abbreviate(b.toString('utf8')))})` : String(b));
  Object.defineProperty(record, fc.toStringMethod, {
    enumerable: false,
    value: () =>
      `{partition: ${record.partition}, offset: ${record.offset}, timestamp: ${record.timestamp}, key: ${show(record.key)}, value: ${show(record.value)}, ` +
      `headers: ${abbreviate(fc.stringify(record.headers))}}`,
  });
  return record;
}
const utf8 = (text: string) => Buffer.from(text, 'utf8');

const validId = fc.stringMatching(/^[A-Za-z0-9._:@-]{1,128}$/);

// ── valid envelopes round-trip ───────────────────────────────────────────────────────────────

/** Well-formed text without NUL (and, where the contract says so, without any control character). */
const textChar = (controls: boolean) =>
  fc.oneof(
    { weight: 8, arbitrary: asciiChar },
    { weight: 1, arbitrary: fc.constantFrom('é', '日', '😀', '\u00a0', 'ß', '"', '\\', '%', "'") },
    { weight: controls ? 1 : 0, arbitrary: fc.constantFrom('\n', '\t', '\u001f', '\u007f') },
  );
const cleanText = (min: number, max: number, controls = true) =>
  fc.string({ unit: textChar(controls), minLength: min, maxLength: max }).filter((s) => NO_CONTROL_CHARS.test(s) || controls).filter((s) => !s.includes('\u0000'));
const noControls = (min: number, max: number) => cleanText(min, max, false).filter((s) => NO_CONTROL_CHARS.test(s));
const jsonObject = fc.dictionary(
  fc.string({ unit: textChar(true), maxLength: 10 }).filter((k) => !k.includes('\u0000')),
  fc.jsonValue({ maxDepth: 3 }).filter((v) => !JSON.stringify(v).includes('\\u0000')),
  { maxKeys: 5, noNullPrototype: true },
).map((o) => JSON.parse(JSON.stringify(o)) as Record<string, unknown>); // as it reads back from JSON (-0 is 0)
// Real instants, at whole milliseconds, written as RFC 3339 in UTC or with an offset, or as epoch ms.
const instant = fc.integer({ min: 0, max: Date.UTC(9000, 0, 1) });
const occurredAt = instant.chain((ms) =>
  fc.oneof(
    fc.constant({ given: new Date(ms).toISOString() as string | number, ms }),
    fc.constant({ given: ms, ms }),
    fc.integer({ min: -12 * 60, max: 14 * 60 }).map((offsetMin) => {
      const local = new Date(ms + offsetMin * 60000).toISOString().slice(0, 23);
      const sign = offsetMin < 0 ? '-' : '+';
      const abs = Math.abs(offsetMin);
      return { given: `${local}${sign}${String(Math.floor(abs / 60)).padStart(2, '0')}:${String(abs % 60).padStart(2, '0')}`, ms };
    }),
  ),
);
const validEnvelope = fc.record(
  {
    id: validId,
    tenant: noControls(1, 64),
    stream: noControls(1, 200),
    type: cleanText(1, 200),
    data: jsonObject,
    metadata: jsonObject,
    source: cleanText(0, 200),
    status: fc.oneof(fc.constantFrom('pending', 'waiting', 'running', 'success', 'fail', 'aborted', 'normal', 'abnormal'), cleanText(0, 32)),
    message: cleanText(0, 4096),
    requestId: cleanText(0, 128),
    nodeId: cleanText(1, 128),
    parentNodeId: cleanText(1, 128),
    occurredAt,
    expectedVersion: fc.oneof(fc.nat(), fc.constantFrom('any' as const, 'no_stream' as const, 'stream_exists' as const)),
  },
  { requiredKeys: ['id', 'stream', 'type'] },
);
type ValidEnvelope = typeof validEnvelope extends fc.Arbitrary<infer T> ? T : never;

/** What the decoder must return for a valid envelope: every given field as given, defaults for the rest. */
function expectedEvent(e: ValidEnvelope, record: KafkaRecord): NewEvent {
  return {
    id: e.id,
    tenant: e.tenant ?? 'default',
    stream: e.stream,
    type: e.type,
    data: e.data ?? {},
    metadata: e.metadata ?? {},
    source: e.source ?? null,
    status: e.status ?? null,
    message: e.message ?? null,
    requestId: e.requestId ?? null,
    nodeId: e.nodeId ?? e.id,
    parentNodeId: e.parentNodeId ?? null,
    occurredAt: new Date(e.occurredAt ? e.occurredAt.ms : Number(record.timestamp)),
    expectedVersion: e.expectedVersion ?? 'any',
    kafka: { topic: record.topic, partition: record.partition, offset: Number(record.offset) },
  };
}
const body = (e: ValidEnvelope) => ({ ...e, occurredAt: e.occurredAt?.given });
const baseRecord = fc.record({
  partition: fc.integer({ min: 0, max: 100 }),
  offset: fc.bigInt({ min: 0n, max: 2n ** 53n - 1n }).map(String),
  timestamp: instant.map(String),
});

// A valid envelope with up to three mutations: a field given any JSON instead (a wrong type, or a
// right type with hostile content), a field dropped, an unknown or hostile key added. Its data is
// sometimes an object of arbitrary JSON: odd number spellings, hostile keys, deep nesting.
const mutation = fc.oneof(
  fc.record({ kind: fc.constant('replace' as const), field: fc.constantFrom(...ENVELOPE_KEYS), value: anyJson }),
  fc.record({ kind: fc.constant('drop' as const), field: fc.constantFrom(...ENVELOPE_KEYS), value: fc.constant('') }),
  fc.record({ kind: fc.constant('add' as const), field: hostileKey, value: anyJson }),
);
const dataText = fc.array(fc.tuple(hostileKey, anyJson), { maxLength: 4 }).map((entries) => objectText(entries));
const envelopeText = fc
  .tuple(validEnvelope, fc.option(dataText, { nil: undefined }), fc.array(mutation, { maxLength: 3 }))
  .map(([e, data, mutations]) => {
    const entries = new Map<string, JsonText>(Object.entries(body(e)).filter(([, v]) => v !== undefined).map(([k, v]) => [k, JSON.stringify(v)]));
    if (data !== undefined) entries.set('data', data);
    const extra: [string, JsonText][] = [];
    for (const m of mutations) {
      if (m.kind === 'replace') entries.set(m.field, m.value);
      else if (m.kind === 'drop') entries.delete(m.field);
      else extra.push([m.field, m.value]);
    }
    return objectText([...entries, ...extra]);
  });

// ── properties ───────────────────────────────────────────────────────────────────────────────

describe('decodeRecord under generated hostile input (fast-check)', () => {
  it(`arbitrary bytes: never throws; an event within the contract's rules or a coded rejection (${RUNS} cases)`, () => {
    fc.assert(fc.property(recordWith(fc.oneof(fc.constant(null), fc.uint8Array({ maxLength: 2000 }).map((b) => Buffer.from(b)))), (r) => void expectOutcome(r)), { numRuns: RUNS });
  });

  it(`arbitrary JSON values, hostile keys, odd numbers and deep nesting: never throws, valid outcome (${RUNS} cases)`, () => {
    fc.assert(fc.property(recordWith(anyJson.map(utf8)), (r) => void expectOutcome(r)), { numRuns: RUNS });
  });

  it(`envelope-shaped objects with wrong types, unknown and hostile keys: never throws, valid outcome (${RUNS} cases)`, () => {
    fc.assert(fc.property(recordWith(envelopeText.map(utf8)), (r) => void expectOutcome(r)), { numRuns: RUNS });
  });

  it(`the same with a small data limit, so TOO_LARGE is reached: never throws, valid outcome (${RUNS} cases)`, () => {
    fc.assert(
      // Limits around the record's own size, so that both the quick path (value under the limit) and the measured one run.
      fc.property(recordWith(envelopeText.map(utf8)), fc.double({ min: 0.3, max: 1.5, noNaN: true }), (r, factor) => void expectOutcome(r, Math.max(1, Math.round(r.value!.length * factor)))),
      { numRuns: RUNS },
    );
  });

  it(`data within the limit as written stays within it as stored, whatever the number spelling (${RUNS} cases)`, () => {
    // JSON.stringify re-spells numbers: 9e20 is stored as 900000000000000000000, 1E5 as 100000.
    const data = fc.array(fc.tuple(fc.stringMatching(/^[a-z]{1,3}$/), fc.array(fc.oneof({ weight: 3, arbitrary: fc.constantFrom('9e20', '1E5', '2e19', '1e2') }, { weight: 1, arbitrary: numberText }), { maxLength: 8 })), { maxLength: 4 })
      .map((entries) => objectText(entries.map(([k, nums]) => [k, `[${nums.join(',')}]`])));
    const arb = fc.tuple(data, fc.double({ min: 0.5, max: 1.2, noNaN: true })).map(([d, factor]) => {
      const text = `{"id":"e-1","stream":"s","type":"T","data":${d}}`;
      return { text, max: Math.max(1, Math.round(text.length * factor)) };
    });
    fc.assert(
      fc.property(arb, ({ text, max }) => void expectOutcome({ topic: TOPIC, partition: 0, offset: '1', key: null, value: utf8(text), timestamp: '0' }, max)),
      { numRuns: RUNS },
    );
  });

  it(`an envelope with one field of the wrong JSON type is rejected VALIDATION_FAILED naming that field (${RUNS} cases)`, () => {
    // Each field with a value of a type the contract does not allow for it.
    const WRONG: Record<string, fc.Arbitrary<JsonText>> = {
      id: fc.constantFrom('7', 'true', '{}', '[]', '"has space"', '""', `"${'x'.repeat(129)}"`),
      tenant: fc.constantFrom('7', 'false', '{}', '[]', '""', '"a\\nb"', `"${'t'.repeat(65)}"`),
      stream: fc.constantFrom('7', 'true', '{}', '[]', '""', '"a\\u0007b"', `"${'s'.repeat(201)}"`),
      type: fc.constantFrom('7', 'true', '{}', '[]', '""', 'null', `"${'t'.repeat(201)}"`),
      data: fc.constantFrom('7', '"x"', 'true', '[]', '[1]'),
      metadata: fc.constantFrom('7', '"x"', 'false', '[{}]'),
      source: fc.constantFrom('7', 'true', '{}', '[]', `"${'s'.repeat(201)}"`),
      status: fc.constantFrom('7', '{}', '[]', `"${'s'.repeat(33)}"`),
      message: fc.constantFrom('7', '{}', '[]', `"${'m'.repeat(4097)}"`),
      requestId: fc.constantFrom('7', '{}', '[]', `"${'r'.repeat(129)}"`),
      nodeId: fc.constantFrom('7', '{}', '[]', '""', `"${'n'.repeat(129)}"`),
      parentNodeId: fc.constantFrom('7', '{}', '[]', '""', `"${'p'.repeat(129)}"`),
      occurredAt: fc.constantFrom('"yesterday"', '-1', '1.5', 'true', '{}', '"2024-13-01T00:00:00Z"', '1e300', '"2024-05-01"'),
      expectedVersion: fc.constantFrom('-1', '1.5', '"latest"', 'true', '{}', '[]', '"0"'),
    };
    const arb = fc.constantFrom(...Object.keys(WRONG)).chain((field) =>
      fc.tuple(fc.constant(field), WRONG[field], fc.shuffledSubarray(['tenant', 'source', 'status', 'message'].filter((f) => f !== field))),
    );
    fc.assert(
      fc.property(arb, ([field, wrong, others]) => {
        const fields: [string, JsonText][] = [['id', '"e-1"'], ['stream', '"s-1"'], ['type', '"T"'], ...others.map((f) => [f, '"ok"'] as [string, JsonText])];
        const entries = fields.filter(([k]) => k !== field).concat([[field, wrong]]);
        const decoded = expectOutcome({ topic: TOPIC, partition: 0, offset: '1', key: null, value: utf8(objectText(entries)), timestamp: '0' });
        expect(decoded.ok).toBe(false);
        if (decoded.ok) return;
        expect(decoded.rejection.code).toBe(RejectionCode.ValidationFailed);
        expect(decoded.rejection.message).toContain(field);
      }),
      { numRuns: RUNS },
    );
  });

  it(`hostile keys (__proto__, constructor, …) at the top level are rejected naming the key (${RUNS} cases)`, () => {
    fc.assert(
      fc.property(fc.constantFrom(...HOSTILE_KEYS), anyJson, (key, value) => {
        const decoded = expectOutcome({ topic: TOPIC, partition: 0, offset: '1', key: utf8('s'), value: utf8(objectText([['id', '"x"'], ['type', '"T"'], [key, value]])), timestamp: '0' });
        expect(decoded).toMatchObject({ ok: false, rejection: { code: RejectionCode.ValidationFailed, message: expect.stringContaining(key) } });
        // Nothing leaked onto Object.prototype.
        expect(({} as Record<string, unknown>).admin).toBeUndefined();
      }),
      { numRuns: RUNS },
    );
  });
});

// ── CloudEvents ──────────────────────────────────────────────────────────────────────────────

const ceAttributeName = fc.oneof(
  fc.constantFrom('specversion', 'id', 'source', 'type', 'subject', 'time', 'data', 'data_base64', 'datacontenttype', 'dataschema', 'traceparent', 'tenant', 'status', 'message', 'requestid', 'nodeid', 'parentnodeid', 'expectedversion'),
  hostileKey,
);
const structuredText = fc
  .array(fc.tuple(ceAttributeName, fc.oneof(anyJson, fc.constantFrom('"1.0"', `"${TRACEPARENT}"`, '"2024-05-01T10:00:00Z"', '"ce-1"'))), { maxLength: 8 })
  .chain((attrs) => fc.boolean().map((withSpec) => objectText(withSpec ? [['specversion', '"1.0"'], ...attrs] : attrs)));

const binaryHeaders = fc
  .dictionary(
    fc.oneof(fc.constantFrom('ce_id', 'ce_type', 'ce_source', 'ce_subject', 'ce_time', 'ce_tenant', 'ce_expectedversion', 'ce_traceparent', 'ce_data', 'ce___proto__', 'ce_constructor', 'content-type', 'x-request-id', 'traceparent'), fc.string({ maxLength: 10 }).map((s) => `ce_${s}`)),
    fc.oneof(headerValue, fc.constantFrom('1.0', 'ce-1', TRACEPARENT, '2024-05-01T10:00:00Z', '7', '-1', 'T'), fc.nat().map(String)),
    { maxKeys: 8 },
  )
  .chain((h) => fc.oneof(fc.constant<string | Buffer>('1.0'), headerValue).map((spec) => ({ ...h, ce_specversion: spec })));

describe('decodeRecord: CloudEvents under generated input (fast-check)', () => {
  it(`structured mode (specversion or content-type), any attributes and extensions: never throws, valid outcome (${RUNS} cases)`, () => {
    const ceHeaders = fc.option(fc.record({ 'content-type': fc.constantFrom('application/cloudevents+json', 'application/cloudevents+json; charset=utf-8', 'APPLICATION/CLOUDEVENTS+JSON') }), { nil: undefined });
    fc.assert(fc.property(recordWith(structuredText.map(utf8), ceHeaders), (r) => void expectOutcome(r)), { numRuns: RUNS });
  });

  it(`binary mode (ce_ headers), any header values and any value bytes: never throws, valid outcome (${RUNS} cases)`, () => {
    const value = fc.oneof(fc.constant(null), fc.constant(Buffer.alloc(0)), anyJson.map(utf8), fc.uint8Array({ maxLength: 300 }).map((b) => Buffer.from(b)));
    fc.assert(fc.property(recordWith(value, binaryHeaders), (r) => void expectOutcome(r)), { numRuns: RUNS });
  });
});

describe('decodeRecord: valid envelopes are accepted and round-trip (fast-check)', () => {
  it(`the JSON envelope: accepted, every field as given, defaults for the rest (${RUNS} cases)`, () => {
    fc.assert(
      fc.property(validEnvelope, baseRecord, (e, base) => {
        const record: KafkaRecord = { topic: TOPIC, key: null, value: utf8(JSON.stringify(body(e))), ...base };
        const decoded = expectOutcome(record);
        if (!decoded.ok) throw new Error(`rejected ${decoded.rejection.code}: ${decoded.rejection.message}`);
        expect(decoded.event).toEqual(expectedEvent(e, record));
      }),
      { numRuns: RUNS },
    );
  });

  it(`structured CloudEvents: accepted, attributes mapped to the envelope's fields (${RUNS} cases)`, () => {
    fc.assert(
      fc.property(validEnvelope, baseRecord, fc.boolean(), (e, base, byContentType) => {
        const ce: Record<string, unknown> = { id: e.id, type: e.type, subject: e.stream };
        if (!byContentType) ce.specversion = '1.0';
        if (e.source !== undefined) ce.source = e.source;
        if (e.occurredAt !== undefined) ce.time = e.occurredAt.given;
        if (e.data !== undefined) ce.data = e.data;
        for (const [attr, field] of [['tenant', 'tenant'], ['status', 'status'], ['message', 'message'], ['requestid', 'requestId'], ['nodeid', 'nodeId'], ['parentnodeid', 'parentNodeId'], ['expectedversion', 'expectedVersion']] as const) {
          if (e[field] !== undefined) ce[attr] = e[field];
        }
        const headers = byContentType ? { 'content-type': 'application/cloudevents+json' } : undefined;
        const record: KafkaRecord = { topic: TOPIC, key: null, value: utf8(JSON.stringify(ce)), headers, ...base };
        const decoded = expectOutcome(record);
        if (!decoded.ok) throw new Error(`rejected ${decoded.rejection.code}: ${decoded.rejection.message}`);
        expect(decoded.event).toEqual({ ...expectedEvent({ ...e, metadata: undefined }, record), metadata: byContentType ? {} : { specversion: '1.0' } });
      }),
      { numRuns: RUNS },
    );
  });

  it(`binary-mode CloudEvents: accepted, attributes from ce_ headers, the value as data (${RUNS} cases)`, () => {
    // Header values are bytes: only fields that travel as text can be attributes.
    fc.assert(
      fc.property(validEnvelope, baseRecord, (e, base) => {
        const headers: Record<string, string> = { ce_specversion: '1.0', ce_id: e.id, ce_type: e.type, ce_subject: e.stream };
        if (e.source !== undefined) headers.ce_source = e.source;
        if (e.occurredAt !== undefined && typeof e.occurredAt.given === 'string') headers.ce_time = e.occurredAt.given;
        if (e.tenant !== undefined) headers.ce_tenant = e.tenant;
        if (e.status !== undefined) headers.ce_status = e.status;
        if (typeof e.expectedVersion === 'number') headers.ce_expectedversion = String(e.expectedVersion);
        const record: KafkaRecord = { topic: TOPIC, key: null, value: utf8(JSON.stringify(e.data ?? {})), headers, ...base };
        const decoded = expectOutcome(record);
        if (!decoded.ok) throw new Error(`rejected ${decoded.rejection.code}: ${decoded.rejection.message}`);
        const expected = expectedEvent(
          {
            id: e.id, type: e.type, stream: e.stream, source: e.source, tenant: e.tenant, status: e.status, data: e.data ?? {},
            occurredAt: typeof e.occurredAt?.given === 'string' ? e.occurredAt : undefined,
            expectedVersion: typeof e.expectedVersion === 'number' ? e.expectedVersion : undefined,
          },
          record,
        );
        expect(decoded.event).toEqual({ ...expected, metadata: { specversion: '1.0' } });
      }),
      { numRuns: RUNS },
    );
  });

  it(`the stream falls back to the record key, the id to the record's coordinates (${RUNS} cases)`, () => {
    fc.assert(
      fc.property(noControls(1, 200), fc.integer({ min: 0, max: 1000 }), fc.bigInt({ min: 0n, max: 2n ** 53n - 1n }), (key, partition, offset) => {
        const record: KafkaRecord = { topic: TOPIC, partition, offset: String(offset), key: utf8(key), value: utf8('{"type":"T"}'), timestamp: '0' };
        const decoded = expectOutcome(record);
        expect(decoded).toMatchObject({ ok: true, event: { stream: key, id: `kafka:${TOPIC}:${partition}:${offset}` } });
      }),
      { numRuns: RUNS },
    );
  });
});
