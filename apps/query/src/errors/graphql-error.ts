import { GraphQLError } from 'graphql';
import { ApiErrorBody } from '@eventlog/contracts';

/** The codes GraphQL clients conventionally read from `extensions.code`, by the REST status. */
const CODES: Record<number, string> = {
  400: 'BAD_USER_INPUT',
  401: 'UNAUTHENTICATED',
  403: 'FORBIDDEN',
  404: 'NOT_FOUND',
  429: 'TOO_MANY_REQUESTS',
  503: 'SERVICE_UNAVAILABLE',
};

/**
 * The contract's error body as a GraphQL error: the same message, and in `extensions` the status
 * the REST API would answer and the details naming each field, so one client handles both.
 */
export function toGraphqlError(body: ApiErrorBody): GraphQLError {
  return new GraphQLError(body.message, {
    extensions: { code: CODES[body.statusCode] ?? 'INTERNAL_SERVER_ERROR', statusCode: body.statusCode, details: body.details },
  });
}
