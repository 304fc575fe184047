import { Inject, Injectable } from '@nestjs/common';
import { Pool } from 'pg';
import { OpenTracePage } from '@eventlog/contracts';
import { PG_POOL } from '../pg-pool.provider';
import { SqlParams } from '../sql-params';
import { decodeCursor, encodeCursor } from './cursor';
import { iso } from './event-row';

export interface OpenChainListQuery {
  tenant: string;
  /** Only chains whose latest event is at least this old. */
  stalledForMs: number;
  limit: number;
  offset: number;
  cursor?: string;
}

interface OpenChainRow {
  request_id: string;
  id: string;
  node_id: string;
  type: string;
  status: string;
  recorded_at: string;
  sort_key: string;
  position: string;
  idle_ms: string;
}

const SORT_KEY = `to_char(o.recorded_at AT TIME ZONE 'UTC', 'YYYY-MM-DD"T"HH24:MI:SS.US"Z"')`;
const TIME_KEY = /^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}\.\d{6}Z$/;

/** The open chains (table open_chains, kept by a trigger on events): GET /v1/traces?status=running. */
@Injectable()
export class OpenChainQueryRepository {
  constructor(@Inject(PG_POOL) private readonly pool: Pool) {}

  /** Newest activity first; keyset on (recorded_at, position) with a cursor (index open_chains_recorded_at_idx). */
  async list(query: OpenChainListQuery): Promise<OpenTracePage> {
    const params = new SqlParams();
    const where = [`o.tenant = ${params.add(query.tenant)}`, `o.recorded_at <= now() - ${params.add(query.stalledForMs, 'bigint')} * interval '1 millisecond'`];
    const countSql = `SELECT count(*) AS n FROM open_chains o WHERE ${where.join(' AND ')}`;
    const countValues = [...params.values];
    const scope = JSON.stringify(['open-chains', query.tenant, query.stalledForMs]);
    if (query.cursor !== undefined) {
      const after = decodeCursor(query.cursor, scope, TIME_KEY);
      where.push(`(o.recorded_at, o.position) < (${params.add(after.key, 'timestamptz')}, ${params.add(after.position, 'bigint')})`);
    }
    const sql = `SELECT o.request_id, o.id, o.node_id, o.type, o.status, ${iso('o.recorded_at')} AS recorded_at, ${SORT_KEY} AS sort_key,
                        o.position, floor(extract(epoch FROM now() - o.recorded_at) * 1000)::bigint AS idle_ms
                   FROM open_chains o WHERE ${where.join(' AND ')}
                  ORDER BY o.recorded_at DESC, o.position DESC
                  LIMIT ${params.add(query.limit + 1, 'int')} OFFSET ${params.add(query.offset, 'int')}`;
    const [page, total] = await Promise.all([
      this.pool.query<OpenChainRow>(sql, params.values),
      this.pool.query<{ n: string }>(countSql, countValues),
    ]);
    const rows = page.rows.slice(0, query.limit);
    const last = rows[rows.length - 1];
    return {
      totalCount: Number(total.rows[0].n),
      count: rows.length,
      traces: rows.map((r) => ({
        requestId: r.request_id,
        status: 'running',
        idleMs: Number(r.idle_ms),
        lastEvent: { id: r.id, nodeId: r.node_id, type: r.type, status: r.status, recordedAt: r.recorded_at },
      })),
      nextCursor: page.rows.length > query.limit ? encodeCursor(scope, { key: last.sort_key, position: Number(last.position) }) : null,
    };
  }
}
