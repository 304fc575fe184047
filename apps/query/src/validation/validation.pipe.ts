import { ArgumentMetadata, ValidationPipe } from '@nestjs/common';
import { ApiErrorDetail } from '@eventlog/contracts';
import { errorBody, ApiError, validationDetails, validationError } from '../errors/api-error';
import { RefusedRequest, UndecodableText } from './request-parsers';

/** Deeper than any valid request; bounds the recursion of class-transformer and class-validator. */
const MAX_DEPTH = 32;

/**
 * Strict DTO validation for HTTP and Kafka alike: unknown properties are refused, values converted
 * only by the DTOs' own transforms, and every failure is a 400 naming its fields. Before the DTO
 * machinery runs, every raw value (arrays too: the batch body) is checked for what it cannot
 * handle: nesting deep enough to exhaust the stack, keys named like Object.prototype members
 * (`__proto__`, `valueOf`, …), which slip past the whitelist, and text that is not well-formed
 * Unicode, which Postgres would store as U+FFFD; and a DTO's value must be a JSON object.
 */
class StrictValidationPipe extends ValidationPipe {
  override async transform(value: unknown, metadata: ArgumentMetadata) {
    if (value instanceof RefusedRequest) throw validationError([value.problem]);
    const dto = metadata.metatype && this.toValidate(metadata) && !isBuiltIn(metadata.metatype);
    if (dto && (typeof value !== 'object' || value === null || Array.isArray(value))) {
      const message = 'the request must be a JSON object';
      throw new ApiError(errorBody(400, message, [{ field: 'body', message }]));
    }
    if (metadata.type !== 'custom' && typeof value === 'object' && value !== null) {
      // A value taken by name (a GraphQL argument, `@Args('filter')`) is named from that name.
      const problem = unsafeShape(value, typeof metadata.data === 'string' ? metadata.data : '');
      if (problem) throw validationError([problem]);
    }
    return super.transform(value, metadata);
  }
}

// Names of Object.prototype members (and `prototype`): class-transformer skips some of them and
// class-validator's whitelist takes the others for known properties, so neither refuses them.
const PROTOTYPE_KEYS = new Set([...Object.getOwnPropertyNames(Object.prototype), 'prototype']);

/**
 * The first Object.prototype-named key (`__proto__`, `valueOf`, …), too-deep value or ill-formed
 * string or key, with its path (where[0].value); iterative, so depth cannot hurt it.
 */
function unsafeShape(root: object, name: string): ApiErrorDetail | undefined {
  const stack: { value: unknown; path: string; depth: number }[] = [{ value: root, path: name, depth: 0 }];
  while (stack.length) {
    const { value, path, depth } = stack.pop()!;
    if (typeof value === 'string' && !value.isWellFormed()) return illFormed(path);
    // Postgres text cannot hold U+0000: refused here, naming the field, not by the database.
    if (typeof value === 'string' && value.includes('\u0000')) return { field: path || 'body', message: `${path || 'body'} must not contain the NUL character (U+0000)` };
    if (value instanceof UndecodableText) {
      return { field: path, message: `${path}: the %-escapes of ${value.raw.slice(0, 100)} are not UTF-8` };
    }
    if (typeof value !== 'object' || value === null) continue;
    if (depth > MAX_DEPTH) return { field: path, message: `${path} is nested deeper than ${MAX_DEPTH} levels` };
    for (const key of Object.keys(value)) {
      const at = Array.isArray(value) ? `${path}[${key}]` : depth === 0 && !name ? key : `${path}.${key}`;
      if (PROTOTYPE_KEYS.has(key)) return { field: at, message: `property ${at} should not exist` };
      if (!key.isWellFormed()) return illFormed(at);
      if (key.includes('\u0000')) return { field: at, message: `${at}: a key must not contain the NUL character (U+0000)` };
      stack.push({ value: (value as Record<string, unknown>)[key], path: at, depth: depth + 1 });
    }
  }
  return undefined;
}

const illFormed = (path: string): ApiErrorDetail => {
  const field = path || 'body';
  return { field, message: `${field}: text must be well-formed Unicode (a lone UTF-16 surrogate is not)` };
};

const BUILT_INS: unknown[] = [String, Boolean, Number, Array, Object, Buffer, Date];
const isBuiltIn = (metatype: unknown) => BUILT_INS.includes(metatype);

export function createValidationPipe(): ValidationPipe {
  return new StrictValidationPipe({
    whitelist: true,
    forbidNonWhitelisted: true,
    forbidUnknownValues: true,
    transform: true,
    transformOptions: { enableImplicitConversion: false },
    exceptionFactory: (errors) => validationError(validationDetails(errors)),
  });
}
