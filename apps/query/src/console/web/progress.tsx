// Progress of running nodes, from fire-and-forget notifications (POST /v1/notify): never stored, so
// shown only while the page is open.
import { useState } from 'preact/hooks';
import type { Notification } from './live-socket';
import { Link, traceHref } from './ui';

const keyOf = (n: Notification) => `${n.requestId ?? ''}\u0000${n.nodeId ?? n.stream ?? ''}`;

/** The latest notification of each (request, node), newest first, at most `max`. */
export function useProgress(max = 8): [Notification[], (n: Notification) => void] {
  const [items, setItems] = useState<Notification[]>([]);
  const add = (n: Notification) => setItems((list) => [n, ...list.filter((i) => keyOf(i) !== keyOf(n))].slice(0, max));
  return [items, add];
}

export function ProgressBar({ n }: { n: Notification }) {
  const pct = n.progress === null ? null : Math.round(n.progress);
  return (
    <span class="progress" data-testid="progress" data-node={n.nodeId ?? ''}>
      {pct !== null && (
        <span class="progress-track" role="progressbar" aria-valuemin={0} aria-valuemax={100} aria-valuenow={pct} aria-label={`${n.nodeId ?? n.stream ?? 'progress'} ${pct}%`}>
          <span class="progress-fill" style={{ width: `${pct}%` }} />
        </span>
      )}
      {pct !== null && <span class="progress-pct">{pct}%</span>}
      {n.message && <span class="progress-message">{n.message}</span>}
    </span>
  );
}

/** The log page's live panel: what is running and how far it has got. */
export function LiveProgress({ items }: { items: Notification[] }) {
  if (!items.length) return null;
  return (
    <ul class="live-progress" aria-label="Progress of running nodes" data-testid="live-progress">
      {items.map((n) => (
        <li key={keyOf(n)}>
          <span class="progress-who">
            {n.requestId ? <Link href={traceHref(n.requestId, n.nodeId)}>{n.requestId}</Link> : <span class="muted">{n.stream ?? n.type}</span>}
            {n.nodeId && <code> {n.nodeId}</code>}
          </span>
          <ProgressBar n={n} />
        </li>
      ))}
    </ul>
  );
}
