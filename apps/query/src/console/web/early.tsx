// Requests the inline boot script (boot.tsx) starts while the bundle is still downloading, handed to
// the page that asks for the very same request, once. No Preact here: boot.tsx bundles this file.
import { authHeaders } from './session';

interface Early {
  /** Date.now() when the boot script ran: the log page's "now", so its window matches the requests'. */
  now: number;
  nowTaken?: boolean;
  requests: Map<string, Promise<Response>>;
}

declare global {
  interface Window {
    __eventlogEarly?: Early;
  }
}

/** An early request older than this is not used: the page asked for something else first. */
const FRESH_MS = 10_000;
const keyOf = (method: string, path: string, body: string | undefined) => `${method} ${path}\n${body ?? ''}`;

/** In the boot script: starts the requests and leaves them for the bundle. */
export function startEarly(now: number, requests: { path: string; body?: string }[]) {
  const started = new Map<string, Promise<Response>>();
  for (const r of requests) {
    const method = r.body === undefined ? 'GET' : 'POST';
    const headers = { accept: 'application/json', ...authHeaders(), ...(r.body !== undefined ? { 'content-type': 'application/json' } : {}) };
    const response = fetch(r.path, { method, headers, body: r.body });
    response.catch(() => undefined); // the page makes a failed request again (api.tsx)
    started.set(keyOf(method, r.path, r.body), response);
  }
  window.__eventlogEarly = { now, requests: started };
}

const fresh = () => {
  const early = window.__eventlogEarly;
  return early && Date.now() - early.now < FRESH_MS ? early : undefined;
};

/** The early answer to exactly this request, if one was started and not taken yet. */
export function takeEarly(method: string, path: string, body: string | undefined): Promise<Response> | undefined {
  const early = fresh();
  const key = keyOf(method, path, body);
  const response = early?.requests.get(key);
  early?.requests.delete(key);
  return response;
}

/** The boot script's clock, for the first log page only (later ones read their own). */
export function takeEarlyNow(): number | undefined {
  const early = fresh();
  if (!early || early.nowTaken) return undefined;
  early.nowTaken = true;
  return early.now;
}
