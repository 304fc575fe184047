// The console's only way to the server: the public /v1 API, with the session's token and tenant.
import { useEffect, useState } from 'preact/hooks';
import { authHeaders, session, TENANT_KEY, TENANTS_KEY, TOKEN_KEY, write } from './session';
import { takeEarly } from './early';

export { authHeaders, dslFrom, qs, session } from './session';

export interface ApiEvent {
  id: string;
  tenant: string;
  stream: string;
  version: number;
  position: number;
  type: string;
  data: Record<string, unknown>;
  metadata: Record<string, unknown>;
  source?: string | null;
  status?: string | null;
  message?: string | null;
  requestId?: string | null;
  nodeId?: string | null;
  parentNodeId?: string | null;
  occurredAt: string;
  recordedAt: string;
  kafka: { topic: string; partition: number; offset: string | number } | null;
}

export interface Detail {
  field: string;
  message: string;
}

export class ApiError extends Error {
  constructor(
    readonly status: number,
    message: string,
    readonly details: Detail[] = [],
  ) {
    super(message);
  }
}

const listeners = new Set<() => void>();
const changed = () => listeners.forEach((l) => l());
/** Re-renders the caller whenever the session (token prompt, tenant) changes. */
export function useSession() {
  const [, set] = useState(0);
  useEffect(() => {
    const l = () => set((n) => n + 1);
    listeners.add(l);
    return () => void listeners.delete(l);
  }, []);
  return session;
}

export function setTenant(tenant: string) {
  session.tenant = tenant.trim();
  write(localStorage, TENANT_KEY, session.tenant || null);
  rememberTenant(session.tenant);
  changed();
}

export function rememberTenant(tenant: string) {
  if (!tenant || session.tenants.includes(tenant)) return;
  session.tenants = [...session.tenants, tenant].sort();
  write(localStorage, TENANTS_KEY, JSON.stringify(session.tenants));
  changed();
}

let tokenWait: { promise: Promise<void>; resolve: () => void } | null = null;

/** One prompt for every request that met a 401 at the same time; all retry once it is answered. */
function askForToken(message: string): Promise<void> {
  if (!tokenWait) {
    let resolve!: () => void;
    const promise = new Promise<void>((r) => (resolve = r));
    tokenWait = { promise, resolve };
  }
  session.prompt = { message };
  changed();
  return tokenWait.promise;
}

export function submitToken(token: string) {
  session.token = token.trim() || null;
  write(sessionStorage, TOKEN_KEY, session.token);
  session.prompt = null;
  const wait = tokenWait;
  tokenWait = null;
  changed();
  wait?.resolve();
}

export function forgetToken() {
  session.token = null;
  write(sessionStorage, TOKEN_KEY, null);
  changed();
}

/**
 * Coordinates (`<topic>:<partition>:<offset>`) of events this console published that no read has
 * yet come back with: every read carries them as `after=`, so the query app answers only once
 * ingest has stored them and the new event shows at once. A read that succeeded with them proves
 * them durable for every later read, so they are dropped then.
 */
const unreadWrites = new Set<string>();
export const noteWritten = (coordinates: string) => void unreadWrites.add(coordinates);

/** The reads of the API: GETs under /v1 (not the live feed, which follows anyway) and the DSL. */
const isRead = (method: string, path: string) => (method === 'GET' && path.startsWith('/v1/') && !path.startsWith('/v1/events/live')) || (method === 'POST' && path.startsWith('/v1/query'));

function withAfter(path: string, after: string[]): string {
  if (after.length === 0) return path;
  return path + (path.includes('?') ? '&' : '?') + after.map((a) => `after=${encodeURIComponent(a)}`).join('&');
}

export async function api<T>(path: string, init: { method?: string; body?: unknown; signal?: AbortSignal } = {}): Promise<T> {
  const method = init.method ?? 'GET';
  const after = isRead(method, path) ? [...unreadWrites] : [];
  const answer = await send<T>(withAfter(path, after), init);
  after.forEach((a) => unreadWrites.delete(a));
  return answer;
}

async function send<T>(path: string, init: { method?: string; body?: unknown; signal?: AbortSignal }): Promise<T> {
  for (;;) {
    let res: Response;
    const method = init.method ?? 'GET';
    const body = init.body === undefined ? undefined : typeof init.body === 'string' ? init.body : JSON.stringify(init.body);
    try {
      const request = () =>
        fetch(path, { method, signal: init.signal, headers: { accept: 'application/json', ...authHeaders(), ...(body !== undefined ? { 'content-type': 'application/json' } : {}) }, body });
      // The first page's requests may already be under way, started by the boot script; one that
      // failed is made again.
      res = await (takeEarly(method, path, body)?.catch(request) ?? request());
    } catch (err) {
      if ((err as Error).name === 'AbortError') throw err;
      throw new ApiError(0, 'The query API could not be reached (is the query app running?).');
    }
    const answer = await res.json().catch(() => null);
    if (res.status === 401) {
      const message = session.token ? 'The token was refused. Enter a valid access token.' : 'This eventlog requires an access token.';
      await askForToken(message);
      continue;
    }
    if (!res.ok) throw new ApiError(res.status, describe(res.status, answer), answer?.details ?? []);
    noteTenants(answer);
    return answer as T;
  }
}

function noteTenants(body: unknown) {
  const b = body as { events?: { tenant?: string }[]; tenant?: string } | null;
  const t = b?.tenant ?? b?.events?.[0]?.tenant;
  if (typeof t === 'string' && !session.seen.has(t)) {
    session.seen.add(t);
    rememberTenant(t);
  }
}

function describe(status: number, body: { message?: string | string[] } | null): string {
  const text = Array.isArray(body?.message) ? body!.message.join('; ') : body?.message;
  switch (status) {
    case 400:
      return `The API refused the request: ${text ?? 'invalid input'}.`;
    case 403:
      return `Not allowed: ${text ?? 'this token does not grant that tenant or scope'}.`;
    case 404:
      return `Not found: ${text ?? 'no such item'}.`;
    case 429:
      return 'Too many requests for this token; wait a minute and retry.';
    case 503:
      return `The API is unavailable: ${text ?? 'a dependency (Postgres or Kafka) is down'}.`;
    case 504:
      return `Ingest has not stored the published event yet (is ingest running?): ${text ?? 'timed out'}.`;
    default:
      return `The API answered ${status}${text ? `: ${text}` : ''}.`;
  }
}

export interface Loaded<T> {
  data?: T;
  error?: ApiError;
  loading: boolean;
  reload: () => void;
}

/** Runs `load` whenever `deps` change (cancelling the previous one); the latest answer wins. */
export function useLoad<T>(load: (signal: AbortSignal) => Promise<T>, deps: unknown[]): Loaded<T> {
  const [state, setState] = useState<{ data?: T; error?: ApiError; loading: boolean }>({ loading: true });
  const [nonce, setNonce] = useState(0);
  useEffect(() => {
    const ctl = new AbortController();
    setState((s) => ({ data: s.data, loading: true }));
    load(ctl.signal).then(
      (data) => !ctl.signal.aborted && setState({ data, loading: false }),
      (error) => !ctl.signal.aborted && setState({ error: error instanceof ApiError ? error : new ApiError(0, String(error?.message ?? error)), loading: false }),
    );
    return () => ctl.abort();
  }, [...deps, nonce, session.tenant, session.token]);
  return { ...state, reload: () => setNonce((n) => n + 1) };
}
