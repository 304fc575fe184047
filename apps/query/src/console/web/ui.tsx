// Routing under /ui, and the small pieces every page shares.
import type { ComponentChildren } from 'preact';
import { useEffect, useState } from 'preact/hooks';
import { ApiError } from './api';

// ---------- routing: real paths under /ui, so a copied link reproduces the view ----------
const routeListeners = new Set<() => void>();
export function navigate(href: string, replace = false) {
  if (href === location.pathname + location.search) return;
  history[replace ? 'replaceState' : 'pushState'](null, '', href);
  routeListeners.forEach((l) => l());
}
window.addEventListener('popstate', () => routeListeners.forEach((l) => l()));

export function useRoute(): { path: string; params: URLSearchParams } {
  const [, set] = useState(0);
  useEffect(() => {
    const l = () => set((n) => n + 1);
    routeListeners.add(l);
    return () => void routeListeners.delete(l);
  }, []);
  return { path: location.pathname, params: new URLSearchParams(location.search) };
}

/** Internal links navigate without a reload (modifier clicks still open a new tab). */
export function Link(props: { href: string; class?: string; children: ComponentChildren; title?: string }) {
  return (
    <a
      href={props.href}
      class={props.class}
      title={props.title}
      onClick={(e) => {
        if (e.button !== 0 || e.metaKey || e.ctrlKey || e.shiftKey || e.altKey) return;
        e.preventDefault();
        navigate(props.href);
      }}
    >
      {props.children}
    </a>
  );
}

export const enc = encodeURIComponent;
export const eventHref = (id: string) => `/ui/events/${enc(id)}`;
export const traceHref = (requestId: string, nodeId?: string | null) => `/ui/traces/${enc(requestId)}${nodeId ? `?node=${enc(nodeId)}` : ''}`;
export const streamHref = (stream: string, fromVersion?: number) => `/ui/streams/${enc(stream)}${fromVersion ? `?fromVersion=${fromVersion}&direction=forward` : ''}`;

// ---------- formatting ----------
/** UTC time with milliseconds, as the API gives it, made readable. */
export const fmtTime = (iso: string | null | undefined) => (iso ? iso.replace('T', ' ').replace('Z', '') : '—');
export const fmtNum = (n: number | null | undefined) => (n === null || n === undefined ? '—' : n.toLocaleString('en'));
export function fmtDuration(ms: number | null | undefined): string {
  if (ms === null || ms === undefined) return '—';
  if (ms < 1000) return `${ms} ms`;
  if (ms < 60_000) return `${(ms / 1000).toFixed(ms < 10_000 ? 2 : 1)} s`;
  if (ms < 3_600_000) return `${Math.floor(ms / 60_000)} min ${Math.round((ms % 60_000) / 1000)} s`;
  return `${(ms / 3_600_000).toFixed(1)} h`;
}

// ---------- shared components ----------
export const STATUS_CLASSES: Record<string, string> = {
  success: 'ok', normal: 'ok', fail: 'bad', abnormal: 'bad', aborted: 'warn',
  running: 'busy', waiting: 'wait', pending: 'wait',
};
export function Badge({ status }: { status?: string | null }) {
  if (!status) return <span class="badge none">—</span>;
  return <span class={`badge ${STATUS_CLASSES[status] ?? 'other'}`}>{status}</span>;
}

/** Shown only when a request takes over ~200 ms (the CSS delays it), so fast answers never flicker. */
export function Spinner({ label = 'Loading' }: { label?: string }) {
  return (
    <span class="spinner" role="status" aria-live="polite">
      <span class="dot" aria-hidden="true" /> {label}…
    </span>
  );
}

export function ErrorBox({ error, what }: { error: ApiError; what?: string }) {
  return (
    <div class="error" role="alert">
      <strong>{what ?? 'Could not load'}:</strong> {error.message}
      {error.details.length > 0 && (
        <ul>
          {error.details.map((d) => (
            <li>
              <code class="field">{d.field}</code>: {d.message}
            </li>
          ))}
        </ul>
      )}
    </div>
  );
}

export function Empty({ children }: { children: ComponentChildren }) {
  return <div class="empty">{children}</div>;
}

// ---------- JSON: folded, highlighted ----------
export function Json({ value, open = 2, name }: { value: unknown; open?: number; name?: string }) {
  const key = name !== undefined ? <span class="j-key">{JSON.stringify(name)}: </span> : null;
  if (value === null) return <div class="j-line">{key}<span class="j-null">null</span></div>;
  if (typeof value !== 'object') {
    const cls = typeof value === 'string' ? 'j-str' : typeof value === 'number' ? 'j-num' : 'j-bool';
    return <div class="j-line">{key}<span class={cls}>{JSON.stringify(value)}</span></div>;
  }
  const entries = Array.isArray(value) ? value.map((v, i) => [String(i), v] as const) : Object.entries(value as object);
  const [o, c] = Array.isArray(value) ? ['[', ']'] : ['{', '}'];
  if (entries.length === 0) return <div class="j-line">{key}{o}{c}</div>;
  return (
    <details class="j-node" open={open > 0}>
      <summary>
        {key}
        {o}
        <span class="j-count"> {entries.length} {Array.isArray(value) ? 'items' : 'keys'} </span>
      </summary>
      <div class="j-body">
        {entries.map(([k, v]) => (
          <Json value={v} open={open - 1} name={Array.isArray(value) ? undefined : k} />
        ))}
      </div>
      <div class="j-line">{c}</div>
    </details>
  );
}
