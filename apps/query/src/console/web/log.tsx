// The log page: filters in the URL, a histogram stacked by status, the table, keyset paging, live.
import { useEffect, useLayoutEffect, useRef, useState } from 'preact/hooks';
import { api, ApiEvent, ApiError, authHeaders, dslFrom, qs, session, useLoad } from './api';
import { Bucket, TimeChart } from './charts';
import { Badge, Empty, ErrorBox, eventHref, fmtNum, fmtTime, Link, navigate, Spinner, streamHref, traceHref, useRoute } from './ui';

const PRESETS: Record<string, number> = { '15m': 15 * 60_000, '1h': 3600_000, '24h': 86400_000, '7d': 7 * 86400_000 };
const PRESET_LABELS: [string, string][] = [['all', 'any time'], ['15m', 'last 15 min'], ['1h', 'last 1 h'], ['24h', 'last 24 h'], ['7d', 'last 7 d'], ['custom', 'custom range']];
const FILTERS = ['stream', 'streamPrefix', 'type', 'status', 'source', 'requestId', 'q'] as const;
const KNOWN_STATUSES = ['pending', 'waiting', 'running', 'success', 'fail', 'aborted', 'normal', 'abnormal'];
const INTERVALS: [string, number][] = [['1m', 60], ['5m', 300], ['10m', 600], ['15m', 900], ['30m', 1800], ['1h', 3600], ['2h', 7200], ['3h', 10800], ['6h', 21600], ['12h', 43200], ['1d', 86400]];
const MAX_BARS = 60;
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

function parseTime(s: string | null): number | undefined {
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
function windowOf(q: LogQuery, now: number): { from?: number; to?: number } {
  if (PRESETS[q.range]) return { from: now - PRESETS[q.range], to: now };
  if (q.range === 'custom') return { from: q.from, to: q.to };
  return {};
}

interface Page {
  totalCount: number | null;
  count: number;
  events: ApiEvent[];
  nextCursor: string | null;
}

// Cursors of the pages already visited, so "previous" can go back (keyset paging only goes forward).
const visited = new Map<string, string | undefined>();
const pageKey = (q: LogQuery, page: number) => `${logHref({ ...q, cursor: undefined, page: 1, live: false })}#${page}`;

export function LogPage() {
  const { params } = useRoute();
  const q = readLogQuery(params);
  const [now, setNow] = useState(() => Date.now());
  const win = windowOf(q, now);
  const baseKey = logHref({ ...q, cursor: undefined, page: 1, live: false });
  const set = (patch: Partial<LogQuery>, replace = false) => navigate(logHref({ ...q, cursor: undefined, page: 1, ...patch }), replace);

  const query = {
    ...q.filters,
    from: win.from !== undefined ? new Date(win.from).toISOString() : undefined,
    to: win.to !== undefined ? new Date(win.to).toISOString() : undefined,
    sort: q.sort,
    order: q.order,
    pageSize: q.pageSize,
    cursor: q.cursor,
  };
  const page = useLoad<Page>((signal) => api<Page>(`/v1/events${qs(query)}`, { signal }), [baseKey, q.cursor, now]);
  visited.set(pageKey(q, q.page), q.cursor);

  return (
    <section aria-labelledby="log-title">
      <h1 id="log-title">Log</h1>
      <Filters q={q} set={set} refresh={() => setNow(Date.now())} />
      <Histogram q={q} win={win} now={now} baseKey={baseKey} onSelect={(from, to) => set({ range: 'custom', from, to })} />
      <LogTable q={q} page={page} onPage={(cursor, n) => navigate(logHref({ ...q, cursor, page: n }))} set={set} win={win} />
    </section>
  );
}

function Filters({ q, set, refresh }: { q: LogQuery; set: (p: Partial<LogQuery>, replace?: boolean) => void; refresh: () => void }) {
  const form = useRef<HTMLFormElement>(null);
  const toLocal = (ms?: number) => (ms === undefined ? '' : new Date(ms).toISOString().slice(0, 23));
  const submit = (e: Event) => {
    e.preventDefault();
    const fd = new FormData(form.current!);
    const filters: LogQuery['filters'] = {};
    for (const f of FILTERS) {
      const v = String(fd.get(f) ?? '').trim();
      if (v) filters[f] = v;
    }
    const range = String(fd.get('range') ?? '');
    const from = parseTime(fd.get('from') ? `${fd.get('from')}Z` : null);
    const to = parseTime(fd.get('to') ? `${fd.get('to')}Z` : null);
    set({ filters, range, from, to, sort: String(fd.get('sort')), order: String(fd.get('order')), pageSize: Number(fd.get('pageSize')) });
    refresh();
  };
  const field = (name: (typeof FILTERS)[number], label: string, placeholder = '', list?: string) => (
    <label>
      <span>{label}</span>
      <input name={name} value={q.filters[name] ?? ''} placeholder={placeholder} list={list} autocomplete="off" />
    </label>
  );
  return (
    <form class="filters" ref={form} onSubmit={submit} key={logHref(q)} aria-label="Log filters">
      {field('stream', 'Stream', 'order-42')}
      {field('streamPrefix', 'Stream prefix', 'order-')}
      {field('type', 'Type', 'A,B (comma list)')}
      {field('status', 'Status', 'any', 'statuses')}
      <datalist id="statuses">{KNOWN_STATUSES.map((s) => <option value={s} />)}</datalist>
      {field('source', 'Source')}
      {field('requestId', 'Request id')}
      {field('q', 'Message contains', 'text')}
      <label>
        <span>Time</span>
        <select name="range" value={q.range} onChange={(e) => (e.currentTarget.value !== 'custom' ? e.currentTarget.form!.requestSubmit() : set({ range: 'custom', from: q.from ?? Date.now() - 3600_000, to: q.to ?? Date.now() }))}>
          {PRESET_LABELS.map(([v, l]) => <option value={v}>{l}</option>)}
        </select>
      </label>
      {q.range === 'custom' && (
        <>
          <label>
            <span>From (UTC)</span>
            <input type="datetime-local" step="0.001" name="from" value={toLocal(q.from)} />
          </label>
          <label>
            <span>To (UTC)</span>
            <input type="datetime-local" step="0.001" name="to" value={toLocal(q.to)} />
          </label>
        </>
      )}
      <label>
        <span>Sort</span>
        <select name="sort" value={q.sort} onChange={(e) => e.currentTarget.form!.requestSubmit()}>
          <option value="occurredAt">occurred at</option>
          <option value="position">position</option>
          <option value="recordedAt">recorded at</option>
        </select>
      </label>
      <label>
        <span>Order</span>
        <select name="order" value={q.order} onChange={(e) => e.currentTarget.form!.requestSubmit()}>
          <option value="desc">newest first</option>
          <option value="asc">oldest first</option>
        </select>
      </label>
      <label>
        <span>Rows</span>
        <select name="pageSize" value={String(q.pageSize)} onChange={(e) => e.currentTarget.form!.requestSubmit()}>
          {[20, 50, 100, 200, 500].map((n) => <option value={String(n)}>{n}</option>)}
        </select>
      </label>
      <div class="filter-actions">
        <button type="submit" class="primary">Apply</button>
        <button type="button" onClick={() => navigate('/ui' + (session.tenant ? `?tenant=${encodeURIComponent(session.tenant)}` : ''))}>Clear</button>
      </div>
    </form>
  );
}

/** The DSL `where` of the log filters, so the histogram counts exactly what the table lists. */
function whereOf(q: LogQuery, win: { from?: number; to?: number }) {
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

/** Groups `{key:{status}, bucket, value}` into buckets from `from` to `to`, merged to at most MAX_BARS bars. */
export function toBuckets(groups: { key: Record<string, unknown>; bucket?: string; value: number }[], from: number, to: number, step: number, keyOf: (k: Record<string, unknown>) => string): Bucket[] {
  const start = Math.floor(from / step) * step;
  const n = Math.max(1, Math.floor((to - start) / step) + 1);
  const merge = Math.ceil(n / MAX_BARS);
  const buckets: Bucket[] = Array.from({ length: Math.ceil(n / merge) }, (_, i) => ({ start: start + i * merge * step, end: start + (i + 1) * merge * step, values: {} }));
  for (const g of groups) {
    const t = Date.parse(g.bucket ?? '');
    const i = Math.floor((t - start) / step / merge);
    const b = buckets[Math.min(buckets.length - 1, Math.max(0, i))];
    const k = keyOf(g.key);
    b.values[k] = (b.values[k] ?? 0) + Number(g.value);
  }
  return buckets;
}

function Histogram({ q, win, now, baseKey, onSelect }: { q: LogQuery; win: { from?: number; to?: number }; now: number; baseKey: string; onSelect: (from: number, to: number) => void }) {
  const hist = useLoad(
    async (signal) => {
      let { from, to } = win;
      // Without a window, the histogram spans the matching events: oldest to newest.
      if (from === undefined || to === undefined) {
        const edge = (order: string) =>
          api<Page>(`/v1/events${qs({ ...q.filters, from: from !== undefined ? new Date(from).toISOString() : undefined, to: to !== undefined ? new Date(to).toISOString() : undefined, sort: 'occurredAt', order, pageSize: 1, includeTotal: false })}`, { signal });
        const [first, last] = await Promise.all([from === undefined ? edge('asc') : null, to === undefined ? edge('desc') : null]);
        if (first && !first.events.length) return { buckets: [], keys: [], total: 0 };
        from ??= Date.parse(first!.events[0].occurredAt);
        to ??= Date.parse(last!.events[0]?.occurredAt ?? new Date(now).toISOString());
      }
      const [interval, step] = pickInterval(Math.max(60_000, to - from));
      const body = { from: dslFrom({ stream: q.filters.stream, streamPrefix: q.filters.streamPrefix }), where: whereOf(q, { from, to }), reduce: { type: 'count', groupBy: ['status'], interval }, limit: 10000 };
      const res = await api<{ groups: { key: { status: string | null }; bucket: string; value: number }[] }>('/v1/query', { method: 'POST', body, signal });
      const buckets = toBuckets(res.groups, from, to, step, (k) => (k.status as string | null) ?? '(none)');
      const keys = [...new Set(res.groups.map((g) => g.key.status ?? '(none)'))].sort((a, b) => order(a) - order(b));
      return { buckets, keys, total: res.groups.reduce((s, g) => s + Number(g.value), 0), interval };
    },
    [baseKey, now],
  );
  return (
    <div class="histogram" aria-busy={hist.loading}>
      <div class="histogram-head">
        <span>
          Events over time{hist.data?.interval ? ` (per ${hist.data.interval})` : ''}: <strong data-testid="histogram-total">{hist.data ? fmtNum(hist.data.total) : '…'}</strong>
        </span>
        {hist.loading && <Spinner label="Counting" />}
      </div>
      {hist.error ? (
        <ErrorBox error={hist.error} what="Histogram" />
      ) : hist.data && hist.data.buckets.length > 0 ? (
        <TimeChart buckets={hist.data.buckets} keys={hist.data.keys} label="Events per bucket by status" onSelect={onSelect} />
      ) : hist.data ? (
        <div class="chart-empty">No events to chart.</div>
      ) : (
        <div class="chart-placeholder" />
      )}
    </div>
  );
}
const STATUS_ORDER = ['fail', 'abnormal', 'aborted', 'running', 'waiting', 'pending', 'success', 'normal'];
const order = (s: string) => (STATUS_ORDER.indexOf(s) + 100) % 100;

function matches(e: ApiEvent, q: LogQuery, win: { from?: number; to?: number }): boolean {
  const f = q.filters;
  if (f.stream && e.stream !== f.stream) return false;
  if (f.streamPrefix && !e.stream.startsWith(f.streamPrefix)) return false;
  if (f.type && !f.type.split(',').map((t) => t.trim()).includes(e.type)) return false;
  if (f.status && e.status !== f.status) return false;
  if (f.source && e.source !== f.source) return false;
  if (f.requestId && e.requestId !== f.requestId) return false;
  if (f.q && !(e.message ?? '').toLowerCase().includes(f.q.toLowerCase())) return false;
  const t = Date.parse(e.occurredAt);
  if (win.from !== undefined && t < win.from) return false;
  if (q.range === 'custom' && win.to !== undefined && t > win.to) return false;
  return true;
}

/** Follows /v1/events/live (SSE over fetch, so the token travels as a header) until aborted. */
async function followLive(q: LogQuery, onEvent: (e: ApiEvent) => void, onState: (s: string) => void, signal: AbortSignal) {
  let lastId: string | undefined;
  while (!signal.aborted) {
    try {
      const res = await fetch(`/v1/events/live${qs({ stream: q.filters.stream, streamPrefix: q.filters.streamPrefix, type: q.filters.type })}`, {
        headers: { accept: 'text/event-stream', ...authHeaders(), ...(lastId ? { 'last-event-id': lastId } : {}) },
        signal,
      });
      if (!res.ok || !res.body) throw new ApiError(res.status, `live feed answered ${res.status}`);
      onState('connected');
      const reader = res.body.pipeThrough(new TextDecoderStream()).getReader();
      let buf = '';
      for (;;) {
        const { value, done } = await reader.read();
        if (done) break;
        buf += value;
        let cut: number;
        while ((cut = buf.indexOf('\n\n')) >= 0) {
          const block = buf.slice(0, cut);
          buf = buf.slice(cut + 2);
          let data = '', id: string | undefined, kind = 'message';
          for (const line of block.split('\n')) {
            if (line.startsWith('data:')) data += line.slice(5).trimStart();
            else if (line.startsWith('id:')) id = line.slice(3).trim();
            else if (line.startsWith('event:')) kind = line.slice(6).trim();
          }
          if (id) lastId = id;
          if (kind === 'message' && data) onEvent(JSON.parse(data) as ApiEvent);
        }
      }
    } catch (err) {
      if (signal.aborted) return;
      onState(`reconnecting (${(err as Error).message})`);
    }
    await new Promise((r) => setTimeout(r, 1000));
  }
}

function LogTable({ q, page, onPage, set, win }: { q: LogQuery; page: ReturnType<typeof useLoad<Page>>; onPage: (cursor: string | undefined, n: number) => void; set: (p: Partial<LogQuery>) => void; win: { from?: number; to?: number } }) {
  const [live, setLive] = useState<ApiEvent[]>([]);
  const [paused, setPaused] = useState(false);
  const [held, setHeld] = useState<ApiEvent[]>([]);
  const [liveState, setLiveState] = useState('connecting');
  const pausedRef = useRef(paused);
  pausedRef.current = paused;
  const canLive = q.page === 1 && q.order === 'desc' && q.sort !== 'recordedAt';
  const liveKey = logHref({ ...q, live: false });

  useEffect(() => {
    setLive([]);
    setHeld([]);
    if (!q.live || !canLive) return;
    const ctl = new AbortController();
    setLiveState('connecting');
    void followLive(
      q,
      (e) => {
        if (!matches(e, q, win)) return;
        if (pausedRef.current) setHeld((h) => [e, ...h]);
        else setLive((l) => [e, ...l]);
      },
      setLiveState,
      ctl.signal,
    );
    return () => ctl.abort();
  }, [q.live, liveKey]);

  // New rows at the top must not move what the reader is looking at: keep the scroll offset.
  const height = useRef(0);
  const tableRef = useRef<HTMLDivElement>(null);
  useLayoutEffect(() => {
    const el = document.scrollingElement!;
    const h = tableRef.current?.offsetHeight ?? 0;
    if (height.current && el.scrollTop > 0 && h > height.current) el.scrollTop += h - height.current;
    height.current = h;
  }, [live.length, page.data]);

  const seen = new Set(live.map((e) => e.id));
  const rows = [...live, ...(page.data?.events ?? []).filter((e) => !seen.has(e.id))];
  const total = page.data?.totalCount;
  const first = (q.page - 1) * q.pageSize + 1;
  const prevCursor = q.page > 1 ? visited.get(pageKey(q, q.page - 1)) : undefined;
  const prevKnown = q.page > 1 && visited.has(pageKey(q, q.page - 1));

  return (
    <div class="log-table" ref={tableRef}>
      <div class="table-bar">
        <span class="counts" data-testid="log-counts">
          {page.data ? (
            page.data.count === 0 && live.length === 0 ? (
              'No events'
            ) : (
              <>
                Events {fmtNum(first)}–{fmtNum(first + page.data.count - 1)} of <strong data-testid="log-total">{total === null || total === undefined ? 'many' : fmtNum(total + live.length)}</strong>
                {live.length > 0 && ` (${live.length} live)`}
              </>
            )
          ) : (
            ' '
          )}
        </span>
        {page.loading && <Spinner />}
        <span class="live-controls">
          <label class="toggle">
            <input type="checkbox" checked={q.live} disabled={!canLive} onChange={(e) => set({ live: e.currentTarget.checked, cursor: q.cursor, page: q.page })} /> Live
          </label>
          {q.live && canLive && (
            <>
              <button type="button" onClick={() => {
                if (paused) {
                  setLive((l) => [...held, ...l]);
                  setHeld([]);
                }
                setPaused(!paused);
              }} aria-pressed={paused}>
                {paused ? `Resume${held.length ? ` (${held.length} new)` : ''}` : 'Pause'}
              </button>
              <span class={`live-state ${paused ? 'paused' : liveState}`} data-testid="live-state">
                {paused ? `paused, ${held.length} received` : liveState}
              </span>
            </>
          )}
          {!canLive && <span class="hint">live follows the first page, newest first</span>}
        </span>
      </div>
      {page.error ? (
        <ErrorBox error={page.error} what="Events" />
      ) : page.data && rows.length === 0 ? (
        <Empty>
          No events match these filters{q.range !== 'all' ? ' in this time window' : ''}.{' '}
          {q.range !== 'all' && (
            <button type="button" onClick={() => set({ range: 'all' })}>
              Search any time
            </button>
          )}{' '}
          <button type="button" onClick={() => navigate('/ui?range=all')}>Clear the filters</button>
          <br />
          Events appear here once ingest has stored them.
        </Empty>
      ) : (
        <EventRows rows={rows} fresh={new Set(live.map((e) => e.id))} />
      )}
      <nav class="pager" aria-label="Pages">
        <button type="button" disabled={q.page === 1} onClick={() => onPage(undefined, 1)}>« First</button>
        <button type="button" disabled={!prevKnown} onClick={() => onPage(prevCursor, q.page - 1)}>‹ Previous</button>
        <span>Page {q.page}{total ? ` of ${fmtNum(Math.max(1, Math.ceil(total / q.pageSize)))}` : ''}</span>
        <button type="button" disabled={!page.data?.nextCursor} onClick={() => onPage(page.data!.nextCursor!, q.page + 1)}>Next ›</button>
      </nav>
    </div>
  );
}

/** The events table; arrow keys (or j/k) move between rows, Enter opens one. */
export function EventRows({ rows, fresh = new Set(), showStream = true }: { rows: ApiEvent[]; fresh?: Set<string>; showStream?: boolean }) {
  const body = useRef<HTMLTableSectionElement>(null);
  const onKey = (e: KeyboardEvent) => {
    const tr = (e.target as HTMLElement).closest('tr');
    if (!tr) return;
    const go = (next: Element | null) => {
      if (next instanceof HTMLElement) {
        e.preventDefault();
        next.focus();
      }
    };
    if (e.key === 'ArrowDown' || e.key === 'j') go(tr.nextElementSibling);
    else if (e.key === 'ArrowUp' || e.key === 'k') go(tr.previousElementSibling);
    else if (e.key === 'Home') go(body.current!.firstElementChild);
    else if (e.key === 'End') go(body.current!.lastElementChild);
    else if (e.key === 'Enter' && e.target === tr) {
      e.preventDefault();
      navigate(eventHref(tr.dataset.id!));
    }
  };
  return (
    <div class="table-scroll">
      <table class="events">
        <thead>
          <tr>
            <th scope="col">Time (UTC)</th>
            {showStream && <th scope="col">Stream</th>}
            <th scope="col">Type</th>
            <th scope="col">Status</th>
            <th scope="col" class="opt">Source</th>
            <th scope="col" class="opt">Request id</th>
            <th scope="col">Message</th>
          </tr>
        </thead>
        <tbody ref={body} onKeyDown={onKey}>
          {rows.map((e, i) => (
            <tr key={e.id} data-id={e.id} tabIndex={i === 0 ? 0 : -1} class={`${e.status === 'fail' || e.status === 'abnormal' ? 'failed ' : ''}${fresh.has(e.id) ? 'fresh' : ''}`} onFocus={(ev) => {
              body.current?.querySelectorAll('tr[tabindex="0"]').forEach((r) => r !== ev.currentTarget && r.setAttribute('tabindex', '-1'));
              ev.currentTarget.setAttribute('tabindex', '0');
            }}>
              <td class="time">
                <Link href={eventHref(e.id)} title={`event ${e.id}`}>{fmtTime(e.occurredAt)}</Link>
              </td>
              {showStream && <td class="stream"><Link href={streamHref(e.stream)}>{e.stream}</Link> <span class="muted">v{e.version}</span></td>}
              <td>{e.type}</td>
              <td><Badge status={e.status} /></td>
              <td class="opt">{e.source ?? ''}</td>
              <td class="opt">{e.requestId ? <Link href={traceHref(e.requestId, e.nodeId)}>{e.requestId}</Link> : ''}</td>
              <td class="message">{e.message ?? ''}</td>
            </tr>
          ))}
        </tbody>
      </table>
    </div>
  );
}
