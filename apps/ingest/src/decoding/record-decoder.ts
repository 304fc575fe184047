import { isUtf8 } from 'node:buffer';
import { createHash } from 'node:crypto';
import { validateSync, ValidationError } from 'class-validator';
import {
  DEFAULT_TENANT,
  EventEnvelopeDto,
  NewEvent,
  Rejection,
  RejectionCode,
  compileValidityCheck,
  NO_CONTROL_CHARS,
  parseExactJson,
  REPLAY_OF_HEADER,
  unknownEnvelopeFields,
} from '@eventlog/contracts';
import { binaryModeAttributes, isStructuredCloudEvent, mapCloudEvent, parseTraceparent } from './cloudevents';
import { headerNotUtf8, headerText, KafkaRecord } from './kafka-record';

/** `tenant`: the tenant the record names, once it decoded far enough to name one. */
type Refused = { ok: false; rejection: Rejection; tenant?: string };
export type Decoded = { ok: true; event: NewEvent } | Refused;

const reject = (code: RejectionCode, message: string): Refused => ({ ok: false, rejection: { code, message } });

const isObject = (v: unknown): v is Record<string, unknown> => typeof v === 'object' && v !== null && !Array.isArray(v);

/**
 * The id of a record that carries none: the same for every redelivery of that record, so a replayed
 * topic never writes it twice.
 */
export function derivedEventId(topic: string, partition: number, offset: string): string {
  const readable = `kafka:${topic}:${partition}:${offset}`;
  if (readable.length <= 128) return readable;
  return `kafka:${createHash('sha256').update(`${topic}\u0000${partition}\u0000${offset}`).digest('hex')}`;
}

/**
 * A replayed dead letter (header REPLAY_OF_HEADER = `topic:partition:offset` of the record first
 * rejected) takes the id that record would have had, not one from its own coordinates: however
 * often it is replayed, it lands once (docs/decisions/032).
 */
function replayedFrom(record: KafkaRecord): { topic: string; partition: number; offset: string } | undefined {
  const m = /^([A-Za-z0-9._-]{1,249}):(\d{1,10}):(\d{1,19})$/.exec(headerText(record.headers, REPLAY_OF_HEADER) ?? '');
  return m ? { topic: m[1], partition: Number(m[2]), offset: m[3] } : undefined;
}

/** The tenant a body names (`default` when it names none); undefined when what it names is not a tenant. */
function tenantNamed(body: Record<string, unknown>): string | undefined {
  const tenant = body.tenant;
  if (tenant === undefined) return DEFAULT_TENANT;
  const ok = typeof tenant === 'string' && tenant.length >= 1 && tenant.length <= 64 && NO_CONTROL_CHARS.test(tenant) && tenant.isWellFormed();
  return ok ? tenant : undefined;
}

export function describeErrors(errors: ValidationError[], parent = ''): string[] {
  return errors.flatMap((e) => {
    const path = parent ? `${parent}.${e.property}` : e.property;
    const own = Object.values(e.constraints ?? {}).map((m) => (m.startsWith(e.property) ? `${parent ? parent + '.' : ''}${m}` : `${path}: ${m}`));
    return own.concat(describeErrors(e.children ?? [], path));
  });
}

const MAX_JSON_DEPTH = 64;
/** How JSON text writes U+0000; as bytes once, not encoded again for every record searched. */
const NUL_ESCAPE = Buffer.from('\\u0000');
/** The envelope's free-form JSON members. */
const JSON_VALUES: ReadonlySet<string> = new Set(['data', 'metadata']);

/** The envelope's class-validator rules as one cheap check; validateSync then names what failed. */
const isValidEnvelope = compileValidityCheck(EventEnvelopeDto);

/** The top-level field whose objects and arrays nest more than `limit` levels; iterative, so it cannot overflow. */
function tooDeepField(root: Record<string, unknown>, limit: number): string | undefined {
  for (const [field, top] of Object.entries(root)) {
    const stack: [unknown, number][] = [[top, 2]];
    while (stack.length > 0) {
      const [value, depth] = stack.pop()!;
      if (typeof value !== 'object' || value === null) continue;
      if (depth > limit) return field;
      for (const child of Object.values(value)) if (typeof child === 'object' && child !== null) stack.push([child, depth + 1]);
    }
  }
  return undefined;
}

/** The path of the first string (or object key) holding U+0000, if any; `skip` names top-level keys not to look into. */
function fieldWithNul(value: unknown, path = '', skip?: ReadonlySet<string>): string | undefined {
  if (typeof value === 'string') return value.includes('\u0000') ? path || 'value' : undefined;
  if (typeof value !== 'object' || value === null) return undefined;
  for (const [k, v] of Object.entries(value)) {
    if (skip?.has(k)) continue;
    const at = path ? `${path}.${k}` : k;
    if (k.includes('\u0000')) return at;
    const found = fieldWithNul(v, at);
    if (found) return found;
  }
  return undefined;
}

/**
 * Turns one Kafka record into an event ready to append, or into the reason it is rejected. Accepts
 * the JSON envelope, CloudEvents structured and binary mode, and fills requestId/nodeId from the
 * x-request-id and traceparent headers, stream from the key, occurredAt from the record time and id
 * from the record's coordinates when the body has none.
 */
export function decodeRecord(record: KafkaRecord, maxDataBytes: number): Decoded {
  const value = record.value ?? Buffer.alloc(0);
  const read = readBody(record, value, maxDataBytes);
  if (!read.ok) return read;
  const tenant = tenantNamed(read.body);
  const filled = withDefaults(read.body, record);
  if (!filled.ok) return { ...filled, tenant };
  const valid = validEnvelope(filled.fields, value, read.binary !== undefined, maxDataBytes);
  if (!valid.ok) return { ...valid, tenant };
  return { ok: true, event: toNewEvent(valid.envelope, record) };
}

/** The record's value as the envelope's fields: JSON, CloudEvents structured or binary mode. */
function readBody(record: KafkaRecord, value: Buffer, maxDataBytes: number): { ok: true; body: Record<string, unknown>; binary: unknown } | Refused {
  // The whole record may hold data, metadata and a message besides: allow room for them.
  if (value.length > maxDataBytes * 2) {
    return reject(RejectionCode.TooLarge, `record value is ${value.length} bytes; data may be at most ${maxDataBytes}`);
  }
  const badHeader = headerNotUtf8(record.headers);
  if (badHeader) return reject(RejectionCode.ValidationFailed, `header ${badHeader} is not valid UTF-8`);
  const binary = binaryModeAttributes(record.headers);

  let parsed: unknown = {};
  if (value.length > 0 || !binary) {
    const json = parseExactJson(value, binary ? 'data' : 'value');
    if (!json.ok) return reject(json.code, json.message);
    parsed = json.value;
  }

  if (binary) return { ok: true, body: mapCloudEvent({ ...binary, data: parsed }), binary };
  if (!isObject(parsed)) return reject(RejectionCode.ValidationFailed, 'value must be a JSON object');
  if (isStructuredCloudEvent(parsed, headerText(record.headers, 'content-type'))) return { ok: true, body: mapCloudEvent(parsed), binary };
  return { ok: true, body: parsed, binary };
}

/** The fields the body left out, from the record: id from its coordinates, stream from its key, trace ids from headers. */
function withDefaults(body: Record<string, unknown>, record: KafkaRecord): { ok: true; fields: Record<string, unknown> } | Refused {
  const requestHeader = headerText(record.headers, 'x-request-id');
  const trace = parseTraceparent(headerText(record.headers, 'traceparent'));
  const filled: Record<string, unknown> = { ...body };
  // Only a field left out takes its default; a null is validated, and refused, as given.
  if (filled.id === undefined) {
    const origin = replayedFrom(record) ?? record;
    filled.id = derivedEventId(origin.topic, origin.partition, origin.offset);
  }
  if (filled.stream === undefined && record.key) {
    if (!isUtf8(record.key)) return reject(RejectionCode.ValidationFailed, 'stream: the record key it falls back to is not valid UTF-8');
    filled.stream = record.key.toString('utf8');
  }
  filled.requestId ??= requestHeader ?? trace?.traceId;
  if (trace) filled.nodeId ??= trace.parentId;
  return { ok: true, fields: filled };
}

/** The filled fields as a valid envelope, or the first reason they are not one. */
function validEnvelope(filled: Record<string, unknown>, value: Buffer, binary: boolean, maxDataBytes: number): { ok: true; envelope: EventEnvelopeDto } | Refused {
  const unknown = unknownEnvelopeFields(filled);
  if (unknown.length) {
    return reject(RejectionCode.ValidationFailed, unknown.map((k) => `property ${k} should not exist`).join('; '));
  }
  // Deeper JSON would overflow the stack of whatever walks it next (serializers, Postgres' jsonb).
  const tooDeep = tooDeepField(filled, MAX_JSON_DEPTH);
  if (tooDeep) return reject(RejectionCode.ValidationFailed, `${tooDeep}: value is nested deeper than ${MAX_JSON_DEPTH} levels`);

  if (!isValidEnvelope(filled)) {
    // Re-typed in place rather than copied: class-validator finds the rules by constructor.
    const errors = validateSync(Object.setPrototypeOf(filled, EventEnvelopeDto.prototype) as object, {
      whitelist: true,
      forbidNonWhitelisted: true,
      forbidUnknownValues: true,
    });
    return reject(RejectionCode.ValidationFailed, describeErrors(errors).join('; '));
  }
  const dto = filled as unknown as EventEnvelopeDto;

  // Re-serialized, a number can grow (9e20 is written out as 21 digits), but by less than 8 times:
  // a record 64 times under the limit cannot reach it and need not be measured.
  if (value.length * 64 > maxDataBytes) {
    const dataBytes = Buffer.byteLength(JSON.stringify(dto.data ?? {}));
    if (dataBytes > maxDataBytes) {
      return reject(RejectionCode.TooLarge, `data is ${dataBytes} bytes serialized; at most ${maxDataBytes} allowed`);
    }
  }
  // Postgres text and jsonb cannot hold U+0000; refuse it here rather than fail the whole batch.
  // Data and metadata from a JSON body can only hold it if the text has the escape.
  const bodyMayHoldNul = binary || value.includes(NUL_ESCAPE);
  const nulField = fieldWithNul(filled, '', bodyMayHoldNul ? undefined : JSON_VALUES);
  if (nulField) return reject(RejectionCode.ValidationFailed, `${nulField} must not contain the NUL character (U+0000)`);
  return { ok: true, envelope: dto };
}

/** The envelope with every default filled, as the store appends it. */
function toNewEvent(dto: EventEnvelopeDto, record: KafkaRecord): NewEvent {
  return {
    id: dto.id,
    tenant: dto.tenant ?? DEFAULT_TENANT,
    stream: dto.stream,
    type: dto.type,
    data: dto.data ?? {},
    metadata: dto.metadata ?? {},
    source: dto.source ?? null,
    status: dto.status ?? null,
    message: dto.message ?? null,
    requestId: dto.requestId ?? null,
    nodeId: dto.nodeId ?? dto.id,
    parentNodeId: dto.parentNodeId ?? null,
    occurredAt: new Date(dto.occurredAt ?? Number(record.timestamp)),
    expectedVersion: dto.expectedVersion ?? 'any',
    kafka: { topic: record.topic, partition: record.partition, offset: Number(record.offset) },
  };
}
