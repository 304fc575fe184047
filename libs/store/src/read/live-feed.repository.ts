import { Inject, Injectable } from '@nestjs/common';
import { Pool } from 'pg';
import { StoredEvent } from '@eventlog/contracts';
import { PG_POOL } from '../pg-pool.provider';
import { EVENT_COLUMNS, EventRow, toStoredEvent } from './event-row';

export interface LiveFilter {
  tenant: string;
  stream?: string;
  streamPrefix?: string;
  types?: string[];
}

export interface LivePage {
  events: StoredEvent[];
  /** Every matching event up to this position has been returned: resume after it. */
  seenTo: number;
}

const likePrefix = (prefix: string) => prefix.replace(/[\\%_]/g, (c) => `\\${c}`) + '%';

/** Reads for the live tail: matching events after a position, in position order. */
@Injectable()
export class LiveFeedRepository {
  constructor(@Inject(PG_POOL) private readonly pool: Pool) {}

  /** The newest committed position. */
  async head(): Promise<number> {
    const { rows } = await this.pool.query<{ last: string }>('SELECT last FROM event_position');
    return Number(rows[0].last);
  }

  /**
   * Up to `limit` matching events after `after`. When fewer come back, every match up to the head
   * read in the same snapshot has been seen (appends commit in position order), so the caller can
   * skip ahead to it without rescanning non-matching events.
   */
  async readAfter(filter: LiveFilter, after: number, limit: number): Promise<LivePage> {
    const params: unknown[] = [after, filter.tenant, limit];
    const where = ['e.position > $1', 'e.tenant = $2'];
    if (filter.stream !== undefined) where.push(`e.stream = $${params.push(filter.stream)}`);
    if (filter.streamPrefix !== undefined) where.push(`e.stream LIKE $${params.push(likePrefix(filter.streamPrefix))}`);
    if (filter.types?.length) where.push(`e.type = ANY($${params.push(filter.types)}::text[])`);
    const { rows } = await this.pool.query<EventRow & { head: string }>(
      `SELECT ${EVENT_COLUMNS}, h.last AS head
         FROM event_position h
         LEFT JOIN LATERAL (
           SELECT * FROM events e WHERE ${where.join(' AND ')} AND e.position <= h.last ORDER BY e.position LIMIT $3
         ) e ON true`,
      params,
    );
    const head = Number(rows[0].head);
    const events = rows.filter((r) => r.position !== null).map(toStoredEvent);
    const seenTo = events.length < limit ? head : events[events.length - 1].position;
    return { events, seenTo: Math.max(seenTo, after) };
  }
}
