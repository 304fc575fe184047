import { Type } from '@nestjs/common';
import { ApiErrorDetail, InvalidQueryError } from '@eventlog/contracts';
import { ApiError, validationError } from '../errors/api-error';
import { createValidationPipe } from '../validation/validation.pipe';

const pipe = createValidationPipe();

/**
 * A GraphQL field's arguments, validated by the REST request's DTO through the same pipe, so both
 * accept and refuse the same values (and convert them the same way).
 */
export async function validArguments<T extends object>(dto: Type<T>, value: Record<string, unknown>): Promise<T> {
  return (await pipe.transform(value, { type: 'body', metatype: dto })) as T;
}

/**
 * Runs a field's work and names its input refusals by the field's GraphQL arguments: the DTO and
 * the services name a value by its REST name (`limit`, `where[0].value`), `argumentOf` maps the
 * first segment (`limit` → `first`, `where` → `dsl.where`), in the details and in the message.
 */
export async function namedByArguments<T>(argumentOf: (field: string) => string, run: () => Promise<T>): Promise<T> {
  try {
    return await run();
  } catch (err) {
    const details = err instanceof InvalidQueryError ? err.problems : err instanceof ApiError && err.body.statusCode === 400 ? err.body.details : undefined;
    if (!details) throw err;
    throw validationError(details.map((d) => renamed(d, argumentOf)));
  }
}

/** `limit must not be greater than 1000` → `first must not be greater than 1000`. */
function renamed(detail: ApiErrorDetail, argumentOf: (field: string) => string): ApiErrorDetail {
  const head = /^[^.[\]]+/.exec(detail.field)?.[0] ?? detail.field;
  const field = argumentOf(head) + detail.field.slice(head.length);
  const message = detail.message.startsWith(detail.field) ? field + detail.message.slice(detail.field.length) : detail.message;
  return { field, message };
}

/** A GraphQL argument given as an explicit `null` where only a value or nothing is meaningful. */
export function refuseNull(argument: string, value: unknown): void {
  if (value === null) throw validationError([{ field: argument, message: `${argument} must not be null (leave it out instead)` }]);
}

/**
 * The `tenant` argument every top-level field takes. The access guard decides the tenant from it
 * (decideTenant); resolvers read the decision (@RequestTenant), never the argument.
 */
export const TENANT_ARGUMENT = {
  type: () => String,
  nullable: true,
  description: 'Tenant to read; else the token’s only tenant, else `default`',
} as const;

/** A lookup that REST answers with 404 is a null in GraphQL. */
export async function nullWhenNotFound<T>(lookup: Promise<T>): Promise<T | null> {
  try {
    return await lookup;
  } catch (err) {
    if (err instanceof ApiError && err.body.statusCode === 404) return null;
    throw err;
  }
}
