import 'reflect-metadata';
import { NestFactory } from '@nestjs/core';
import { Logger } from 'nestjs-pino';
import { exitOnConfigError, loadConfig } from '../../../libs/config/src';
import { RelayAppModule } from './relay/relay-app.module';

async function bootstrap() {
  const config = exitOnConfigError(() => loadConfig());
  const app = await NestFactory.create(RelayAppModule.register(config), { bufferLogs: true });
  app.useLogger(app.get(Logger));
  app.enableShutdownHooks();
  await app.listen(config.RELAY_HTTP_PORT, '0.0.0.0');
}

void bootstrap();
