import { DynamicModule, Module } from '@nestjs/common';
import { ConfigModule, EventlogConfig } from '@eventlog/config';
import { KafkaModule } from '@eventlog/kafka';
import { OpsModule } from '@eventlog/ops';
import { StoreModule } from '@eventlog/store';
import { RelayModule } from './relay.module';

/** The relay as a process of its own, with health and metrics; run by `npm run start:relay`. */
@Module({})
export class RelayAppModule {
  static register(config: EventlogConfig): DynamicModule {
    return {
      module: RelayAppModule,
      imports: [ConfigModule.forRoot(config), KafkaModule.forRoot('relay'), StoreModule, OpsModule, RelayModule],
    };
  }
}
