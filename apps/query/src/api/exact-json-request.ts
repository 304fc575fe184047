import type { FastifyRequest } from 'fastify';
import { IncomingRequest } from '@nestjs/microservices';
import { KafkaRequest } from '@nestjs/microservices/serializers';
import { KafkaRequestDeserializer } from '@nestjs/microservices/deserializers';
import { ApiErrorDetail, parseExactJson } from '../../../../libs/contracts/src';
import { ApiError, errorBody } from './api-error';

/*
 * Request bodies, on HTTP and on the request topics, are parsed by parseExactJson: JSON that
 * JSON.parse would change (invalid UTF-8, 1e400, integers past 2^53, lone surrogates) is a 400
 * naming the value, as it is a dead letter on ingest (docs/decisions/022).
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
    if (!Buffer.isBuffer(message?.value)) return packet;
    const parsed = parseExactJson(message.value, 'body');
    return { ...packet, data: parsed.ok ? parsed.value : new RefusedRequest({ field: parsed.field, message: parsed.message }) };
  }
}
