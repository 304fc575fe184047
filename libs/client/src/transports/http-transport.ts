import type { PublishResult, StoredEvent } from '@eventlog/contracts';
import { errorOf, EventLogError, isErrorBody } from '../eventlog-error';
import { OutgoingEvent, PublishOutcome, QueryName, ReadConditions, Transport } from './transport';

type Fields = Record<string, unknown>;

type Method = 'GET' | 'POST' | 'DELETE';

/**
 * Each call's route: fields named in the path come out of the request; a GET or DELETE sends the
 * rest as the query string, a POST as its body.
 */
const ROUTES: Record<QueryName, { method: Method; path: (r: Fields) => string; pathFields?: string[] }> = {
  events: { method: 'GET', path: () => '/v1/events' },
  event: { method: 'GET', path: (r) => `/v1/events/${segment(r, 'id')}`, pathFields: ['id'] },
  stream: { method: 'GET', path: (r) => `/v1/streams/${segment(r, 'stream')}/events`, pathFields: ['stream'] },
  trace: { method: 'GET', path: (r) => `/v1/traces/${segment(r, 'requestId')}`, pathFields: ['requestId'] },
  traceNode: { method: 'GET', path: (r) => `/v1/traces/${segment(r, 'requestId')}/nodes/${segment(r, 'nodeId')}`, pathFields: ['requestId', 'nodeId'] },
  stats: { method: 'GET', path: () => '/v1/stats' },
  dsl: { method: 'POST', path: () => '/v1/query' },
  enroll: { method: 'POST', path: () => '/v1/enroll' },
  deleteStream: { method: 'DELETE', path: (r) => `/v1/streams/${segment(r, 'stream')}`, pathFields: ['stream'] },
};

/** The query API over HTTP (Node's fetch): the token as `Authorization: Bearer`. */
export class HttpTransport implements Transport {
  private readonly baseUrl: string;

  constructor(
    baseUrl: string,
    private readonly token: string | undefined,
    private readonly timeoutMs: number,
  ) {
    this.baseUrl = baseUrl.replace(/\/+$/, '');
  }

  async connect(): Promise<void> {}

  async close(): Promise<void> {}

  /** A call of the API; a read's conditions always travel in the query string (also beside a POST body). */
  async query<T>(name: QueryName, call: object, read: ReadConditions = {}): Promise<T> {
    const route = ROUTES[name];
    const request = call as Fields;
    const conditions = queryString({ ...read });
    if (route.method === 'POST') return (await this.call<T>('POST', route.path(request) + conditions, request)).body;
    const query = Object.fromEntries(Object.entries(request).filter(([k]) => !route.pathFields?.includes(k)));
    const reply = await this.call<T>(route.method, route.path(request) + queryString({ ...query, ...read }));
    return reply.body;
  }

  /** A call of a route served over HTTP only (the dead letters). */
  async request<T>(method: Method, path: string, query: object = {}, body?: object): Promise<T> {
    return (await this.call<T>(method, path + queryString({ ...query }), body)).body;
  }

  async publish(event: OutgoingEvent): Promise<PublishResult> {
    return (await this.call<PublishResult>('POST', '/v1/events', event)).body;
  }

  async publishAndWait(event: OutgoingEvent, waitMs: number): Promise<PublishOutcome> {
    // The server waits at most waitMs and answers 201 (persisted), 409 (rejected) or 202 (not yet).
    const reply = await this.call<StoredEvent & PublishResult>('POST', `/v1/events?wait=true&waitMs=${waitMs}`, event, this.timeoutMs + waitMs);
    return reply.status === 201 ? { kind: 'persisted', event: reply.body } : { kind: 'pending', result: reply.body };
  }

  private async call<T>(method: Method, path: string, body?: object, timeoutMs = this.timeoutMs): Promise<{ status: number; body: T }> {
    const headers: Record<string, string> = { accept: 'application/json' };
    if (body !== undefined) headers['content-type'] = 'application/json';
    if (this.token !== undefined) headers.authorization = `Bearer ${this.token}`;
    let res: Response;
    try {
      res = await fetch(this.baseUrl + path, { method, headers, body: body === undefined ? undefined : JSON.stringify(body), signal: AbortSignal.timeout(timeoutMs) });
    } catch (err) {
      if ((err as Error).name === 'TimeoutError') throw errorOf(504, `no answer from ${this.baseUrl}${path} within ${timeoutMs} ms`);
      throw errorOf(503, `${this.baseUrl} unreachable: ${(err as Error).message}`);
    }
    const text = await res.text();
    let json: unknown;
    try {
      json = text === '' ? undefined : JSON.parse(text);
    } catch {
      throw new EventLogError({ statusCode: res.status, error: res.statusText, message: `not JSON from ${path}: ${text.slice(0, 200)}`, details: [] });
    }
    // 204 (enroll: nothing to claim) has no body; the request topic answers JSON null.
    if (res.ok) return { status: res.status, body: (json ?? null) as T };
    throw new EventLogError(isErrorBody(json) ? json : { statusCode: res.status, error: res.statusText, message: text.slice(0, 200), details: [] });
  }
}

function segment(request: Fields, field: string): string {
  return encodeURIComponent(String(request[field] ?? ''));
}

/** Lists go as comma lists (the API's `type=A,B`), but `after` is repeated; undefined fields are left out. */
function queryString(query: Fields): string {
  const params = new URLSearchParams();
  for (const [k, v] of Object.entries(query)) {
    if (v === undefined) continue;
    if (k === 'after' && Array.isArray(v)) v.forEach((a) => params.append(k, String(a)));
    else params.set(k, Array.isArray(v) ? v.join(',') : String(v));
  }
  const text = params.toString();
  return text ? `?${text}` : '';
}
