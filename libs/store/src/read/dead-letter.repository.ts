import { Inject, Injectable } from '@nestjs/common';
import { isUtf8 } from 'node:buffer';
import { Pool, PoolClient } from 'pg';
import { DeadLetter, DeadLetterCounts, DeadLetterPage, DeadLetterSource, EVERY_TENANT, RejectionCode } from '@eventlog/contracts';
import { PG_POOL } from '../pg-pool.provider';
import { SqlParams } from '../sql-params';
import { DEAD_LETTER_KEPT_BYTES, StoredHeader } from '../write/dead-letter-rows';
import { decodeCursor, encodeCursor } from './cursor';
import { iso } from './event-row';

export interface DeadLetterFilter {
  /** A tenant, or EVERY_TENANT. */
  tenant: string;
  code?: RejectionCode;
  topic?: string;
  partition?: number;
  replayed?: boolean;
  /** receivedAt window, RFC 3339, inclusive. */
  from?: string;
  to?: string;
}

/** A dead letter's row, with the bytes a replay re-publishes. */
export interface DeadLetterRecord {
  letter: DeadLetter;
  key: Buffer | null;
  value: Buffer | null;
  headers: { name: string; value: Buffer | null }[];
  /** Key and headers are whole (only the value may be cut). */
  envelopeComplete: boolean;
  valueComplete: boolean;
}

interface Row {
  id: string;
  received_at: string;
  tenant: string | null;
  code: RejectionCode;
  message: string;
  source_topic: string;
  source_partition: number;
  source_offset: string;
  key: Buffer | null;
  key_bytes: number | null;
  value: Buffer | null;
  value_bytes: number | null;
  headers: StoredHeader[];
  header_bytes: number;
  replayed_at: string | null;
  replay_count: number;
  replayed_to: DeadLetterSource | null;
}

const COLUMNS = `id, ${iso('received_at')} AS received_at, tenant, code, message,
  source_topic, source_partition, source_offset, key, key_bytes, value, value_bytes, headers, header_bytes,
  ${iso('replayed_at')} AS replayed_at, replay_count, replayed_to`;

/** Rows a bulk replay can re-publish as they were: key, value and headers kept whole. */
const COMPLETE = `coalesce(length(key), 0) = coalesce(key_bytes, 0) AND coalesce(length(value), 0) = coalesce(value_bytes, 0)
  AND header_bytes <= ${DEAD_LETTER_KEPT_BYTES}`;

const text = (bytes: Buffer | null) => (bytes !== null && isUtf8(bytes) ? bytes.toString('utf8') : null);

function toRecord(row: Row): DeadLetterRecord {
  const headers = row.headers.map(([name, value]) => ({ name: Buffer.from(name, 'base64').toString('utf8'), value: value === null ? null : Buffer.from(value, 'base64') }));
  // Headers are kept whole while they fit, so all of them are kept when all fit.
  const envelopeComplete = (row.key?.length ?? 0) === (row.key_bytes ?? 0) && row.header_bytes <= DEAD_LETTER_KEPT_BYTES;
  const valueComplete = (row.value?.length ?? 0) === (row.value_bytes ?? 0);
  return {
    key: row.key,
    value: row.value,
    headers,
    envelopeComplete,
    valueComplete,
    letter: {
      id: Number(row.id),
      receivedAt: row.received_at,
      tenant: row.tenant,
      code: row.code,
      message: row.message,
      source: { topic: row.source_topic, partition: row.source_partition, offset: row.source_offset },
      key: text(row.key),
      keyBase64: row.key?.toString('base64') ?? null,
      value: text(row.value),
      valueBase64: row.value?.toString('base64') ?? null,
      valueBytes: row.value_bytes,
      truncated: !(envelopeComplete && valueComplete),
      headers: headers.map((h) => ({ name: h.name, value: text(h.value), valueBase64: h.value?.toString('base64') ?? null })),
      replay: row.replayed_at === null ? null : { replayedAt: row.replayed_at, count: row.replay_count, to: row.replayed_to! },
    },
  };
}

function conditions(filter: DeadLetterFilter, params: SqlParams): string[] {
  const where: string[] = [];
  if (filter.tenant !== EVERY_TENANT) where.push(`tenant = ${params.add(filter.tenant)}`);
  if (filter.code !== undefined) where.push(`code = ${params.add(filter.code)}`);
  if (filter.topic !== undefined) where.push(`source_topic = ${params.add(filter.topic)}`);
  if (filter.partition !== undefined) where.push(`source_partition = ${params.add(filter.partition, 'int')}`);
  if (filter.replayed !== undefined) where.push(filter.replayed ? 'replayed_at IS NOT NULL' : 'replayed_at IS NULL');
  if (filter.from !== undefined) where.push(`received_at >= ${params.add(filter.from, 'timestamptz')}`);
  if (filter.to !== undefined) where.push(`received_at <= ${params.add(filter.to, 'timestamptz')}`);
  return where;
}

const whereOf = (where: string[]) => (where.length > 0 ? `WHERE ${where.join(' AND ')}` : '');

/** Dead letters (the rows ingest keeps for each rejected record): listed, counted, and marked replayed. */
@Injectable()
export class DeadLetterRepository {
  constructor(@Inject(PG_POOL) private readonly pool: Pool) {}

  /** Newest first; keyset on the id with a cursor. */
  async list(filter: DeadLetterFilter, page: { limit: number; offset: number; cursor?: string }): Promise<DeadLetterPage> {
    const params = new SqlParams();
    const where = conditions(filter, params);
    const countSql = `SELECT count(*) AS n FROM dead_letters ${whereOf(where)}`;
    const countValues = [...params.values];
    const scope = JSON.stringify(['dead-letters', filter]);
    if (page.cursor !== undefined) where.push(`id < ${params.add(decodeCursor(page.cursor, scope).position, 'bigint')}`);
    const sql = `SELECT ${COLUMNS} FROM dead_letters ${whereOf(where)}
                 ORDER BY id DESC LIMIT ${params.add(page.limit + 1, 'int')} OFFSET ${params.add(page.offset, 'int')}`;
    const [found, total] = await Promise.all([this.pool.query<Row>(sql, params.values), this.pool.query<{ n: string }>(countSql, countValues)]);
    const rows = found.rows.slice(0, page.limit);
    return {
      totalCount: Number(total.rows[0].n),
      count: rows.length,
      deadLetters: rows.map((r) => toRecord(r).letter),
      nextCursor: found.rows.length > page.limit ? encodeCursor(scope, { key: null, position: Number(rows[rows.length - 1].id) }) : null,
    };
  }

  /** Counts per code (all, and not replayed yet) of one tenant's dead letters, or of every one. */
  async counts(filter: Pick<DeadLetterFilter, 'tenant' | 'from' | 'to'>): Promise<DeadLetterCounts> {
    const params = new SqlParams();
    const where = conditions({ tenant: filter.tenant, from: filter.from, to: filter.to }, params);
    const { rows } = await this.pool.query<{ code: string; n: string; pending: string }>(
      `SELECT code, count(*) AS n, count(*) FILTER (WHERE replayed_at IS NULL) AS pending FROM dead_letters ${whereOf(where)} GROUP BY code ORDER BY code`,
      params.values,
    );
    return {
      total: rows.reduce((n, r) => n + Number(r.n), 0),
      pending: rows.reduce((n, r) => n + Number(r.pending), 0),
      byCode: Object.fromEntries(rows.map((r) => [r.code, Number(r.n)])),
    };
  }

  /**
   * Replays one dead letter of the tenant: locks its row, lets `publish` produce it, and marks it
   * replayed in the same transaction. Undefined when the tenant has no dead letter with that id.
   */
  async replayOne<T extends DeadLetterSource>(
    tenant: string,
    id: number,
    publish: (record: DeadLetterRecord) => Promise<T>,
  ): Promise<{ record: DeadLetterRecord; to: T } | undefined> {
    return this.inTransaction(async (client) => {
      const params = new SqlParams();
      const where = [`id = ${params.add(id, 'bigint')}`, ...conditions({ tenant }, params)];
      const { rows } = await client.query<Row>(`SELECT ${COLUMNS} FROM dead_letters ${whereOf(where)} FOR UPDATE`, params.values);
      if (rows.length === 0) return undefined;
      const record = toRecord(rows[0]);
      const to = await publish(record);
      await this.markReplayed(client, [record.letter.id], [to]);
      return { record, to };
    });
  }

  /**
   * Replays, oldest first, up to `limit` matching dead letters not replayed yet and kept whole;
   * rows another bulk replay holds are skipped. `publish` produces them all, in order.
   */
  async replayMany<T extends DeadLetterSource>(
    filter: DeadLetterFilter,
    limit: number,
    publish: (records: DeadLetterRecord[]) => Promise<T[]>,
  ): Promise<{ replayed: { id: number; to: T }[]; remaining: number; truncated: number }> {
    const replayed = await this.inTransaction(async (client) => {
      const params = new SqlParams();
      const where = [...conditions({ ...filter, replayed: false }, params), COMPLETE];
      const { rows } = await client.query<Row>(
        `SELECT ${COLUMNS} FROM dead_letters ${whereOf(where)} ORDER BY id LIMIT ${params.add(limit, 'int')} FOR UPDATE SKIP LOCKED`,
        params.values,
      );
      const records = rows.map(toRecord);
      if (records.length === 0) return [];
      const to = await publish(records);
      const ids = records.map((r) => r.letter.id);
      await this.markReplayed(client, ids, to);
      return ids.map((id, i) => ({ id, to: to[i] }));
    });
    const params = new SqlParams();
    const where = conditions({ ...filter, replayed: false }, params);
    const { rows } = await this.pool.query<{ remaining: string; truncated: string }>(
      `SELECT count(*) FILTER (WHERE ${COMPLETE}) AS remaining, count(*) FILTER (WHERE NOT (${COMPLETE})) AS truncated
         FROM dead_letters ${whereOf(where)}`,
      params.values,
    );
    return { replayed, remaining: Number(rows[0].remaining), truncated: Number(rows[0].truncated) };
  }

  private async markReplayed(client: PoolClient, ids: number[], to: DeadLetterSource[]): Promise<void> {
    await client.query(
      `UPDATE dead_letters d SET replayed_at = now(), replay_count = d.replay_count + 1, replayed_to = r.replayed_to
         FROM unnest($1::bigint[], $2::jsonb[]) AS r(id, replayed_to) WHERE d.id = r.id`,
      [ids, to.map((t) => JSON.stringify({ topic: t.topic, partition: t.partition, offset: String(t.offset) }))],
    );
  }

  private async inTransaction<T>(work: (client: PoolClient) => Promise<T>): Promise<T> {
    const client = await this.pool.connect();
    let broken: Error | undefined;
    try {
      await client.query('BEGIN');
      const result = await work(client);
      await client.query('COMMIT');
      return result;
    } catch (err) {
      await client.query('ROLLBACK').catch((rollback: Error) => (broken = rollback));
      throw err;
    } finally {
      client.release(broken);
    }
  }
}
