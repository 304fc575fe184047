import type { ApiErrorBody } from '@eventlog/contracts';

/**
 * A failed call, whichever transport carried it: the query API's error body (400, 401, 403, 404,
 * 409 with the rejection `code`, 503…), or 504 when no answer came in time.
 */
export class EventLogError extends Error {
  readonly statusCode: number;
  readonly error: string;
  readonly details: ApiErrorBody['details'];
  readonly code?: string;

  constructor(body: ApiErrorBody) {
    super(body.message);
    this.name = 'EventLogError';
    this.statusCode = body.statusCode;
    this.error = body.error;
    this.details = body.details ?? [];
    this.code = body.code;
  }
}

const REASONS: Record<number, string> = { 503: 'Service Unavailable', 504: 'Gateway Timeout' };

export const errorOf = (statusCode: 503 | 504, message: string, code?: string) =>
  new EventLogError({ statusCode, error: REASONS[statusCode], message, details: [], ...(code ? { code } : {}) });

/** An answer shaped like the API's error body (a Kafka reply's error, an HTTP error's JSON). */
export const isErrorBody = (value: unknown): value is ApiErrorBody =>
  typeof value === 'object' && value !== null && typeof (value as ApiErrorBody).statusCode === 'number' && typeof (value as ApiErrorBody).message === 'string';
