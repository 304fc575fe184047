// The log's table: rows newest first, keyset paging, and live rows (and progress) from /v1/ws.
import { useEffect, useLayoutEffect, useRef, useState } from 'preact/hooks';
import { ApiEvent, useLoad } from './api';
import { followSocket } from './live-socket';
import { logHref, LogQuery } from './log-query';
import { LiveProgress, useProgress } from './progress';
import { Badge, Empty, eventHref, ErrorBox, fmtNum, fmtTime, Link, navigate, Spinner, streamHref, traceHref } from './ui';

export interface Page {
  totalCount: number | null;
  count: number;
  events: ApiEvent[];
  nextCursor: string | null;
}

// Cursors of the pages already visited, so "previous" can go back (keyset paging only goes forward).
export const visited = new Map<string, string | undefined>();
export const pageKey = (q: LogQuery, page: number) => `${logHref({ ...q, cursor: undefined, page: 1, live: false })}#${page}`;

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

export function LogTable({ q, page, onPage, set, win }: { q: LogQuery; page: ReturnType<typeof useLoad<Page>>; onPage: (cursor: string | undefined, n: number) => void; set: (p: Partial<LogQuery>) => void; win: { from?: number; to?: number } }) {
  const [live, setLive] = useState<ApiEvent[]>([]);
  const [paused, setPaused] = useState(false);
  const [held, setHeld] = useState<ApiEvent[]>([]);
  const [liveState, setLiveState] = useState('connecting');
  const [progress, addProgress] = useProgress();
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
    followSocket(
      { stream: q.filters.stream, streamPrefix: q.filters.streamPrefix, type: q.filters.type },
      {
        event: (e) => {
          if (!matches(e, q, win)) return;
          if (pausedRef.current) setHeld((h) => [e, ...h]);
          else setLive((l) => [e, ...l]);
        },
        notification: (n) => {
          if (!q.filters.requestId || n.requestId === q.filters.requestId) addProgress(n);
        },
        state: setLiveState,
      },
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
      {q.live && canLive && <LiveProgress items={progress} />}
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
