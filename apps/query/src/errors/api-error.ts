import { HttpException, HttpStatus } from '@nestjs/common';
import { RpcException } from '@nestjs/microservices';
import { ValidationError } from 'class-validator';
import { ApiErrorBody, ApiErrorDetail, InvalidQueryError } from '@eventlog/contracts';

const REASONS: Record<number, string> = {
  400: 'Bad Request',
  401: 'Unauthorized',
  403: 'Forbidden',
  404: 'Not Found',
  409: 'Conflict',
  410: 'Gone',
  413: 'Payload Too Large',
  429: 'Too Many Requests',
  500: 'Internal Server Error',
  503: 'Service Unavailable',
  504: 'Gateway Timeout',
};

export function errorBody(statusCode: number, message: string, details: ApiErrorDetail[] = [], extra: Partial<ApiErrorBody> = {}): ApiErrorBody {
  return { statusCode, error: REASONS[statusCode] ?? HttpStatus[statusCode] ?? 'Error', message, details, ...extra };
}

/** An error already in the contract's shape; thrown by pipes and services, answered as is. */
export class ApiError extends HttpException {
  constructor(readonly body: ApiErrorBody) {
    super(body, body.statusCode);
  }

  static notFound(message: string): ApiError {
    return new ApiError(errorBody(404, message));
  }
}

/** class-validator errors → details naming each field by its path (where[0].operator). */
export function validationDetails(errors: ValidationError[], parent = ''): ApiErrorDetail[] {
  return errors.flatMap((e) => {
    const path = !parent ? e.property : /^\d+$/.test(e.property) ? `${parent}[${e.property}]` : `${parent}.${e.property}`;
    const own = Object.values(e.constraints ?? {}).map((m) => ({
      field: path || 'body',
      message: parent ? `${path}: ${m}` : m,
    }));
    return own.concat(validationDetails(e.children ?? [], path));
  });
}

export const validationError = (details: ApiErrorDetail[]) =>
  new ApiError(errorBody(400, details.map((d) => d.message).join('; ') || 'invalid input', details));

// Postgres is away, not the query wrong: connection failures (SQLSTATE 08xxx), shutdown (57P0x),
// too many connections (53300), the database missing (3D000).
const PG_UNAVAILABLE_CODES = /^(08|57P0|53300|3D000)/;
const NET_CODES = new Set(['ECONNREFUSED', 'ECONNRESET', 'ETIMEDOUT', 'EPIPE', 'ENOTFOUND', 'EHOSTUNREACH', 'EAI_AGAIN']);
const PG_UNAVAILABLE_TEXT = /Connection terminated|Client has encountered a connection error|Connection closed/i;
// pg-pool's refusal when no connection of the pool came free in time: each was busy with a query
// (a slow Postgres, or one that stopped answering mid-query), which is not Postgres refusing them.
const POOL_WAIT_TIMEOUT = 'timeout exceeded when trying to connect';

export function isDatabaseUnavailable(err: unknown): boolean {
  const code = String((err as { code?: unknown })?.code ?? '');
  return NET_CODES.has(code) || PG_UNAVAILABLE_CODES.test(code) || PG_UNAVAILABLE_TEXT.test(String((err as Error)?.message ?? ''));
}

function isErrorBody(value: unknown): boolean {
  const v = value as Partial<ApiErrorBody> | null;
  return typeof v === 'object' && v !== null && typeof v.statusCode === 'number' && typeof v.message === 'string';
}

const isContractBody = (value: unknown) => isErrorBody(value) && Array.isArray((value as ApiErrorBody).details);

/** Any thrown value as the contract error body: 400 for input, 404, 503 for Postgres away, else 500. */
export function toErrorBody(err: unknown): ApiErrorBody {
  if (err instanceof ApiError) return err.body;
  // Guards refuse a Kafka request with an RpcException that already carries the contract body (401/403).
  if (err instanceof RpcException && isErrorBody(err.getError())) return err.getError() as ApiErrorBody;
  if (err instanceof InvalidQueryError) return errorBody(400, err.message, err.problems);
  // The access guard refuses with the contract body already (400 for a tenant that is no name, 401, 403).
  if (err instanceof HttpException && isContractBody(err.getResponse())) return err.getResponse() as ApiErrorBody;
  if (err instanceof HttpException) {
    // A body in a content type the API does not read (Fastify's 415) is invalid input like any other.
    const status = err.getStatus() === 415 ? 400 : err.getStatus();
    const response = err.getResponse();
    const message = typeof response === 'string' ? response : (response as { message?: unknown }).message;
    const text = Array.isArray(message) ? message.join('; ') : String(message ?? err.message);
    // Nest's own 400s (a body that is not JSON) concern the body as a whole.
    return errorBody(status, text, status === 400 ? [{ field: 'body', message: text }] : []);
  }
  // Fastify's refusals before a handler runs (FST_ERR_CTP_*): malformed JSON, an empty JSON body, a
  // body over the limit (413), a content type it cannot parse (415: answered as the 400 it is).
  const { statusCode, code } = (err ?? {}) as { statusCode?: unknown; code?: unknown };
  if (typeof statusCode === 'number' && statusCode >= 400 && statusCode < 500 && typeof code === 'string' && code.startsWith('FST_')) {
    const message = (err as Error).message;
    return errorBody(statusCode === 415 ? 400 : statusCode, message, [{ field: 'body', message }]);
  }
  if ((err as Error)?.message === POOL_WAIT_TIMEOUT) return errorBody(503, 'no database connection came free in time (Postgres is busy or slow); try again later');
  if (isDatabaseUnavailable(err)) return errorBody(503, 'the database is unavailable; try again later');
  // A value Postgres refused (SQLSTATE class 22) that validation let through is still the caller's input.
  if (/^22/.test(String((err as { code?: unknown })?.code ?? ''))) return errorBody(400, `invalid value: ${(err as Error).message}`);
  return errorBody(500, 'Internal server error');
}
