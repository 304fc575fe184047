import { DynamicModule, Module } from '@nestjs/common';
import { EventLogClient, EventLogClientOptions } from './eventlog-client';

/**
 * `imports: [EventLogClientModule.register({ kafka: { brokers }, groupId: 'orders-service.eventlog' })]`,
 * then inject EventLogClient. It connects on module init and closes on shutdown.
 */
@Module({})
export class EventLogClientModule {
  static register(options: EventLogClientOptions): DynamicModule {
    return {
      module: EventLogClientModule,
      providers: [{ provide: EventLogClient, useFactory: () => new EventLogClient(options) }],
      exports: [EventLogClient],
    };
  }
}
