import type { DynamicModule } from '@nestjs/common';
import type { EventLogClientOptions } from './client-options';
import { EventLogClient } from './eventlog-client';

/**
 * `imports: [EventLogClientModule.forRoot({ transport: 'kafka', token, kafka: { brokers, groupId } })]`,
 * then inject EventLogClient: it connects on module init and closes on shutdown. No decorator: Nest
 * reads a dynamic module's metadata from forRoot's answer, so the package needs @nestjs/common for
 * its types only.
 */
export class EventLogClientModule {
  static forRoot(options: EventLogClientOptions & { global?: boolean }): DynamicModule {
    const { global, ...clientOptions } = options;
    return {
      module: EventLogClientModule,
      global: global ?? false,
      providers: [{ provide: EventLogClient, useFactory: () => new EventLogClient(clientOptions) }],
      exports: [EventLogClient],
    };
  }
}
