import { getMetadataStorage } from 'class-validator';
import { ENVELOPE_FIELDS, EventEnvelopeDto, RejectionCode } from '@eventlog/contracts';
import { decodeRecord, derivedEventId } from './record-decoder';
import { KafkaRecord } from './kafka-record';

const MAX = 1024 * 1024;
const record = (value: unknown, extra: Partial<KafkaRecord> = {}): KafkaRecord => ({
  topic: 'orders',
  partition: 2,
  offset: '41',
  key: Buffer.from('order-1'),
  value: Buffer.isBuffer(value) ? value : Buffer.from(typeof value === 'string' ? value : JSON.stringify(value)),
  timestamp: '1714557600000',
  ...extra,
});
const ok = (r: KafkaRecord) => {
  const d = decodeRecord(r, MAX);
  if (!d.ok) throw new Error(`rejected: ${d.rejection.code} ${d.rejection.message}`);
  return d.event;
};
const rejected = (r: KafkaRecord, max = MAX) => {
  const d = decodeRecord(r, max);
  if (d.ok) throw new Error('accepted');
  return d.rejection;
};

describe('decodeRecord: the JSON envelope', () => {
  it('fills every default: tenant, data, metadata, nodeId, occurredAt from the record, stream from the key', () => {
    const e = ok(record({ id: 'e-1', type: 'OrderPlaced' }));
    expect(e).toEqual({
      id: 'e-1', tenant: 'default', stream: 'order-1', type: 'OrderPlaced', data: {}, metadata: {},
      source: null, status: null, message: null, requestId: null, nodeId: 'e-1', parentNodeId: null,
      occurredAt: new Date(1714557600000), expectedVersion: 'any', kafka: { topic: 'orders', partition: 2, offset: 41 },
    });
  });

  it('keeps every given field, accepts occurredAt as RFC 3339 or epoch ms', () => {
    const given = {
      id: 'e-2', tenant: 't1', stream: 's', type: 'T', data: { a: [1] }, metadata: { m: true }, source: 'svc', status: 'running',
      message: 'step 1', requestId: 'r', nodeId: 'n', parentNodeId: 'p', occurredAt: '2024-05-01T10:00:00.5+02:00', expectedVersion: 3,
    };
    const e = ok(record(given));
    expect(e).toMatchObject({ ...given, occurredAt: new Date('2024-05-01T08:00:00.500Z') });
    expect(ok(record({ id: 'e', type: 'T', occurredAt: 0 })).occurredAt.toISOString()).toBe('1970-01-01T00:00:00.000Z');
  });

  it('derives the same id for the same record coordinates, and a short one for long topic names', () => {
    expect(ok(record({ type: 'T' })).id).toBe('kafka:orders:2:41');
    expect(derivedEventId('orders', 2, '41')).toBe(derivedEventId('orders', 2, '41'));
    const long = derivedEventId('t'.repeat(200), 0, '1');
    expect(long).toMatch(/^kafka:[0-9a-f]{64}$/);
  });

  it('takes requestId from x-request-id, else the traceparent trace-id, and nodeId from its parent-id', () => {
    const tp = '00-0af7651916cd43dd8448eb211c80319c-b7ad6b7169203331-01';
    expect(ok(record({ id: 'a', type: 'T' }, { headers: { 'x-request-id': 'req-1', traceparent: tp } }))).toMatchObject({ requestId: 'req-1', nodeId: 'b7ad6b7169203331' });
    expect(ok(record({ id: 'a', type: 'T' }, { headers: { traceparent: tp } }))).toMatchObject({ requestId: '0af7651916cd43dd8448eb211c80319c' });
    expect(ok(record({ id: 'a', type: 'T', requestId: 'own', nodeId: 'mine' }, { headers: { traceparent: tp } }))).toMatchObject({ requestId: 'own', nodeId: 'mine' });
    expect(ok(record({ id: 'a', type: 'T' }, { headers: { traceparent: 'garbage' } }))).toMatchObject({ requestId: null, nodeId: 'a' });
  });
});

describe('decodeRecord: CloudEvents', () => {
  it('maps a structured event, its traceparent and extensions', () => {
    const e = ok(record({
      specversion: '1.0', id: 'ce-1', source: 'billing', type: 'InvoiceSent', subject: 'inv-9', time: '2024-05-01T10:00:00Z',
      datacontenttype: 'application/json', data: { total: 3 }, traceparent: '00-0af7651916cd43dd8448eb211c80319c-b7ad6b7169203331-01',
      region: 'eu', tenant: 'acme', status: 'success', expectedversion: 0,
    }));
    expect(e).toMatchObject({
      id: 'ce-1', source: 'billing', type: 'InvoiceSent', stream: 'inv-9', data: { total: 3 }, tenant: 'acme', status: 'success',
      requestId: '0af7651916cd43dd8448eb211c80319c', nodeId: 'b7ad6b7169203331', expectedVersion: 0,
      occurredAt: new Date('2024-05-01T10:00:00Z'),
    });
    expect(e.metadata).toEqual({
      specversion: '1.0', datacontenttype: 'application/json', region: 'eu', traceparent: '00-0af7651916cd43dd8448eb211c80319c-b7ad6b7169203331-01',
    });
  });

  it('recognises structured mode by content-type too', () => {
    const e = ok(record({ id: 'c', type: 'T', subject: 's', source: 'x' }, { headers: { 'content-type': 'application/cloudevents+json' } }));
    expect(e.stream).toBe('s');
  });

  it('maps binary mode: attributes from ce_ headers, the value as data', () => {
    const e = ok(record({ total: 4 }, {
      headers: { ce_specversion: '1.0', ce_id: 'b-1', ce_type: 'Paid', ce_source: 'billing', ce_subject: 'inv-9', ce_expectedversion: '2', 'content-type': 'application/json' },
    }));
    expect(e).toMatchObject({ id: 'b-1', type: 'Paid', source: 'billing', stream: 'inv-9', data: { total: 4 }, expectedVersion: 2 });
    expect(e.metadata).toEqual({ specversion: '1.0', datacontenttype: 'application/json' });
  });

  it('rejects a binary-mode event whose value is not a JSON object', () => {
    const r = rejected(record('[1,2]', { headers: { ce_specversion: '1.0', ce_id: 'b-2', ce_type: 'T' } }));
    expect(r).toMatchObject({ code: RejectionCode.ValidationFailed, message: expect.stringContaining('data must be a JSON object') });
  });
});

describe('ENVELOPE_FIELDS', () => {
  it('lists exactly the properties the envelope DTO validates', () => {
    const validated = new Set(getMetadataStorage().getTargetValidationMetadatas(EventEnvelopeDto, '', true, false).map((m) => m.propertyName));
    expect([...ENVELOPE_FIELDS].sort()).toEqual([...validated].sort());
  });
});

describe('decodeRecord: rejections name the reason', () => {
  it.each([
    ['not JSON', '{"id":', RejectionCode.InvalidJson, /not valid JSON/],
    ['not UTF-8', Buffer.from([0xff, 0xfe]), RejectionCode.InvalidJson, /value is not valid UTF-8/],
    ['invalid UTF-8 inside a JSON string', Buffer.concat([Buffer.from('{"id":"x","type":"T","stream":"a'), Buffer.from([0xc3, 0x28]), Buffer.from('"}')]), RejectionCode.InvalidJson, /value is not valid UTF-8/],
    ['a lone surrogate in the stream', '{"id":"x","type":"T","stream":"rp-\\ud800"}', RejectionCode.ValidationFailed, /^stream: text must be well-formed Unicode/],
    ['a lone surrogate in the tenant', '{"id":"x","type":"T","tenant":"\\udc00x"}', RejectionCode.ValidationFailed, /^tenant: text must be well-formed/],
    ['a lone surrogate in a data key', '{"id":"x","type":"T","data":{"k\\ud83d":1}}', RejectionCode.ValidationFailed, /^data\.k.*: text must be well-formed/],
    ['a number beyond a double', '{"id":"x","type":"T","data":{"big":1e400}}', RejectionCode.ValidationFailed, /^data\.big: the number 1e400 cannot be kept exactly/],
    ['an integer beyond 2^53', '{"id":"x","type":"T","data":{"list":[1,9007199254740993]}}', RejectionCode.ValidationFailed, /^data\.list\[1\]: the number 9007199254740993/],
    ['a number that underflows to 0', '{"id":"x","type":"T","metadata":{"tiny":1e-400}}', RejectionCode.ValidationFailed, /^metadata\.tiny: the number/],
    ['a day that does not exist', { id: 'x', type: 'T', occurredAt: '2024-02-30T00:00:00Z' }, RejectionCode.ValidationFailed, /^occurredAt must be an RFC 3339/],
    ['hour 24', { id: 'x', type: 'T', occurredAt: '2024-01-01T24:00:00Z' }, RejectionCode.ValidationFailed, /^occurredAt must be an RFC 3339/],
    ['an instant before year 1 in UTC', { id: 'x', type: 'T', occurredAt: '0001-01-01T00:00:00+01:00' }, RejectionCode.ValidationFailed, /^occurredAt must be an RFC 3339/],
    ['a null tenant', { id: 'x', type: 'T', tenant: null }, RejectionCode.ValidationFailed, /tenant must be a string/],
    ['null data', { id: 'x', type: 'T', data: null }, RejectionCode.ValidationFailed, /data must be a JSON object/],
    ['a null id', { id: null, type: 'T' }, RejectionCode.ValidationFailed, /id must be 1-128/],
    ['a null stream', { id: 'x', type: 'T', stream: null }, RejectionCode.ValidationFailed, /stream/],
    ['an array', '[1]', RejectionCode.ValidationFailed, /value must be a JSON object/],
    ['a number', '42', RejectionCode.ValidationFailed, /value must be a JSON object/],
    ['no type', { id: 'x' }, RejectionCode.ValidationFailed, /type/],
    ['type of the wrong type', { id: 'x', type: 7 }, RejectionCode.ValidationFailed, /type must be a string/],
    ['a bad id', { id: 'has space', type: 'T' }, RejectionCode.ValidationFailed, /id must be 1-128 characters/],
    ['an unknown field', { id: 'x', type: 'T', colour: 'red' }, RejectionCode.ValidationFailed, /property colour should not exist/],
    ['an output-only field', { id: 'x', type: 'T', position: 4 }, RejectionCode.ValidationFailed, /property position should not exist/],
    ['data that is an array', { id: 'x', type: 'T', data: [1] }, RejectionCode.ValidationFailed, /data must be a JSON object/],
    ['a bad occurredAt', { id: 'x', type: 'T', occurredAt: 'yesterday' }, RejectionCode.ValidationFailed, /occurredAt must be an RFC 3339/],
    ['a negative occurredAt', { id: 'x', type: 'T', occurredAt: -5 }, RejectionCode.ValidationFailed, /occurredAt/],
    ['a bad expectedVersion', { id: 'x', type: 'T', expectedVersion: 'latest' }, RejectionCode.ValidationFailed, /expectedVersion must be/],
    ['a status over 32 characters', { id: 'x', type: 'T', status: 's'.repeat(33) }, RejectionCode.ValidationFailed, /status/],
    ['a control character in the stream', { id: 'x', type: 'T', stream: 'a\nb' }, RejectionCode.ValidationFailed, /stream must not contain control/],
    ['NUL in a message', { id: 'x', type: 'T', message: 'a\u0000b' }, RejectionCode.ValidationFailed, /message must not contain the NUL/],
    ['NUL in nested data', { id: 'x', type: 'T', data: { a: { b: ['\u0000'] } } }, RejectionCode.ValidationFailed, /data\.a\.b\.0 must not contain the NUL/],
    ['data nested 65 levels deep', `{"id":"x","type":"T","data":{"a":${'['.repeat(64)}${']'.repeat(64)}}}`, RejectionCode.ValidationFailed, /nested deeper than 64 levels/],
    ['data nested 5,000 levels deep', `{"id":"x","type":"T","data":{"a":${'['.repeat(5000)}${']'.repeat(5000)}}}`, RejectionCode.ValidationFailed, /nested deeper than 64 levels/],
    ['a __proto__ key', '{"id":"x","type":"T","__proto__":{"admin":true}}', RejectionCode.ValidationFailed, /__proto__ should not exist/],
    ['a constructor key', '{"id":"x","type":"T","constructor":"x"}', RejectionCode.ValidationFailed, /constructor should not exist/],
    ['a hasOwnProperty key', '{"id":"x","type":"T","hasOwnProperty":1}', RejectionCode.ValidationFailed, /hasOwnProperty should not exist/],
  ])('%s', (_name, value, code, message) => {
    const r = rejected(record(value));
    expect(r.code).toBe(code);
    expect(r.message).toMatch(message);
  });

  it('rejects a record with no stream and no key', () => {
    expect(rejected(record({ id: 'x', type: 'T' }, { key: null })).message).toMatch(/stream is required/);
  });

  it('measures data against the limit: at the limit accepted, one byte over rejected', () => {
    const limit = 2048;
    const at = record({ id: 'x', type: 'T', data: { s: 'y'.repeat(limit - 8) } });
    const over = record({ id: 'x', type: 'T', data: { s: 'y'.repeat(limit - 7) } });
    expect(decodeRecord(at, limit).ok).toBe(true);
    expect(rejected(over, limit)).toMatchObject({ code: RejectionCode.TooLarge, message: expect.stringMatching(/2049 bytes .* at most 2048/) });
    expect(rejected(record('x'.repeat(5000)), limit).code).toBe(RejectionCode.TooLarge);
    // Short as written, long as stored: 9e20 is 21 digits once re-serialized.
    const written = `{"id":"x","type":"T","data":{"n":[${Array(100).fill('9e20').join(',')}]}}`;
    expect(written.length).toBeLessThan(limit);
    expect(rejected(record(written), limit).code).toBe(RejectionCode.TooLarge);
  });
});

describe('decodeRecord: stored exactly, or refused (issue 12)', () => {
  it('keeps every number a double holds exactly, however it is spelled', () => {
    const written = '{"id":"x","type":"T","data":{"a":0.30000000000000004,"b":1e308,"c":9007199254740992,"d":-0.0,"e":1.50,"f":5e-324,"g":1000000000000000000000000e-1,"h":1e23}}';
    expect(ok(record(written)).data).toEqual({ a: 0.30000000000000004, b: 1e308, c: 9007199254740992, d: -0, e: 1.5, f: 5e-324, g: 1e23, h: 1e23 });
  });

  it('keeps text that looks like a long number inside strings', () => {
    const data = { id: '12345678901234567890123', uuid: '550e8400-e29b-41d4-a716-446655440000', note: 'x: 1e400' };
    expect(ok(record({ id: 'x', type: 'T', data })).data).toEqual(data);
  });

  it('keeps a surrogate pair and U+FFFD as they are, and tells them apart', () => {
    const e = ok(record('{"id":"x","type":"T","stream":"s-\\ud83d\\ude00-\\ufffd","data":{"k":"\\ud83d\\ude00"}}'));
    expect(e.stream).toBe('s-😀-\ufffd');
    expect(e.data).toEqual({ k: '😀' });
  });

  it('takes null as absent only where the stored value is null too', () => {
    const e = ok(record({ id: 'x', type: 'T', source: null, status: null, message: null, requestId: null, parentNodeId: null }));
    expect(e).toMatchObject({ source: null, status: null, message: null, requestId: null, parentNodeId: null });
    for (const field of ['nodeId', 'occurredAt', 'expectedVersion', 'metadata']) {
      expect(rejected(record({ id: 'x', type: 'T', [field]: null })).message).toMatch(new RegExp(`^${field}`));
    }
  });

  it('refuses a key that is not UTF-8 when the stream falls back to it, and uses it as bytes otherwise', () => {
    const key = Buffer.from([0x6b, 0xff]);
    expect(rejected(record({ id: 'x', type: 'T' }, { key })).message).toMatch(/stream: the record key it falls back to is not valid UTF-8/);
    expect(ok(record({ id: 'x', type: 'T', stream: 's' }, { key })).stream).toBe('s');
  });

  it('refuses a header it reads as text when its bytes are not UTF-8', () => {
    const headers = { 'x-request-id': Buffer.from([0xed, 0xa0, 0x80]) };
    expect(rejected(record({ id: 'x', type: 'T' }, { headers }))).toEqual({
      code: RejectionCode.ValidationFailed,
      message: 'header x-request-id is not valid UTF-8',
    });
    expect(ok(record({ id: 'x', type: 'T' }, { headers: { 'x-other': Buffer.from([0xff]) } })).id).toBe('x');
  });
});

describe('decodeRecord: what a dead letter keeps', () => {
  const tenantOf = (r: KafkaRecord) => {
    const d = decodeRecord(r, MAX);
    if (d.ok) throw new Error('accepted');
    return d.tenant;
  };

  it('names the tenant once the body is read: the one it names, default when it names none', () => {
    expect(tenantOf(record({ id: 'x', tenant: 'acme', type: 'T', data: 'not an object' }))).toBe('acme');
    expect(tenantOf(record({ id: 'x', type: 'T', data: 'not an object' }))).toBe('default');
    expect(tenantOf(record({ id: 'x', tenant: 'acme', type: 'T', unknown: 1 }))).toBe('acme');
  });

  it('names none when the body cannot be read, or what it names is not a tenant', () => {
    expect(tenantOf(record('{"tenant": "acme",'))).toBeUndefined();
    expect(tenantOf(record(Buffer.from([0x7b, 0xff, 0x7d])))).toBeUndefined();
    expect(tenantOf(record({ id: 'x', tenant: 5, type: 'T' }))).toBeUndefined();
    expect(tenantOf(record({ id: 'x', tenant: 'a\u0001b', type: 'T' }))).toBeUndefined();
    expect(tenantOf(record({ id: 'x', tenant: '', type: 'T' }))).toBeUndefined();
  });
});

describe('decodeRecord: a replayed dead letter', () => {
  const replayOf = (value: string) => ({ headers: { 'eventlog-replay-of': Buffer.from(value) } });

  it('takes the id derived from the first record’s coordinates, not its own', () => {
    expect(ok(record({ type: 'T' }, replayOf('ingest.a:3:17'))).id).toBe(derivedEventId('ingest.a', 3, '17'));
    expect(ok(record({ type: 'T' }, { offset: '99', ...replayOf('ingest.a:3:17') })).id).toBe('kafka:ingest.a:3:17');
  });

  it('keeps an id it names, and ignores a header that is not topic:partition:offset', () => {
    expect(ok(record({ id: 'given', type: 'T' }, replayOf('ingest.a:3:17'))).id).toBe('given');
    expect(ok(record({ type: 'T' }, replayOf('ingest a:3:17'))).id).toBe(derivedEventId('orders', 2, '41'));
    expect(ok(record({ type: 'T' }, replayOf('ingest.a:-3:17'))).id).toBe(derivedEventId('orders', 2, '41'));
  });
});
