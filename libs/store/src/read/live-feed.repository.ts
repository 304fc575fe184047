import { Inject, Injectable } from '@nestjs/common';
import { Pool } from 'pg';
import { StoredEvent } from '@eventlog/contracts';
import { PG_POOL } from '../pg-pool.provider';
import { visibleEvent } from './visible-events';
import { EVENT_COLUMNS, EventRow, STORED_EVENT_JSON, toStoredEvent } from './event-row';

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

/** A stored event as its JSON text, with the fields a live filter looks at. */
export interface TailEvent {
  position: number;
  tenant: string;
  stream: string;
  type: string;
  json: string;
}

export interface TailPage {
  events: TailEvent[];
  /** As LivePage.seenTo: every event up to this position has been returned. */
  seenTo: number;
  /** The newest committed position when the page was read (seenTo may be past it: `after` was). */
  head: number;
}

/** Whether an event (or a notification: no stream matches only a filter without one) passes a live filter, as readAfter's SQL decides. */
export function liveFilterMatches(filter: LiveFilter, item: { tenant: string; stream?: string | null; type: string }): boolean {
  if (item.tenant !== filter.tenant) return false;
  if (filter.stream !== undefined && item.stream !== filter.stream) return false;
  if (filter.streamPrefix !== undefined && !(item.stream ?? '').startsWith(filter.streamPrefix)) return false;
  if (filter.types?.length && !filter.types.includes(item.type)) return false;
  return true;
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
    const { rows, seenTo } = await this.pageAfter<EventRow>(EVENT_COLUMNS, filter, after, limit);
    return { events: rows.map(toStoredEvent), seenTo };
  }

  /**
   * As readAfter, each event as the JSON text Postgres built. Without a filter, every tenant's
   * events: what one process's WebSocket subscribers share (one read per append, not one each).
   */
  async readJsonAfter(filter: LiveFilter | undefined, after: number, limit: number): Promise<TailPage> {
    const columns = `${STORED_EVENT_JSON} AS json, e.position, e.tenant, e.stream, e.type`;
    const { rows, seenTo, head } = await this.pageAfter<{ json: string; position: string; tenant: string; stream: string; type: string }>(columns, filter, after, limit);
    return { events: rows.map((r) => ({ ...r, position: Number(r.position) })), seenTo, head };
  }

  private async pageAfter<R extends { position: string }>(columns: string, filter: LiveFilter | undefined, after: number, limit: number) {
    const params: unknown[] = [after, limit];
    // A deleted stream's events are left out from the moment its tombstone commits, on resume too.
    const where = ['e.position > $1', visibleEvent('e')];
    if (filter) {
      where.push(`e.tenant = $${params.push(filter.tenant)}`);
      if (filter.stream !== undefined) where.push(`e.stream = $${params.push(filter.stream)}`);
      if (filter.streamPrefix !== undefined) where.push(`e.stream LIKE $${params.push(likePrefix(filter.streamPrefix))}`);
      if (filter.types?.length) where.push(`e.type = ANY($${params.push(filter.types)}::text[])`);
    }
    // LIMIT 1 tells the planner what the CHECK already guarantees: one row. Unanalysed (a new
    // database), event_position is guessed at ~2,000 rows, the join's cost at hundreds of times
    // the page's, over jit_above_cost: each read then spent most of a second compiling (decision 036).
    const { rows } = await this.pool.query<R & { head: string; found: boolean }>(
      `SELECT e.*, e.position IS NOT NULL AS found, h.last AS head
         FROM (SELECT last FROM event_position LIMIT 1) h
         LEFT JOIN LATERAL (
           SELECT ${columns} FROM events e WHERE ${where.join(' AND ')} AND e.position <= h.last ORDER BY e.position LIMIT $2
         ) e ON true`,
      params,
    );
    const head = Number(rows[0].head);
    const found = rows.filter((r) => r.found);
    const seenTo = found.length < limit ? head : Number(found[found.length - 1].position);
    return { rows: found as R[], seenTo: Math.max(seenTo, after), head };
  }
}
