import { Module } from '@nestjs/common';
import { GraphQLModule } from '@nestjs/graphql';
import { MercuriusDriver, MercuriusDriverConfig } from '@nestjs/mercurius';
import type { FastifyReply, FastifyRequest } from 'fastify';
import { EventlogConfig } from '@eventlog/config';
import { documentRefused, formatGraphqlErrors } from './graphql-errors';
import { GRAPHQL_LIMITS, queryLimitErrors } from './query-limits';

/**
 * POST /graphql (and GET for queries), code-first, on mercurius: Fastify's own GraphQL server
 * (docs/decisions/030). The resolvers sit in the feature modules beside their HTTP and Kafka
 * controllers; here only the server: limits checked before validation and execution, errors
 * as 200 (a field failed) or 400 (the document was refused), GraphiQL only in development.
 */
@Module({
  imports: [
    GraphQLModule.forRootAsync<MercuriusDriverConfig>({
      driver: MercuriusDriver,
      inject: [EventlogConfig],
      useFactory: (config: EventlogConfig) => ({
        path: '/graphql',
        autoSchemaFile: true,
        sortSchema: true,
        graphiql: config.NODE_ENV === 'development',
        jit: 1,
        graphql: { parseOptions: { maxTokens: GRAPHQL_LIMITS.maxTokens } },
        hooks: {
          preValidation: [
            async (schema, document) => {
              const errors = queryLimitErrors(schema, document);
              if (errors.length) throw documentRefused(errors);
            },
          ],
        },
        errorFormatter: formatGraphqlErrors,
        additionalRouteOptions: { preValidation: refuseDocumentObjects },
      }),
    }),
  ],
})
export class GraphqlModule {}

/**
 * mercurius also takes a parsed document for `query`: an AST object, or text that is not GraphQL
 * but JSON of one. Either would skip the parser's token limit, so only GraphQL text is accepted
 * (GraphQL text never starts with `[` or `"`, nor puts a string right after its first `{`).
 */
async function refuseDocumentObjects(request: FastifyRequest, reply: FastifyReply) {
  const body = request.method === 'POST' ? request.body : request.query;
  const query = body !== null && typeof body === 'object' ? (body as { query?: unknown }).query : undefined;
  if (query === undefined || (typeof query === 'string' && !/^[\s,\uFEFF]*(\[|"|\{[\s,]*")/.test(query))) return;
  const message = 'query must be the GraphQL document as text';
  await reply.code(400).send({ data: null, errors: [{ message, extensions: { code: 'BAD_USER_INPUT', statusCode: 400, details: [{ field: 'query', message }] } }] });
}
