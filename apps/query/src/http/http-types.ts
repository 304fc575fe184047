import { ServerResponse } from 'node:http';

/** The few Fastify request/reply members the app touches (kept narrow, so handlers stay testable). */
export interface HttpRequest {
  method: string;
  /** The matched route's template, e.g. /v1/events/:id. */
  routeOptions?: { url?: string };
}

export interface HttpResponse {
  statusCode: number;
  status(code: number): HttpResponse;
  /** The Node response underneath. */
  raw: ServerResponse;
}
