import 'reflect-metadata';
import type { FastifyReply } from 'fastify';
import { Logger as NestLogger } from '@nestjs/common';
import { NestFactory } from '@nestjs/core';
import { FastifyAdapter, NestFastifyApplication } from '@nestjs/platform-fastify';
import { DocumentBuilder, SwaggerModule } from '@nestjs/swagger';
import { Kafka, Partitioners } from 'kafkajs';
import { Logger } from 'nestjs-pino';
import { exitOnConfigError, loadConfig } from '@eventlog/config';
import { stringifyWithRaw } from '@eventlog/contracts';
import { KAFKA, kafkaClientConfig } from '@eventlog/kafka';
import { ApiExceptionFilter } from './errors/api-exception.filter';
import { QueryKafkaServer } from './kafka/query-kafka.server';
import { QueryMetricsInterceptor } from './metrics/query.metrics';
import { serveSwaggerUiAssets } from './http/swagger-ui-assets';
import { errorBody } from './errors/api-error';
import { createValidationPipe } from './errors/validation.pipe';
import { QueryModule } from './query.module';
import { ensureQueryTopics, requestTopics } from './kafka/query-topics';

async function bootstrap() {
  const config = exitOnConfigError(() => loadConfig());
  // Fastify, not Express: a third less CPU per request (docs/decisions/018).
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
  const app = await NestFactory.create<NestFastifyApplication>(QueryModule.register(config), adapter, { bufferLogs: true });
  app.useLogger(app.get(Logger));
  app.enableShutdownHooks();
  // Events arrive as JSON text Postgres built; replies splice it in instead of re-serialising it.
  adapter.getInstance().setReplySerializer((payload) => stringifyWithRaw(payload));

  // One pipe, filter and interceptor for both transports (inheritAppConfig below).
  app.useGlobalPipes(createValidationPipe());
  app.useGlobalFilters(new ApiExceptionFilter(app.getHttpAdapter()));
  app.useGlobalInterceptors(new QueryMetricsInterceptor());

  await ensureQueryTopics(app.get<Kafka>(KAFKA), config);
  const kafkaLog = new NestLogger('kafkajs');
  const client = kafkaClientConfig(config, `${config.KAFKA_CLIENT_ID}-query-server`, (level, message, extra) =>
    kafkaLog[level === 'info' ? 'log' : level](`${message} ${JSON.stringify(extra)}`),
  );
  app.connectMicroservice(
    {
      strategy: new QueryKafkaServer(
        {
          client,
          // Without this Nest appends "-server" to the group and client id; the group is the configured one.
          postfixId: '',
          consumer: {
            groupId: config.QUERY_GROUP_ID,
            sessionTimeout: 30000,
            rebalanceTimeout: 60000,
            heartbeatInterval: 3000,
            // kafkajs waits up to 5 s for data by default: a request arriving mid-wait would stall.
            maxWaitTimeInMs: 50,
            allowAutoTopicCreation: false,
          },
          // A new group starts at the end: requests sent before this instance existed are not answered.
          subscribe: { fromBeginning: false },
          // Requests of different partitions are answered side by side: every request topic's
          // partitions at once, so a slow query holds up only the requests behind it in its partition.
          // Offsets are committed by QueryKafkaServer, once a second, not after every batch.
          run: { partitionsConsumedConcurrently: requestTopics(config).length * config.TOPIC_PARTITIONS, autoCommit: false },
          producer: { allowAutoTopicCreation: false, createPartitioner: Partitioners.DefaultPartitioner },
        },
        config.QUERY_TOPIC_PREFIX ?? '',
      ),
    },
    { inheritAppConfig: true },
  );

  serveSwaggerUiAssets(adapter);
  SwaggerModule.setup(
    'docs',
    app,
    SwaggerModule.createDocument(
      app,
      new DocumentBuilder()
        .setTitle('eventlog query API')
        .setDescription('Contract section 4. The same queries answer on Kafka request/reply; see docs/query-api.md.')
        .setVersion('1')
        .build(),
    ),
  );

  await app.init();
  // Serve HTTP (and so /health/ready) only once the request consumer has joined and fetched.
  await app.startAllMicroservices();
  await app.listen(config.QUERY_HTTP_PORT, '0.0.0.0');
}

void bootstrap();
