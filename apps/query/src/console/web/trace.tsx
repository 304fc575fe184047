// A request's chain: a collapsible node tree beside a waterfall on one time axis, kept up to date
// from /v1/ws: new events of the chain reload it, and running nodes show their progress.
import { useEffect, useRef, useState } from 'preact/hooks';
import { api, ApiEvent, qs, useLoad } from './api';
import { followSocket } from './live-socket';
import { EventRows } from './log';
import { LiveProgress, ProgressBar, useProgress } from './progress';
import { Badge, ErrorBox, fmtDuration, fmtTime, navigate, Spinner, traceHref, useRoute } from './ui';

export interface TraceNode {
  nodeId: string;
  parentNodeId: string | null;
  status: string | null;
  startedAt: string;
  endedAt: string;
  events: ApiEvent[];
  children: TraceNode[];
}
export interface Trace {
  requestId: string;
  status: string;
  startedAt: string;
  endedAt: string;
  durationMs: number;
  eventCount: number;
  truncated?: boolean;
  events: ApiEvent[];
  nodes: TraceNode[];
}

const FAILED = new Set(['fail', 'abnormal', 'aborted']);
const ACTIVE = new Set(['running', 'waiting', 'pending']);
const failedWithin = (n: TraceNode): boolean => FAILED.has(n.status ?? '') || n.children.some(failedWithin);

export function TracePage({ requestId }: { requestId: string }) {
  const { params } = useRoute();
  const selected = params.get('node');
  const [collapsed, setCollapsed] = useState<Set<string>>(new Set());
  const trace = useLoad((signal) => api<Trace>(`/v1/traces/${encodeURIComponent(requestId)}${qs({})}`, { signal }), [requestId]);
  const t = trace.data;
  const [progress, addProgress] = useProgress(50);
  const [liveState, setLiveState] = useState('connecting');
  const reloadSoon = useRef<ReturnType<typeof setTimeout>>();
  const reload = useRef(trace.reload);
  reload.current = trace.reload;
  useEffect(() => {
    const ctl = new AbortController();
    followSocket(
      {},
      {
        event: (e) => {
          if (e.requestId !== requestId) return;
          // A burst of the chain's events reloads it once.
          clearTimeout(reloadSoon.current);
          reloadSoon.current = setTimeout(() => reload.current(), 300);
        },
        notification: (n) => n.requestId === requestId && addProgress(n),
        state: setLiveState,
      },
      ctl.signal,
    );
    return () => {
      ctl.abort();
      clearTimeout(reloadSoon.current);
    };
  }, [requestId]);
  const progressOf = new Map(progress.filter((n) => n.nodeId).map((n) => [n.nodeId!, n]));
  const rows: { node: TraceNode; depth: number }[] = [];
  const walk = (n: TraceNode, depth: number) => {
    rows.push({ node: n, depth });
    if (!collapsed.has(n.nodeId)) n.children.forEach((c) => walk(c, depth + 1));
  };
  t?.nodes.forEach((n) => walk(n, 0));
  const t0 = t ? Date.parse(t.startedAt) : 0;
  const span = t ? Math.max(1, Date.parse(t.endedAt) - t0) : 1;
  const pct = (iso: string) => ((Date.parse(iso) - t0) / span) * 100;
  const toggle = (id: string) => {
    const next = new Set(collapsed);
    if (next.has(id)) next.delete(id);
    else next.add(id);
    setCollapsed(next);
  };
  const select = (id: string) => navigate(traceHref(requestId, selected === id ? null : id), true);

  return (
    <section aria-labelledby="trace-title">
      <h1 id="trace-title">
        Trace <code>{requestId}</code>
      </h1>
      {trace.loading && <Spinner />}
      {trace.error && <ErrorBox error={trace.error} what="Trace" />}
      {t && (
        <>
          <div class="trace-head">
            <span>
              Status <Badge status={t.status} /> <span class="sr-only" data-testid="trace-status">{t.status}</span>
            </span>
            <span>Total duration <strong data-testid="trace-duration">{fmtDuration(t.durationMs)}</strong></span>
            <span>{t.eventCount} events in {countNodes(t.nodes)} nodes</span>
            <span class="muted">{fmtTime(t.startedAt)} → {fmtTime(t.endedAt)} UTC</span>
            <span class={`live-state ${liveState}`} data-testid="live-state" title="new events and progress arrive over /v1/ws">live: {liveState}</span>
            {t.truncated && <span class="warn-text">only the first {t.events.length} events are shown</span>}
          </div>
          <LiveProgress items={progress.filter((n) => !n.nodeId || !hasNode(t.nodes, n.nodeId))} />
          <div class="table-scroll">
            <table class="trace" aria-label="Chain nodes and their timing">
              <thead>
                <tr>
                  <th scope="col">Node</th>
                  <th scope="col">Type</th>
                  <th scope="col">Status</th>
                  <th scope="col" class="opt">Started (UTC)</th>
                  <th scope="col">Duration</th>
                  <th scope="col" class="waterfall-col">
                    <span class="axis-labels"><span>0</span><span>{fmtDuration(Math.round(span / 2))}</span><span>{fmtDuration(span)}</span></span>
                  </th>
                </tr>
              </thead>
              <tbody>
                {rows.map(({ node: n, depth }) => {
                  const failed = FAILED.has(n.status ?? '');
                  const active = ACTIVE.has(n.status ?? '');
                  const latest = n.events[n.events.length - 1];
                  const left = pct(n.startedAt);
                  // A node still running or waiting is open to the end of the trace (striped).
                  const width = Math.max(0.4, (active ? 100 : pct(n.endedAt)) - left);
                  return (
                    <tr
                      key={n.nodeId}
                      data-node={n.nodeId}
                      data-status={n.status ?? ''}
                      class={`${failed ? "failed" : ""} ${active ? "active" : ""} ${n.status === "waiting" || n.status === "pending" ? "waiting" : ""} ${selected === n.nodeId ? 'selected' : ''} ${!failed && failedWithin(n) ? 'failed-below' : ''}`}
                      aria-selected={selected === n.nodeId}
                      tabIndex={0}
                      onClick={() => select(n.nodeId)}
                      onKeyDown={(e) => {
                        if (e.key === 'Enter' || e.key === ' ') {
                          e.preventDefault();
                          select(n.nodeId);
                        } else if ((e.key === 'ArrowLeft' && !collapsed.has(n.nodeId)) || (e.key === 'ArrowRight' && collapsed.has(n.nodeId))) {
                          if (n.children.length) toggle(n.nodeId);
                        } else if (e.key === 'ArrowDown' || e.key === 'ArrowUp') {
                          e.preventDefault();
                          const tr = e.currentTarget as HTMLElement;
                          ((e.key === 'ArrowDown' ? tr.nextElementSibling : tr.previousElementSibling) as HTMLElement | null)?.focus();
                        }
                      }}
                    >
                      <td class="node-cell">
                        <span style={{ paddingLeft: `${depth * 1.1}rem` }} class="node-indent">
                          {n.children.length ? (
                            <button
                              type="button"
                              class="twisty"
                              aria-expanded={!collapsed.has(n.nodeId)}
                              aria-label={`${collapsed.has(n.nodeId) ? 'Expand' : 'Collapse'} ${n.nodeId}`}
                              onClick={(e) => {
                                e.stopPropagation();
                                toggle(n.nodeId);
                              }}
                            >
                              {collapsed.has(n.nodeId) ? '▸' : '▾'}
                            </button>
                          ) : (
                            <span class="twisty-space" />
                          )}
                          <code>{n.nodeId}</code>
                          {failed && <span class="fail-mark" title="this node failed"> ✖</span>}
                        </span>
                      </td>
                      <td>{latest?.type ?? ''}</td>
                      <td>
                        <Badge status={n.status} />
                        {progressOf.has(n.nodeId) && (active || !n.status) && (
                          <span class="trace-progress">
                            <ProgressBar n={progressOf.get(n.nodeId)!} />
                          </span>
                        )}
                      </td>
                      <td class="opt time">{fmtTime(n.startedAt).slice(11)}</td>
                      <td>{active ? <span class="muted" title="not finished: time since it started, up to the trace's last event">≥ {fmtDuration(Date.parse(t.endedAt) - Date.parse(n.startedAt))}</span> : fmtDuration(Date.parse(n.endedAt) - Date.parse(n.startedAt))}</td>
                      <td class="waterfall-col">
                        <div class="lane">
                          <span class={`span ${failed ? "bad" : n.status === "running" ? "busy" : active ? "busy wait" : n.status ? "ok" : "none"}`} style={{ left: `${left}%`, width: `${width}%` }} />
                          {n.events.map((e) => <i class="tick" style={{ left: `${pct(e.occurredAt)}%` }} title={`${e.type} ${e.status ?? ''}`} />)}
                        </div>
                      </td>
                    </tr>
                  );
                })}
              </tbody>
            </table>
          </div>
          <p class="hint">Select a node (click, or Enter) for its subtree and events; ←/→ fold and unfold.</p>
          {selected && <NodeDetail requestId={requestId} nodeId={selected} />}
        </>
      )}
    </section>
  );
}

const hasNode = (nodes: TraceNode[], id: string): boolean => nodes.some((n) => n.nodeId === id || hasNode(n.children, id));
const countNodes = (nodes: TraceNode[]): number => nodes.reduce((s, n) => s + 1 + countNodes(n.children), 0);

function NodeDetail({ requestId, nodeId }: { requestId: string; nodeId: string }) {
  const sub = useLoad((signal) => api<Trace>(`/v1/traces/${encodeURIComponent(requestId)}/nodes/${encodeURIComponent(nodeId)}${qs({})}`, { signal }), [requestId, nodeId]);
  return (
    <div class="node-detail" data-testid="node-detail">
      <h2>
        Node <code>{nodeId}</code> and its subtree
      </h2>
      {sub.loading && <Spinner />}
      {sub.error && <ErrorBox error={sub.error} what="Node" />}
      {sub.data && (
        <>
          <p>
            Status <Badge status={sub.data.status} /> · {sub.data.eventCount} events in {countNodes(sub.data.nodes)} nodes · {fmtDuration(sub.data.durationMs)}
          </p>
          <EventRows rows={sub.data.events} />
        </>
      )}
    </div>
  );
}
