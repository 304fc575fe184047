import { Inject, Injectable } from '@nestjs/common';
import { Pool } from 'pg';
import { ReadDirection, StoredEvent, StreamInfo, StreamPage } from '@eventlog/contracts';
import { PG_POOL } from '../pg-pool.provider';
import { decodeCursor, encodeCursor } from './cursor';
import { EVENT_JSON_COLUMNS, EventJsonRow, iso, toEventJson } from './event-row';
import { escapeLike, SqlParams } from '../sql-params';
import { PreparedStatements } from '../prepared-statements';

interface StreamRow {
  stream: string;
  version: string;
  event_count: string;
  first_occurred_at: Date;
  last_occurred_at: Date;
}

/**
 * Stream heads are kept by ingest in `streams`. Versions are gapless, so the events a reader sees
 * are the versions from the tombstone's hidden_below (1 for a stream never deleted) to the head.
 */
const HEAD_COLUMNS = 's.stream, s.version, s.version - COALESCE(tomb.hidden_below, 1) + 1 AS event_count, s.first_occurred_at, s.last_occurred_at';
const HEADS = 'streams s LEFT JOIN stream_tombstones tomb ON tomb.tenant = s.tenant AND tomb.stream = s.stream';

const toStreamInfo = (row: StreamRow): StreamInfo => ({
  stream: row.stream,
  version: Number(row.version),
  eventCount: Number(row.event_count),
  firstOccurredAt: row.first_occurred_at.toISOString(),
  lastOccurredAt: row.last_occurred_at.toISOString(),
});

export interface StreamListQuery {
  tenant: string;
  prefix?: string;
  limit: number;
  offset: number;
  cursor?: string;
}

@Injectable()
export class StreamQueryRepository {
  /** The stream read's two texts (forward, backward), planned once per connection where the generic plan is as good. */
  private readonly prepared = new PreparedStatements('stream', 2);

  constructor(@Inject(PG_POOL) private readonly pool: Pool) {}

  async info(tenant: string, stream: string): Promise<StreamInfo | undefined> {
    const { rows } = await this.pool.query<StreamRow>(
      `SELECT ${HEAD_COLUMNS} FROM ${HEADS} WHERE s.tenant = $1 AND s.stream = $2`,
      [tenant, stream],
    );
    return rows[0] && toStreamInfo(rows[0]);
  }

  /** Streams by name, ascending; keyset on the name with a cursor. */
  async list(query: StreamListQuery): Promise<StreamPage> {
    const params = new SqlParams();
    const where = [`s.tenant = ${params.add(query.tenant)}`];
    if (query.prefix !== undefined) where.push(`s.stream LIKE ${params.add(`${escapeLike(query.prefix)}%`)} ESCAPE '\\'`);
    const countSql = `SELECT count(*) AS n FROM streams s WHERE ${where.join(' AND ')}`;
    const countValues = [...params.values];
    const scope = JSON.stringify(['streams', query.tenant, query.prefix ?? null]);
    if (query.cursor !== undefined) where.push(`s.stream > ${params.add(decodeCursor(query.cursor, scope).key ?? '')}`);
    const sql = `SELECT ${HEAD_COLUMNS} FROM ${HEADS} WHERE ${where.join(' AND ')}
                 ORDER BY s.stream LIMIT ${params.add(query.limit + 1, 'int')} OFFSET ${params.add(query.offset, 'int')}`;
    const [page, total] = await Promise.all([
      this.pool.query<StreamRow>(sql, params.values),
      this.pool.query<{ n: string }>(countSql, countValues),
    ]);
    const rows = page.rows.slice(0, query.limit);
    return {
      totalCount: Number(total.rows[0].n),
      count: rows.length,
      streams: rows.map(toStreamInfo),
      nextCursor: page.rows.length > query.limit ? encodeCursor(scope, { key: rows[rows.length - 1].stream, position: 0 }) : null,
    };
  }

  /**
   * A stream's head and up to `limit` events from `fromVersion` (default: 1 forward, the head
   * backward), in version order (forward) or reverse (backward), in one round trip; undefined for
   * a stream that does not exist.
   */
  async read(
    tenant: string,
    stream: string,
    fromVersion: number | undefined,
    direction: ReadDirection,
    limit: number,
  ): Promise<{ info: StreamInfo; events: StoredEvent[] } | undefined> {
    const forward = direction === 'forward';
    const { rows } = await this.pool.query<
      EventJsonRow & { head_stream: string; head_version: string; head_count: string; head_first: string; head_last: string }
    >(
      this.prepared.statement(
        `SELECT h.stream AS head_stream, h.version AS head_version, h.version - h.hidden_below + 1 AS head_count,
                ${iso('h.first_occurred_at')} AS head_first, ${iso('h.last_occurred_at')} AS head_last, ${EVENT_JSON_COLUMNS}
           FROM (SELECT s.*, COALESCE(tomb.hidden_below, 1) AS hidden_below FROM ${HEADS}
                  WHERE s.tenant = $1 AND s.stream = $2) h
           LEFT JOIN LATERAL (
             SELECT * FROM events e
              WHERE e.tenant = h.tenant AND e.stream = h.stream
                AND e.version ${forward ? '>= GREATEST(COALESCE($3::bigint, 1), h.hidden_below)' : '<= COALESCE($3::bigint, h.version) AND e.version >= h.hidden_below'}
              ORDER BY e.version ${forward ? 'ASC' : 'DESC'} LIMIT $4
           ) e ON true
          ORDER BY e.version ${forward ? 'ASC' : 'DESC'}`,
        [tenant, stream, fromVersion ?? null, limit],
      ),
    );
    if (rows.length === 0) return undefined;
    // The head's columns repeat on every row (text, so they cost no Date parsing); take them once.
    const head = rows[0];
    const version = Number(head.head_version);
    return {
      info: { stream: head.head_stream, version, eventCount: Number(head.head_count), firstOccurredAt: head.head_first, lastOccurredAt: head.head_last },
      events: rows.filter((r) => r.position !== null).map(toEventJson),
    };
  }
}
