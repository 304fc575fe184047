import { escapeLike, SqlParams } from '../sql-params';
import { visibleEvent } from './visible-events';

/** The filters of a log query, already validated and normalised (times as RFC 3339 text). */
export interface EventFilter {
  tenant: string;
  stream?: string;
  streamPrefix?: string;
  types?: string[];
  status?: string;
  source?: string;
  requestId?: string;
  /** Case-insensitive substring of message. */
  q?: string;
  /** Inclusive bounds on occurred_at. */
  from?: string;
  to?: string;
}

/**
 * Whether a filter sets no field but those allowed. A rollup answers a filter only on the fields it
 * keeps; listing what is allowed means a filter field added later is counted from the events until
 * it is added to the list.
 */
export function filtersOnly(filter: EventFilter, allowed: readonly (keyof EventFilter)[]): boolean {
  return Object.entries(filter).every(([field, value]) => value === undefined || allowed.includes(field as keyof EventFilter));
}

/** WHERE conditions on `events e` for a filter, deleted streams' events left out; every value bound. */
export function eventFilterConditions(filter: EventFilter, params: SqlParams): string[] {
  const where = [`e.tenant = ${params.add(filter.tenant)}`, visibleEvent('e')];
  if (filter.stream !== undefined) where.push(`e.stream = ${params.add(filter.stream)}`);
  if (filter.streamPrefix !== undefined) where.push(`e.stream LIKE ${params.add(`${escapeLike(filter.streamPrefix)}%`)} ESCAPE '\\'`);
  if (filter.types?.length) where.push(`e.type = ANY(${params.add(filter.types, 'text[]')})`);
  if (filter.status !== undefined) where.push(`e.status = ${params.add(filter.status)}`);
  if (filter.source !== undefined) where.push(`e.source = ${params.add(filter.source)}`);
  if (filter.requestId !== undefined) where.push(`e.request_id = ${params.add(filter.requestId)}`);
  if (filter.q !== undefined) where.push(`e.message ILIKE ${params.add(`%${escapeLike(filter.q)}%`)} ESCAPE '\\'`);
  if (filter.from !== undefined) where.push(`e.occurred_at >= ${params.add(filter.from, 'timestamptz')}`);
  if (filter.to !== undefined) where.push(`e.occurred_at <= ${params.add(filter.to, 'timestamptz')}`);
  return where;
}
