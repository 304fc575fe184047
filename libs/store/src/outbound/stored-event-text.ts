import { PlannedRow } from '../write/append-plan';
import { OutboundRow } from './relay-session';

/**
 * The outbound row of an event this process just appended, spelled byte for byte as Postgres spells
 * it in RelaySession.readAfter (STORED_EVENT_JSON: json_build_object's `"key" : value`, jsonb's own
 * text for data and metadata), so that a record published from memory is the record the Postgres
 * path would publish. Undefined for an event it cannot promise that for; the caller then reads it
 * from Postgres. test/relay-memory.e2e-spec.ts holds the two paths equal.
 */
export function appendedOutboundRow(row: PlannedRow, recordedAt: string): OutboundRow | undefined {
  const e = row.event;
  try {
    const json =
      `{"id" : ${text(e.id)}, "tenant" : ${text(e.tenant)}, "stream" : ${text(e.stream)}, ` +
      `"version" : ${row.version}, "position" : ${row.position}, "type" : ${text(e.type)}, ` +
      `"data" : ${jsonbText(e.data)}, "metadata" : ${jsonbText(e.metadata)}, ` +
      `"source" : ${nullableText(e.source)}, "status" : ${nullableText(e.status)}, "message" : ${nullableText(e.message)}, ` +
      `"requestId" : ${nullableText(e.requestId)}, "nodeId" : ${text(e.nodeId)}, "parentNodeId" : ${nullableText(e.parentNodeId)}, ` +
      `"occurredAt" : ${JSON.stringify(contractTime(e.occurredAt))}, "recordedAt" : ${JSON.stringify(recordedAt)}, ` +
      `"kafka" : ${e.kafka ? `{"topic" : ${text(e.kafka.topic)}, "partition" : ${integer(e.kafka.partition)}, "offset" : ${integer(e.kafka.offset)}}` : 'null'}}`;
    return { position: String(row.position), version: String(row.version), type: e.type, tenant: e.tenant, stream: e.stream, json };
  } catch (err) {
    if (err instanceof Unspellable) return undefined;
    throw err;
  }
}

/** A value whose Postgres spelling this module does not reproduce. */
class Unspellable extends Error {}

// With the u flag only an unpaired surrogate matches: such a string is stored as U+FFFD (UTF-8
// encoding) or refused (jsonb), so its JSON here would differ.
const LONE_SURROGATE = /[\ud800-\udfff]/u;

/** A string as json_build_object and jsonb escape it: the same escapes as JSON.stringify. */
function text(value: string): string {
  if (typeof value !== 'string' || LONE_SURROGATE.test(value)) throw new Unspellable();
  return JSON.stringify(value);
}

function nullableText(value: string | null | undefined): string {
  return value === null || value === undefined ? 'null' : text(value);
}

function integer(value: number): string {
  if (!Number.isSafeInteger(value)) throw new Unspellable();
  return String(value);
}

/** to_char(… AT TIME ZONE 'UTC', 'YYYY-MM-DD"T"HH24:MI:SS.MS"Z"'), which toISOString matches for four-digit years. */
function contractTime(at: Date): string {
  const year = at.getUTCFullYear();
  if (!(year >= 1 && year <= 9999)) throw new Unspellable();
  return at.toISOString();
}

/**
 * A JSON value as jsonb's output function writes it: `", "` and `": "` between items, object keys
 * ordered shorter first then bytewise (jsonb's storage order), numbers as numeric prints them.
 * The value is what ingest wrote with JSON.stringify, so it takes JSON.stringify's rules for what
 * JSON cannot hold (non-finite numbers are null).
 */
export function jsonbText(value: unknown): string {
  switch (typeof value) {
    case 'string':
      return text(value);
    case 'number':
      return Number.isFinite(value) ? numericText(value) : 'null';
    case 'boolean':
      return value ? 'true' : 'false';
    case 'object': {
      if (value === null) return 'null';
      if (Array.isArray(value)) return `[${value.map(jsonbText).join(', ')}]`;
      const proto = Object.getPrototypeOf(value) as unknown;
      // A Date, a Buffer or anything with toJSON is not what JSON.parse makes.
      if (proto !== Object.prototype && proto !== null) throw new Unspellable();
      const record = value as Record<string, unknown>;
      const keys = Object.keys(record).filter((k) => record[k] !== undefined);
      keys.sort(jsonbKeyOrder);
      return `{${keys.map((k) => `${text(k)}: ${jsonbText(record[k])}`).join(', ')}}`;
    }
    default:
      throw new Unspellable();
  }
}

const ASCII = /^[\x00-\x7f]*$/;

/** jsonb's key order: by length in UTF-8 bytes, then bytewise. */
function jsonbKeyOrder(a: string, b: string): number {
  if (ASCII.test(a) && ASCII.test(b)) return a.length - b.length || (a < b ? -1 : a > b ? 1 : 0);
  const ab = Buffer.from(a, 'utf8');
  const bb = Buffer.from(b, 'utf8');
  return ab.length - bb.length || Buffer.compare(ab, bb);
}

/**
 * A JS number as numeric_out prints what numeric_in read from JSON.stringify's text: the same digits,
 * but never an exponent (1e+21 is 1000000000000000000000, 1.5e-7 is 0.00000015).
 */
function numericText(value: number): string {
  const shortest = String(value);
  const e = shortest.indexOf('e');
  if (e < 0) return shortest;
  const negative = shortest.startsWith('-');
  const mantissa = shortest.slice(negative ? 1 : 0, e);
  const exponent = Number(shortest.slice(e + 1));
  const point = mantissa.indexOf('.');
  const digits = point < 0 ? mantissa : mantissa.slice(0, point) + mantissa.slice(point + 1);
  // Where the decimal point falls in `digits` once the exponent is applied.
  const at = (point < 0 ? mantissa.length : point) + exponent;
  const plain = at <= 0 ? `0.${'0'.repeat(-at)}${digits}` : at >= digits.length ? digits + '0'.repeat(at - digits.length) : `${digits.slice(0, at)}.${digits.slice(at)}`;
  return negative ? `-${plain}` : plain;
}
