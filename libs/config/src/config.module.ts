import { DynamicModule, Global, Module } from '@nestjs/common';
import { EventlogConfig } from './eventlog-config';

/** Makes one already-validated configuration injectable everywhere as EventlogConfig. */
@Global()
@Module({})
export class ConfigModule {
  static forRoot(config: EventlogConfig): DynamicModule {
    return { module: ConfigModule, providers: [{ provide: EventlogConfig, useValue: config }], exports: [EventlogConfig] };
  }
}
