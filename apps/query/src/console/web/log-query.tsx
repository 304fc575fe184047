// The log page's state as the URL holds it, and the requests it makes. No Preact here: the inline
// boot script (boot.tsx) starts the first page's requests with these same functions.
import { dslFrom, qs, session } from './session';

const PRESETS: Record<string, number> = { '15m': 15 * 60_000, '1h': 3600_000, '24h': 86400_000, '7d': 7 * 86400_000 };
export const PRESET_LABELS: [string, string][] = [['all', 'any time'], ['15m', 'last 15 min'], ['1h', 'last 1 h'], ['24h', 'last 24 h'], ['7d', 'last 7 d'], ['custom', 'custom range']];
export const FILTERS = ['stream', 'streamPrefix', 'type', 'status', 'source', 'requestId', 'q'] as const;
export const KNOWN_STATUSES = ['pending', 'waiting', 'running', 'success', 'fail', 'aborted', 'normal', 'abnormal'];
const INTERVALS: [string, number][] = [['1m', 60], ['5m', 300], ['10m', 600], ['15m', 900], ['30m', 1800], ['1h', 3600], ['2h', 7200], ['3h', 10800], ['6h', 21600], ['12h', 43200], ['1d', 86400]];
export const MAX_BARS = 60;
// A window by default, so the histogram of a log of millions counts a day, not all of it.
const DEFAULT_RANGE = '24h';

export interface LogQuery {
  filters: Partial<Record<(typeof FILTERS)[number], string>>;
  range: string;
  from?: number;
  to?: number;
  sort: string;
  order: string;
  pageSize: number;
  cursor?: string;
  page: number;
  live: boolean;
}

export function parseTime(s: string | null): number | undefined {
  if (!s) return undefined;
  const n = /^\d+$/.test(s) ? Number(s) : Date.parse(s);
  return Number.isFinite(n) ? n : undefined;
}

export function readLogQuery(params: URLSearchParams): LogQuery {
  const filters: LogQuery['filters'] = {};
  for (const f of FILTERS) {
    const v = params.get(f);
    if (v) filters[f] = v;
  }
  return {
    filters,
    range: params.get('range') ?? (params.get('from') || params.get('to') ? 'custom' : DEFAULT_RANGE),
    from: parseTime(params.get('from')),
    to: parseTime(params.get('to')),
    sort: params.get('sort') ?? 'occurredAt',
    order: params.get('order') ?? 'desc',
    pageSize: Math.min(1000, Math.max(1, Number(params.get('pageSize')) || 50)),
    cursor: params.get('cursor') ?? undefined,
    page: Math.max(1, Number(params.get('page')) || 1),
    live: params.get('live') === '1',
  };
}

export function logHref(q: LogQuery): string {
  const p = new URLSearchParams();
  if (session.tenant) p.set('tenant', session.tenant);
  for (const f of FILTERS) if (q.filters[f]) p.set(f, q.filters[f]!);
  if (q.range !== DEFAULT_RANGE) p.set('range', q.range);
  if (q.range === 'custom') {
    if (q.from !== undefined) p.set('from', new Date(q.from).toISOString());
    if (q.to !== undefined) p.set('to', new Date(q.to).toISOString());
  }
  if (q.sort !== 'occurredAt') p.set('sort', q.sort);
  if (q.order !== 'desc') p.set('order', q.order);
  if (q.pageSize !== 50) p.set('pageSize', String(q.pageSize));
  if (q.cursor) {
    p.set('cursor', q.cursor);
    p.set('page', String(q.page));
  }
  if (q.live) p.set('live', '1');
  const s = p.toString();
  return `/ui${s ? `?${s}` : ''}`;
}

/** The window in epoch ms: a preset ends now; a custom range is as given; none is unbounded. */
export function windowOf(q: LogQuery, now: number): { from?: number; to?: number } {
  if (PRESETS[q.range]) return { from: now - PRESETS[q.range], to: now };
  if (q.range === 'custom') return { from: q.from, to: q.to };
  return {};
}

/** The DSL `where` of the log filters, so the histogram counts exactly what the table lists. */
export function whereOf(q: LogQuery, win: { from?: number; to?: number }) {
  const where: { field: string; operator: string; value?: unknown }[] = [];
  const f = q.filters;
  if (f.type) {
    const types = f.type.split(',').map((t) => t.trim()).filter(Boolean);
    where.push(types.length === 1 ? { field: 'type', operator: 'eq', value: types[0] } : { field: 'type', operator: 'in', value: types });
  }
  if (f.status) where.push({ field: 'status', operator: 'eq', value: f.status });
  if (f.source) where.push({ field: 'source', operator: 'eq', value: f.source });
  if (f.requestId) where.push({ field: 'requestId', operator: 'eq', value: f.requestId });
  if (f.q) where.push({ field: 'message', operator: 'contains', value: f.q });
  if (win.from !== undefined && win.to !== undefined) where.push({ field: 'occurredAt', operator: 'between', value: [new Date(win.from).toISOString(), new Date(win.to).toISOString()] });
  else if (win.from !== undefined) where.push({ field: 'occurredAt', operator: 'gte', value: new Date(win.from).toISOString() });
  else if (win.to !== undefined) where.push({ field: 'occurredAt', operator: 'lte', value: new Date(win.to).toISOString() });
  return where;
}

export function pickInterval(spanMs: number): [string, number] {
  for (const [name, s] of INTERVALS) if (spanMs / (s * 1000) <= MAX_BARS) return [name, s * 1000];
  return INTERVALS[INTERVALS.length - 1].map((v, i) => (i ? (v as number) * 1000 : v)) as [string, number];
}

export type Window = { from?: number; to?: number };
const iso = (ms: number | undefined) => (ms !== undefined ? new Date(ms).toISOString() : undefined);

/** The path of the table's page of events. */
export function pagePath(q: LogQuery, win: Window): string {
  return `/v1/events${qs({ ...q.filters, from: iso(win.from), to: iso(win.to), sort: q.sort, order: q.order, pageSize: q.pageSize, cursor: q.cursor })}`;
}

/** The histogram's DSL query over [from, to]: a count by status per interval (a rollup read, decision 017). */
export function histogramBody(q: LogQuery, from: number, to: number): { body: string; step: number; interval: string } {
  const [interval, step] = pickInterval(Math.max(60_000, to - from));
  const query = { from: dslFrom({ stream: q.filters.stream, streamPrefix: q.filters.streamPrefix }), where: whereOf(q, { from, to }), reduce: { type: 'count', groupBy: ['status'], interval }, limit: 10000 };
  return { body: JSON.stringify(query), step, interval };
}
