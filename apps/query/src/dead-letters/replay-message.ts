import { IHeaders, Message } from 'kafkajs';
import { ApiErrorDetail, REPLAY_OF_HEADER } from '@eventlog/contracts';
import { DeadLetterRecord } from '@eventlog/store';

export type ReplayPlan = { ok: true; message: Message } | { ok: false; status: 400 | 409; detail: ApiErrorDetail };

const refuse = (status: 400 | 409, field: string, message: string): ReplayPlan => ({ ok: false, status, detail: { field, message } });

const isObject = (v: unknown): v is Record<string, unknown> => typeof v === 'object' && v !== null && !Array.isArray(v);

/** The id a JSON body names, if the stored value is one whole JSON object naming an id. */
function storedId(record: DeadLetterRecord): string | undefined {
  if (!record.valueComplete || record.value === null) return undefined;
  try {
    const body: unknown = JSON.parse(record.value.toString('utf8'));
    return isObject(body) && typeof body.id === 'string' ? body.id : undefined;
  } catch {
    return undefined;
  }
}

/**
 * The Kafka record a replay produces: the original key and headers, and the original value or the
 * corrected one, with header REPLAY_OF_HEADER naming the record first rejected. Every replay of a
 * dead letter carries the same event id (docs/decisions/032), so it lands once however often it is
 * replayed: a corrected value keeps the id the record named (or names none, when the record named
 * none readable: ingest then derives it from the first record's coordinates), and keeps the dead
 * letter's tenant. Refused: a record whose key or headers were cut at 64 KiB, and one whose value
 * was, without a corrected value.
 */
export function replayMessage(record: DeadLetterRecord, corrected: Record<string, unknown> | undefined): ReplayPlan {
  const { letter } = record;
  if (!record.envelopeComplete) {
    return refuse(409, 'id', `dead letter ${letter.id}: its key or headers were longer than 64 KiB and are kept in part; it cannot be replayed`);
  }
  if (corrected === undefined && !record.valueComplete) {
    return refuse(409, 'value', `dead letter ${letter.id}: its value (${letter.valueBytes} bytes) is kept only in part (64 KiB); replay it with a corrected value`);
  }

  const headers: IHeaders = {};
  for (const { name, value } of record.headers) {
    if (value === null) continue;
    const held = headers[name];
    headers[name] = held === undefined ? value : ([] as (Buffer | string)[]).concat(held, value);
  }
  headers[REPLAY_OF_HEADER] ??= `${letter.source.topic}:${letter.source.partition}:${letter.source.offset}`;
  if (corrected === undefined) return { ok: true, message: { key: record.key, value: record.value, headers } };

  // A binary-mode CloudEvent's value is its data: id and tenant are in the headers, which are kept.
  const binary = record.headers.some((h) => h.name === 'ce_specversion');
  const value = { ...corrected };
  if (!binary) {
    if (letter.tenant !== null) {
      if (value.tenant === undefined) value.tenant = letter.tenant;
      else if (value.tenant !== letter.tenant) return refuse(400, 'value.tenant', `value.tenant must be the dead letter's tenant (${letter.tenant})`);
    }
    const id = storedId(record);
    if (id !== undefined && value.id === undefined) value.id = id;
    else if (id !== undefined && value.id !== id) return refuse(400, 'value.id', `value.id must be the rejected record's id (${id}), so that a replay lands once`);
    else if (id === undefined && value.id !== undefined) {
      return refuse(400, 'value.id', 'value.id must be left out: the rejected record named no readable id, and its replays take one derived from its coordinates, so that a replay lands once');
    }
  }
  return { ok: true, message: { key: record.key, value: Buffer.from(JSON.stringify(value)), headers } };
}
