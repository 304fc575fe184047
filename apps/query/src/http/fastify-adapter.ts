import type { FastifyError, FastifyReply, FastifyRequest } from 'fastify';
import { Logger } from '@nestjs/common';
import { FastifyAdapter } from '@nestjs/platform-fastify';
import { EventlogConfig } from '@eventlog/config';
import { errorBody, toErrorBody } from '../errors/api-error';
import { strictQueryString } from '../validation/request-parsers';

/** Fastify, not Express: a third less CPU per request (docs/decisions/018). */
export function createFastifyAdapter(config: EventlogConfig): FastifyAdapter {
  const adapter = new FastifyAdapter({
    // Room for a batch of events with data up to MAX_EVENT_BYTES each (Fastify's default is 1 MiB).
    bodyLimit: Math.max(16 * 1024 * 1024, 4 * config.MAX_EVENT_BYTES),
    // Keep `__proto__`/`constructor` keys as plain properties: the validation pipe refuses them
    // with a 400 naming the field, as for any other unknown key.
    onProtoPoisoning: 'ignore',
    onConstructorPoisoning: 'ignore',
    // Fastify refuses path parameters over 100 characters with a 414; let every one that fits in
    // Node's 16 KiB header limit reach validation, which answers 400 naming the field.
    maxParamLength: 16 * 1024,
    // A %-escape that is not UTF-8 is refused by validation, not taken literally (fast-querystring's way).
    querystringParser: strictQueryString,
    // `/v1/events/` is `/v1/events`, as Express routed it and as callers expect.
    ignoreTrailingSlash: true,
    // A path Fastify's router cannot decode (a malformed %-escape) is refused before Nest sees it;
    // answer it with the contract's error body, as every other 400.
    frameworkErrors: (error: Error, _req: unknown, reply: FastifyReply) => {
      const status = (error as { statusCode?: number }).statusCode ?? 400;
      const message = `path: ${error.message}`;
      void reply.code(status).send(errorBody(status, message, [{ field: 'path', message }]));
    },
  });
  // What fails before a route's handler (a body that is not JSON, too large, of a type no parser
  // takes) gets the contract's error body. Nest sets its own handler to the same effect, but only
  // once its routes exist, and a plugin loaded meanwhile (mercurius, for /graphql) leaves the routes
  // holding Fastify's default; this one is there before any route.
  const logger = new Logger('HTTP');
  adapter.getInstance().setErrorHandler((error: FastifyError, _req: FastifyRequest, reply: FastifyReply) => {
    const body = toErrorBody(error);
    if (body.statusCode >= 500) logger.error(error);
    void reply.code(body.statusCode).send(body);
  });
  return adapter;
}
