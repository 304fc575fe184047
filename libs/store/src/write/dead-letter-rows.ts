import { PoolClient } from 'pg';
import { Rejection } from '@eventlog/contracts';

/** The bytes of a consumed Kafka record, as kafkajs hands them over. */
export interface SourceRecord {
  topic: string;
  partition: number;
  offset: string;
  key: Buffer | null;
  value: Buffer | null;
  headers?: Record<string, Buffer | string | (Buffer | string)[] | undefined>;
}

/** A rejected record and the tenant it named, if it decoded far enough to name one. */
export interface DeadLetterInput {
  record: SourceRecord;
  rejection: Rejection;
  tenant?: string;
}

/** Bytes of each part (key, value, headers) a dead-letter row keeps. */
export const DEAD_LETTER_KEPT_BYTES = 64 * 1024;
/** Characters of a rejection message a row keeps. */
const MAX_MESSAGE_CHARS = 2000;

/** A stored header: its name and value, each base64 of its bytes (null for a header without value). */
export type StoredHeader = [name: string, value: string | null];

export interface DeadLetterRow {
  tenant: string | null;
  code: string;
  message: string;
  topic: string;
  partition: number;
  offset: string;
  key: Buffer | null;
  keyBytes: number | null;
  value: Buffer | null;
  valueBytes: number | null;
  headers: string;
  headerBytes: number;
}

const kept = (bytes: Buffer | null) => (bytes === null ? null : bytes.subarray(0, DEAD_LETTER_KEPT_BYTES));

/**
 * The headers in record order as [name, value] pairs of base64, whole headers only while they fit
 * the kept bytes; and the size of them all. Base64 because a header name or value may hold anything
 * (NUL, bytes that are not UTF-8) that jsonb or text would refuse.
 */
function keptHeaders(headers: SourceRecord['headers']): { json: string; bytes: number } {
  const pairs: StoredHeader[] = [];
  let bytes = 0;
  let full = false;
  for (const [name, raw] of Object.entries(headers ?? {})) {
    const nameBytes = Buffer.from(name, 'utf8');
    for (const one of Array.isArray(raw) ? raw : [raw]) {
      const value = one === undefined || one === null ? null : Buffer.isBuffer(one) ? one : Buffer.from(String(one), 'utf8');
      const size = nameBytes.length + (value?.length ?? 0);
      bytes += size;
      if (full || bytes > DEAD_LETTER_KEPT_BYTES) {
        full = true;
        continue;
      }
      pairs.push([nameBytes.toString('base64'), value?.toString('base64') ?? null]);
    }
  }
  return { json: JSON.stringify(pairs), bytes };
}

/** A rejection message as text Postgres takes: no NUL, no lone surrogate, bounded. */
export function storableMessage(message: string): string {
  return message.replaceAll('\u0000', '\\u0000').slice(0, MAX_MESSAGE_CHARS).toWellFormed();
}

/** The row a rejected record leaves: every value one that no record content can make Postgres refuse. */
export function deadLetterRow({ record, rejection, tenant }: DeadLetterInput): DeadLetterRow {
  const headers = keptHeaders(record.headers);
  return {
    tenant: tenant ?? null,
    code: rejection.code,
    message: storableMessage(rejection.message),
    topic: record.topic,
    partition: record.partition,
    offset: record.offset,
    key: kept(record.key),
    keyBytes: record.key?.length ?? null,
    value: kept(record.value),
    valueBytes: record.value?.length ?? null,
    headers: headers.json,
    headerBytes: headers.bytes,
  };
}

/**
 * Inserts the batch's dead letters in one statement, inside the caller's transaction. A record
 * redelivered after a crash finds its row already there (its source coordinates are unique).
 */
export async function insertDeadLetters(client: PoolClient, letters: DeadLetterInput[]): Promise<void> {
  if (letters.length === 0) return;
  const rows = letters.map(deadLetterRow);
  await client.query(
    `INSERT INTO dead_letters (tenant, code, message, source_topic, source_partition, source_offset,
                               key, key_bytes, value, value_bytes, headers, header_bytes)
     SELECT * FROM unnest($1::text[], $2::text[], $3::text[], $4::text[], $5::int[], $6::bigint[],
                          $7::bytea[], $8::int[], $9::bytea[], $10::int[], $11::jsonb[], $12::int[])
     ON CONFLICT (source_topic, source_partition, source_offset) DO NOTHING`,
    [
      rows.map((r) => r.tenant),
      rows.map((r) => r.code),
      rows.map((r) => r.message),
      rows.map((r) => r.topic),
      rows.map((r) => r.partition),
      rows.map((r) => r.offset),
      rows.map((r) => r.key),
      rows.map((r) => r.keyBytes),
      rows.map((r) => r.value),
      rows.map((r) => r.valueBytes),
      rows.map((r) => r.headers),
      rows.map((r) => r.headerBytes),
    ],
  );
}
