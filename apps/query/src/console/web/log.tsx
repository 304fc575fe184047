// The log page: filters in the URL, a histogram stacked by status, the table, keyset paging, live.
import { useRef, useState } from 'preact/hooks';
import { api, qs, session, useLoad } from './api';
import { Bucket, TimeChart, useWidth } from './charts';
import { takeEarlyNow } from './early';
import { LogTable, Page, pageKey, visited } from './log-table';
import { PublishForm } from './publish';
import { FILTERS, histogramBody, KNOWN_STATUSES, logHref, LogQuery, MAX_BARS, pagePath, parseTime, PRESET_LABELS, readLogQuery, windowOf } from './log-query';
import { ErrorBox, fmtNum, navigate, Spinner, useRoute } from './ui';

export { EventRows } from './log-table';
export { logHref, pickInterval, readLogQuery } from './log-query';
export type { LogQuery } from './log-query';


export function LogPage() {
  const { params } = useRoute();
  const q = readLogQuery(params);
  // The boot script's clock on the first load, so that its early requests are the page's own.
  const [now, setNow] = useState(() => takeEarlyNow() ?? Date.now());
  const win = windowOf(q, now);
  const baseKey = logHref({ ...q, cursor: undefined, page: 1, live: false });
  const set = (patch: Partial<LogQuery>, replace = false) => navigate(logHref({ ...q, cursor: undefined, page: 1, ...patch }), replace);

  const page = useLoad<Page>((signal) => api<Page>(pagePath(q, win), { signal }), [baseKey, q.cursor, now]);
  visited.set(pageKey(q, q.page), q.cursor);

  return (
    <section aria-labelledby="log-title">
      <h1 id="log-title">Log</h1>
      <Filters q={q} set={set} refresh={() => setNow(Date.now())} />
      <PublishForm onPublished={() => setNow(Date.now())} />
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
      const { body, step, interval } = histogramBody(q, from, to);
      const res = await api<{ groups: { key: { status: string | null }; bucket: string; value: number }[] }>('/v1/query', { method: 'POST', body, signal });
      const buckets = toBuckets(res.groups, from, to, step, (k) => (k.status as string | null) ?? '(none)');
      const keys = [...new Set(res.groups.map((g) => g.key.status ?? '(none)'))].sort((a, b) => order(a) - order(b));
      return { buckets, keys, total: res.groups.reduce((s, g) => s + Number(g.value), 0), interval };
    },
    [baseKey, now],
  );
  // Measured while the counts are on their way, so the chart is drawn once, at its width.
  const [body, width] = useWidth();
  return (
    <div class="histogram" aria-busy={hist.loading}>
      <div class="histogram-head">
        <span>
          Events over time{hist.data?.interval ? ` (per ${hist.data.interval})` : ''}: <strong data-testid="histogram-total">{hist.data ? fmtNum(hist.data.total) : '…'}</strong>
        </span>
        {hist.loading && <Spinner label="Counting" />}
      </div>
      <div ref={body}>
        {hist.error ? (
          <ErrorBox error={hist.error} what="Histogram" />
        ) : hist.data && hist.data.buckets.length > 0 ? (
          <TimeChart buckets={hist.data.buckets} keys={hist.data.keys} label="Events per bucket by status" onSelect={onSelect} width={width} />
        ) : hist.data ? (
          <div class="chart-empty">No events to chart.</div>
        ) : (
          <div class="chart-placeholder" />
        )}
      </div>
    </div>
  );
}
const STATUS_ORDER = ['fail', 'abnormal', 'aborted', 'running', 'waiting', 'pending', 'success', 'normal'];
const order = (s: string) => (STATUS_ORDER.indexOf(s) + 100) % 100;

