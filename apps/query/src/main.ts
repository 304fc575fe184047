import 'reflect-metadata';
import { NestFactory } from '@nestjs/core';
import { NestFastifyApplication } from '@nestjs/platform-fastify';
import { Kafka } from 'kafkajs';
import { Logger } from 'nestjs-pino';
import { exitOnConfigError, loadConfig } from '@eventlog/config';
import { stringifyWithRaw } from '@eventlog/contracts';
import { KAFKA } from '@eventlog/kafka';
import { TokenRegistry } from '@eventlog/auth';
import { ApiExceptionFilter } from './errors/api-exception.filter';
import { createValidationPipe } from './validation/validation.pipe';
import { createFastifyAdapter } from './http/fastify-adapter';
import { LiveSocketAdapter } from './live/live-socket.adapter';
import { serveOpenApi } from './http/open-api';
import { queryKafkaTransport } from './kafka/kafka-transport';
import { ensureQueryTopics } from './kafka/query-topics';
import { QueryMetricsInterceptor } from './metrics/query.metrics';
import { exactJsonBodyParser } from './validation/request-parsers';
import { QueryModule } from './query.module';

async function bootstrap() {
  const config = exitOnConfigError(() => loadConfig());
  const adapter = createFastifyAdapter(config);
  const app = await NestFactory.create<NestFastifyApplication>(QueryModule.register(config), adapter, { bufferLogs: true });
  app.useLogger(app.get(Logger));
  // JSON bodies are parsed exactly or refused (a 400 naming the value), never silently changed.
  app.useBodyParser('application/json', { bodyLimit: adapter.getInstance().initialConfig.bodyLimit }, exactJsonBodyParser);
  app.enableShutdownHooks();
  // Events arrive as JSON text Postgres built; replies splice it in instead of re-serialising it.
  adapter.getInstance().setReplySerializer((payload) => stringifyWithRaw(payload));

  // One pipe, filter and interceptor for both transports (inheritAppConfig below).
  app.useGlobalPipes(createValidationPipe());
  app.useGlobalFilters(new ApiExceptionFilter(app.getHttpAdapter()));
  app.useGlobalInterceptors(new QueryMetricsInterceptor());
  // WebSockets (/v1/ws) on the same HTTP server and port.
  app.useWebSocketAdapter(new LiveSocketAdapter(app, app.get(TokenRegistry)));

  await ensureQueryTopics(app.get<Kafka>(KAFKA), config);
  app.connectMicroservice({ strategy: queryKafkaTransport(config) }, { inheritAppConfig: true });
  serveOpenApi(app, adapter);

  await app.init();
  // Serve HTTP (and so /health/ready) only once the request consumer has joined and fetched.
  await app.startAllMicroservices();
  await app.listen(config.QUERY_HTTP_PORT, '0.0.0.0');
}

void bootstrap();
