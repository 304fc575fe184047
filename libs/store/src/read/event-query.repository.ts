import { Inject, Injectable } from '@nestjs/common';
import { Pool } from 'pg';
import { EventPage, SortField, SortOrder, StoredEvent } from '@eventlog/contracts';
import { PG_POOL } from '../pg-pool.provider';
import { CursorPoint, decodeCursor, encodeCursor } from './cursor';
import { planRollup, ROLLUP_GRAINS, rollupBranches } from '../dsl/dsl-rollup';
import { noDeletedStreams, visibleEvent } from './visible-events';
import { ROLLUP_SKIP_FROM, rollupSkip, RollupSkip } from './offset-skip';
import { EventFilter, eventFilterConditions, filtersOnly } from './event-filter';
import { EVENT_COLUMNS, EVENT_JSON_COLUMNS, EventJsonRow, EventRow, toEventJson, toStoredEvent } from './event-row';
import { SqlParams } from '../sql-params';
import { PreparedStatements } from '../prepared-statements';

export interface EventListQuery {
  filter: EventFilter;
  sort: SortField;
  order: SortOrder;
  /** Rows per page. */
  limit: number;
  /** Rows to skip (page/offset paging); 0 with a cursor. */
  offset: number;
  cursor?: string;
  includeTotal: boolean;
}

/**
 * Sort columns by API name. A time key travels in the cursor as text with microseconds, exact.
 * recordedAt never decreases as position grows (migration 004), so its order is position order and
 * it pages on the (tenant, position) index.
 */
const exactTime = (column: string) => `to_char(${column} AT TIME ZONE 'UTC', 'YYYY-MM-DD"T"HH24:MI:SS.US"Z"')`;
const SORTS: Record<SortField, { column: string; key: string | null }> = {
  occurredAt: { column: 'e.occurred_at', key: exactTime('e.occurred_at') },
  recordedAt: { column: 'e.position', key: null },
  position: { column: 'e.position', key: null },
};
const TIME_KEY = /^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}\.\d{6}Z$/;

/**
 * event_ids `x` joined to its event: the partition by recorded_at, the row by the partition's
 * position key (migration 019). Postgres prunes the partitions at run time, per id, so a read by
 * id probes one partition whatever their number. An id whose event retention dropped or a purge
 * removed joins nothing: event_ids keeps it only as the idempotency key.
 */
const EVENT_OF_ID = 'JOIN events e ON e.recorded_at = x.recorded_at AND e.position = x.position AND e.tenant = x.tenant';

/** The read side of the log: one event, and filtered, sorted, paged lists. */
@Injectable()
export class EventQueryRepository {
  /** The list's pages and counts, by filter shape, and the read by id (prepared-statements.ts). */
  private readonly prepared = new PreparedStatements('log', 48);

  constructor(@Inject(PG_POOL) private readonly pool: Pool) {}

  /** One prepared statement: planned once per connection, one partition probed per call. */
  async findById(tenant: string, id: string): Promise<StoredEvent | undefined> {
    const { rows } = await this.pool.query<EventJsonRow>(
      this.prepared.statement(`SELECT ${EVENT_JSON_COLUMNS} FROM event_ids x ${EVENT_OF_ID} WHERE x.tenant = $1 AND x.id = $2 AND ${visibleEvent('e')}`, [
        tenant,
        id,
      ]),
    );
    return rows[0] && toEventJson(rows[0]);
  }

  /** Events by (tenant, id), for callers that wait on several at once. */
  async findByIds(keys: { tenant: string; id: string }[]): Promise<StoredEvent[]> {
    if (keys.length === 0) return [];
    const { rows } = await this.pool.query<EventRow>(
      `SELECT ${EVENT_COLUMNS} FROM unnest($1::text[], $2::text[]) AS k(tenant, id)
         JOIN event_ids x ON x.tenant = k.tenant AND x.id = k.id
         ${EVENT_OF_ID}`,
      [keys.map((k) => k.tenant), keys.map((k) => k.id)],
    );
    return rows.map(toStoredEvent);
  }

  private countStatement(filter: EventFilter) {
    const { text, values } = countQuery(filter);
    return this.prepared.statement(text, values);
  }

  /**
   * One page. Keyset with a cursor: rows strictly after the cursor's (sort key, position). With an
   * offset, the skipped rows are walked in the (tenant, sort, position) index only and the page's
   * rows are fetched after: a "deferred join", so deep offsets do not read every skipped row.
   * One row more than the page is read to know whether a next page exists.
   */
  async list(query: EventListQuery): Promise<EventPage> {
    const sort = SORTS[query.sort];
    const dir = query.order === 'asc' ? 'ASC' : 'DESC';
    const scope = JSON.stringify([query.sort, query.order, query.filter]);
    const params = new SqlParams();
    const where = eventFilterConditions(query.filter, params);

    // Position order's cursors carry the last row's recorded_at (null in cursors issued before).
    const after = query.cursor === undefined ? undefined : decodeCursor(query.cursor, scope, TIME_KEY);
    if (after) {
      const cmp = dir === 'ASC' ? '>' : '<';
      where.push(
        sort.key
          ? `(${sort.column}, e.position) ${cmp} (${params.add(after.key, 'timestamptz')}, ${params.add(after.position, 'bigint')})`
          : `e.position ${cmp} ${params.add(after.position, 'bigint')}`,
      );
    }
    const order = sort.key ? `${sort.column} ${dir}, e.position ${dir}` : `e.position ${dir}`;
    const limit = params.add(query.limit + 1, 'int');
    const select = `${EVENT_JSON_COLUMNS}, ${sort.key ?? exactTime('e.recorded_at')} AS sort_key`;
    const offset = query.offset > 0 ? params.add(query.offset, 'int') : undefined;
    const pageSql: PageSql = (conditions, { onPage = [], skip } = {}) =>
      offset
        ? `${skip ? `WITH ${skip.ctes}\n` : ''}SELECT ${select}
             FROM (SELECT e.position FROM events e WHERE ${[...conditions, ...(skip ? [skip.condition] : [])].join(' AND ')}
                   ORDER BY ${order} LIMIT ${limit} OFFSET ${skip ? skip.offset : offset}) page
             JOIN events e ON e.position = page.position${onPage.length ? `
            WHERE ${onPage.join(' AND ')}` : ''}
            ORDER BY ${order}`
        : `SELECT ${select} FROM events e WHERE ${conditions.join(' AND ')} ORDER BY ${order} LIMIT ${limit}`;
    // A whole tenant in occurredAt order, deep: most of the offset skipped with the rollup.
    const skip = offset && query.sort === 'occurredAt' && where.length === 2 && query.offset >= ROLLUP_SKIP_FROM
      ? (tenant: string) => rollupSkip(tenant, offset, dir)
      : undefined;

    const [page, total] = await Promise.all([
      this.pageRows(query, sort.key === null && dir === 'DESC', after, where, params, pageSql, skip),
      query.includeTotal ? this.pool.query<{ n: string }>(this.countStatement(query.filter)) : undefined,
    ]);
    const rows = page.slice(0, query.limit);
    const last = rows[rows.length - 1];
    return {
      totalCount: total ? Number(total.rows[0].n) : null,
      count: rows.length,
      events: rows.map(toEventJson),
      nextCursor: page.length > query.limit ? encodeCursor(scope, { key: last.sort_key, position: Number(last.position) }) : null,
    };
  }

  /**
   * A page's rows. With an offset, first without the row check where no stream is deleted
   * (offsetPageWithoutDeletions). Newest first by position without an offset, the page
   * is looked for first in the day of its newest candidate, which Postgres prunes to one partition:
   * the newest append's recorded_at for page 1, the cursor's for the next ones (recorded_at rises
   * with position, migration 004, so no row after the cursor is newer than it). When that day holds
   * the whole page (its limit + 1 rows), no older day can hold any of it; otherwise the page is read
   * over every partition as any other. Without it, a page opened an index scan in every partition.
   */
  private async pageRows(
    query: EventListQuery,
    positionDesc: boolean,
    after: CursorPoint | undefined,
    where: string[],
    params: SqlParams,
    pageSql: PageSql,
    skip?: SkipFor,
  ): Promise<PageRow[]> {
    const everywhere = this.prepared.statement(pageSql(where), [...params.values]);
    if (query.offset > 0) {
      const rows = await this.offsetPageWithoutDeletions(where, params, pageSql, skip);
      if (rows.length > 0) return rows;
    }
    const newest = !positionDesc || query.offset > 0 ? null : after ? after.key : await this.lastRecordedAt();
    if (newest !== null) {
      const window = [
        `e.recorded_at >= ${params.add(`${newest.slice(0, 10)}T00:00:00Z`, 'timestamptz')}`,
        `e.recorded_at <= ${params.add(newest, 'timestamptz')}`,
      ];
      const { rows } = await this.pool.query<PageRow>(this.prepared.statement(pageSql([...where, ...window]), params.values));
      if (rows.length > query.limit) return rows;
    }
    return (await this.pool.query<PageRow>(everywhere)).rows;
  }

  /**
   * An offset page whose skipped rows are walked in the index alone, read only while the tenant has
   * no deleted stream (checked in the same statement, noDeletedStreams): visibleEvent reads each
   * skipped row's stream and version from the table, 100,000 table reads for a page at that depth.
   * No rows when the tenant has one (or the page is past the end): the caller reads as any other.
   * The check stands on the page, outside the walk: inside, Postgres put it on each partition's
   * scan, one node more per skipped row (11.8 against 10.4 ms at depth 100,000 on 5M events).
   * With `skip` (a whole tenant in occurredAt order, deep), most of the offset is skipped with the
   * rollup (offset-skip.ts), in the same statement and snapshot.
   * `where` is eventFilterConditions': the tenant's condition, then visibleEvent, then the rest.
   */
  private async offsetPageWithoutDeletions(where: string[], params: SqlParams, pageSql: PageSql, skip?: SkipFor): Promise<PageRow[]> {
    const tenant = /^e\.tenant = (\$\d+)$/.exec(where[0])?.[1];
    if (!tenant || where[1] !== visibleEvent('e')) return [];
    const conditions = [where[0], ...where.slice(2)];
    const text = pageSql(conditions, { onPage: [noDeletedStreams(tenant)], skip: skip?.(tenant) });
    return (await this.pool.query<PageRow>(this.prepared.statement(text, [...params.values]))).rows;
  }

  /** The newest append's recorded_at as exact text (TIME_KEY), from the position counter; null for an empty log. */
  private async lastRecordedAt(): Promise<string | null> {
    const { rows } = await this.pool.query<{ at: string | null }>(`SELECT CASE WHEN last > 0 THEN ${exactTime('recorded_at')} END AS at FROM event_position`);
    return rows[0]?.at ?? null;
  }
}

type PageRow = EventJsonRow & { sort_key: string | null };
/**
 * A page's statement from the conditions of its walk and, for an offset page, those on its rows
 * and the rollup's skip of its offset.
 */
type PageSql = (conditions: string[], options?: { onPage?: string[]; skip?: RollupSkip }) => string;
/** The rollup's skip of an offset page's offset, given the tenant's parameter. */
type SkipFor = (tenant: string) => RollupSkip;

/**
 * The number of events a filter matches. Filtered on nothing but type, status and time, that is a
 * sum over the event_counts rollup plus the window's two partial 10 s buckets counted from the log,
 * as for a DSL count (decision 017): the default log page counts a whole tenant, millions of rows.
 */
export function countQuery(filter: EventFilter): { text: string; values: unknown[] } {
  const params = new SqlParams();
  const where = eventFilterConditions(filter, params);
  const rollupFields = filtersOnly(filter, ['tenant', 'types', 'status', 'from', 'to']);
  const plan = rollupFields
    ? planRollup(filter.from === undefined ? -Infinity : Date.parse(filter.from), filter.to === undefined ? Infinity : Date.parse(filter.to), ROLLUP_GRAINS)
    : undefined;
  if (!plan) return { text: `SELECT count(*) AS n FROM events e WHERE ${where.join(' AND ')}`, values: params.values };
  const types = filter.types?.length ? filter.types : undefined;
  const { status } = filter;
  const branches = rollupBranches(params, {
    tenant: filter.tenant,
    keyConditions: [
      ...(types ? [(alias: string) => `${alias}.type = ANY(${params.add(types, 'text[]')})`] : []),
      ...(status !== undefined ? [(alias: string) => `${alias}.status = ${params.add(status)}`] : []),
    ],
    eventWhere: where,
    plan,
    columns: () => [],
  });
  return { text: `SELECT COALESCE(sum(n), 0)::bigint AS n FROM (${branches.join(' UNION ALL ')}) counted`, values: params.values };
}
