// What an operator opens first: totals, events per minute over the last hour, recent failures, lag.
import { useState } from 'preact/hooks';
import { api, ApiEvent, dslFrom, qs, useLoad } from './api';
import { CategoryChart, TimeChart } from './charts';
import { EventRows, toBuckets } from './log';
import { Empty, ErrorBox, fmtNum, fmtTime, Link, Spinner } from './ui';

interface Stats {
  tenant: string;
  totalCount: number;
  byType: Record<string, number>;
  byStatus: Record<string, number>;
  bySource: Record<string, number>;
  streamCount: number;
  firstOccurredAt: string | null;
  lastOccurredAt: string | null;
  ingestLag: { records: number | null; secondsSinceLastAppend: number | null; lastPosition: number | null };
}

const top = (m: Record<string, number>) => Object.entries(m).map(([label, value]) => ({ label: label === 'null' || label === '' ? '(none)' : label, value })).sort((a, b) => b.value - a.value);

export function OverviewPage() {
  const [now] = useState(() => Date.now());
  const hourAgo = new Date(now - 3600_000).toISOString();
  const stats = useLoad((signal) => api<Stats>(`/v1/stats${qs({})}`, { signal }), []);
  const perMinute = useLoad(async (signal) => {
    const res = await api<{ groups: { key: Record<string, unknown>; bucket: string; value: number }[] }>('/v1/query', {
      method: 'POST',
      signal,
      body: { from: dslFrom(), where: [{ field: 'occurredAt', operator: 'between', value: [hourAgo, new Date(now).toISOString()] }], reduce: { type: 'count', groupBy: ['status'], interval: '1m' }, limit: 10000 },
    });
    const keys = [...new Set(res.groups.map((g) => String(g.key.status ?? '(none)')))];
    return { buckets: toBuckets(res.groups, now - 3600_000, now, 60_000, (k) => String(k.status ?? '(none)')), keys, total: res.groups.reduce((s, g) => s + Number(g.value), 0) };
  }, []);
  const failures = useLoad((signal) => api<{ totalCount: number; events: ApiEvent[] }>(`/v1/events${qs({ status: 'fail', from: hourAgo, pageSize: 10 })}`, { signal }), []);
  const s = stats.data;
  return (
    <section aria-labelledby="overview-title">
      <h1 id="overview-title">Overview</h1>
      {stats.loading && <Spinner />}
      {stats.error && <ErrorBox error={stats.error} what="Stats" />}
      {s && (
        <div class="cards">
          <div class="card"><span class="card-label">Events</span><strong>{fmtNum(s.totalCount)}</strong></div>
          <div class="card"><span class="card-label">Streams</span><strong>{fmtNum(s.streamCount)}</strong></div>
          <div class="card"><span class="card-label">Newest event</span><strong class="small">{fmtTime(s.lastOccurredAt)}</strong></div>
          <div class={`card ${s.ingestLag.records ? 'warn' : ''}`}>
            <span class="card-label">Ingest lag</span>
            <strong>{s.ingestLag.records === null ? 'unknown' : `${fmtNum(s.ingestLag.records)} records`}</strong>
            <span class="muted">last append {s.ingestLag.secondsSinceLastAppend === null ? '—' : `${fmtNum(Math.round(s.ingestLag.secondsSinceLastAppend))} s ago`}</span>
          </div>
        </div>
      )}
      <h2>Events per minute, last hour {perMinute.data && <span class="muted">({fmtNum(perMinute.data.total)})</span>}</h2>
      {perMinute.error && <ErrorBox error={perMinute.error} what="Events per minute" />}
      {perMinute.data && <TimeChart buckets={perMinute.data.buckets} keys={perMinute.data.keys} label="Events per minute by status" />}
      {s && (
        <div class="two-col">
          <div>
            <h2>By status</h2>
            {top(s.byStatus).length ? <CategoryChart items={top(s.byStatus)} label="Events by status" byStatus /> : <Empty>No events yet.</Empty>}
          </div>
          <div>
            <h2>By type</h2>
            {top(s.byType).length ? <CategoryChart items={top(s.byType).slice(0, 15)} label="Events by type" /> : <Empty>No events yet.</Empty>}
          </div>
        </div>
      )}
      <h2>
        Failures in the last hour {failures.data && <span class="muted">({fmtNum(failures.data.totalCount)})</span>}{' '}
        <Link href={`/ui?status=fail&range=1h`}>open in the log</Link>
      </h2>
      {failures.error && <ErrorBox error={failures.error} what="Failures" />}
      {failures.data && (failures.data.events.length ? <EventRows rows={failures.data.events} /> : <Empty>No failures in the last hour.</Empty>)}
    </section>
  );
}
