import type { FastifyRequest } from 'fastify';
import { IncomingRequest } from '@nestjs/microservices';
import { KafkaRequest } from '@nestjs/microservices/serializers';
import { KafkaRequestDeserializer } from '@nestjs/microservices/deserializers';
import { ApiErrorDetail, parseExactJson } from '@eventlog/contracts';
import { ApiError, errorBody } from '../errors/api-error';

/*
 * How requests become values: JSON bodies, on HTTP and on the request topics, by parseExactJson,
 * so JSON that JSON.parse would change (invalid UTF-8, 1e400, integers past 2^53, lone surrogates)
 * is a 400 naming the value, as it is a dead letter on ingest; and query strings by a strict
 * decoder, so an escape that is not UTF-8 is a 400 instead of text taken literally
 * (docs/decisions/024).
 */

/** A request value that could not be read; the validation pipe answers it with a 400. */
export class RefusedRequest {
  constructor(readonly problem: ApiErrorDetail) {}
}

/** Fastify's application/json parser, replaced: bytes in, exact JSON or a 400 out. */
export function exactJsonBodyParser(_req: FastifyRequest, body: Buffer, done: (err: Error | null, body?: unknown) => void): void {
  const parsed = parseExactJson(body, 'body');
  if (parsed.ok) return done(null, parsed.value);
  done(new ApiError(errorBody(400, parsed.message, [{ field: parsed.field, message: parsed.message }])));
}

/** Nest's Kafka request deserializer over raw values (the server runs with keepBinary). */
export class ExactJsonKafkaDeserializer extends KafkaRequestDeserializer {
  override mapToSchema(message: KafkaRequest, options?: Record<string, unknown>): IncomingRequest {
    const packet = super.mapToSchema(message, options) as IncomingRequest;
    if (!message) return packet;
    // A tombstone (no value) would otherwise hand the whole Kafka message over as the request.
    if (!Buffer.isBuffer(message.value)) return { ...packet, data: new RefusedRequest({ field: 'body', message: 'body: the request has no value' }) };
    const parsed = parseExactJson(message.value, 'body');
    return { ...packet, data: parsed.ok ? parsed.value : new RefusedRequest({ field: parsed.field, message: parsed.message }) };
  }
}

/** A query-string value whose %-escapes are not UTF-8; the validation pipe answers it with a 400. */
export class UndecodableText {
  constructor(readonly raw: string) {}
}

const decode = (text: string): string | UndecodableText => {
  const spaced = text.includes('+') ? text.replace(/\+/g, ' ') : text;
  if (!spaced.includes('%')) return spaced;
  try {
    return decodeURIComponent(spaced);
  } catch {
    return new UndecodableText(text);
  }
};

/**
 * Fastify's querystringParser: `a=1&a=2&b` as { a: ['1', '2'], b: '' } on an object without a
 * prototype (a `__proto__` key stays a key, which validation refuses); a value that does not
 * decode becomes an UndecodableText.
 */
export function strictQueryString(query: string): Record<string, unknown> {
  const result = Object.create(null) as Record<string, unknown>;
  for (const pair of query.split('&')) {
    if (pair === '') continue;
    const eq = pair.indexOf('=');
    const rawKey = eq < 0 ? pair : pair.slice(0, eq);
    const key = decode(rawKey);
    const name = typeof key === 'string' ? key : rawKey;
    const value = eq < 0 ? '' : decode(pair.slice(eq + 1));
    const current = result[name];
    if (current === undefined) result[name] = typeof key === 'string' ? value : key;
    else if (Array.isArray(current)) current.push(value);
    else result[name] = [current, value];
  }
  return result;
}
