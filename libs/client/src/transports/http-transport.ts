import type { PublishResult, StoredEvent } from '@eventlog/contracts';
import { errorOf, EventLogError, isErrorBody } from '../eventlog-error';
import { OutgoingEvent, PublishOutcome, QueryName, Transport } from './transport';

type Fields = Record<string, unknown>;

/** Each query's route: path parameters come out of the request, the rest is the query string. */
const ROUTES: Record<Exclude<QueryName, 'dsl'>, (r: Fields) => string> = {
  events: () => '/v1/events',
  event: (r) => `/v1/events/${segment(r, 'id')}`,
  stream: (r) => `/v1/streams/${segment(r, 'stream')}/events`,
  trace: (r) => `/v1/traces/${segment(r, 'requestId')}`,
  traceNode: (r) => `/v1/traces/${segment(r, 'requestId')}/nodes/${segment(r, 'nodeId')}`,
  stats: () => '/v1/stats',
};
const PATH_FIELDS = new Set(['id', 'stream', 'requestId', 'nodeId']);

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

  query<T>(name: QueryName, request: Fields): Promise<T> {
    if (name === 'dsl') return this.call<T>('POST', '/v1/query', request).then((r) => r.body);
    const query = Object.fromEntries(Object.entries(request).filter(([k]) => name === 'events' || name === 'stats' || !PATH_FIELDS.has(k)));
    return this.call<T>('GET', ROUTES[name](request) + queryString(query)).then((r) => r.body);
  }

  async publish(event: OutgoingEvent): Promise<PublishResult> {
    return (await this.call<PublishResult>('POST', '/v1/events', event)).body;
  }

  async publishAndWait(event: OutgoingEvent, waitMs: number): Promise<PublishOutcome> {
    // The server waits at most waitMs and answers 201 (persisted), 409 (rejected) or 202 (not yet).
    const reply = await this.call<StoredEvent & PublishResult>('POST', `/v1/events?wait=true&waitMs=${waitMs}`, event, this.timeoutMs + waitMs);
    return reply.status === 201 ? { kind: 'persisted', event: reply.body } : { kind: 'pending', result: reply.body };
  }

  private async call<T>(method: 'GET' | 'POST', path: string, body?: object, timeoutMs = this.timeoutMs): Promise<{ status: number; body: T }> {
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
    if (res.ok) return { status: res.status, body: json as T };
    throw new EventLogError(isErrorBody(json) ? json : { statusCode: res.status, error: res.statusText, message: text.slice(0, 200), details: [] });
  }
}

function segment(request: Fields, field: string): string {
  return encodeURIComponent(String(request[field] ?? ''));
}

/** Lists go as comma lists (the API's `type=A,B`); undefined fields are left out. */
function queryString(query: Fields): string {
  const params = new URLSearchParams();
  for (const [k, v] of Object.entries(query)) {
    if (v !== undefined) params.set(k, Array.isArray(v) ? v.join(',') : String(v));
  }
  const text = params.toString();
  return text ? `?${text}` : '';
}
