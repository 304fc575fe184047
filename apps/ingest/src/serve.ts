import 'reflect-metadata';
import { DynamicModule } from '@nestjs/common';
import { NestFactory } from '@nestjs/core';
import { Logger } from 'nestjs-pino';
import { EventlogConfig, exitOnConfigError, loadConfig } from '@eventlog/config';

/** Starts one of this app's processes (ingest, or the relay alone): JSON logs, shutdown hooks, its port. */
export async function serve(module: (config: EventlogConfig) => DynamicModule, port: (config: EventlogConfig) => number) {
  const config = exitOnConfigError(() => loadConfig());
  const app = await NestFactory.create(module(config), { bufferLogs: true });
  app.useLogger(app.get(Logger));
  app.enableShutdownHooks();
  await app.listen(port(config), '0.0.0.0');
}
