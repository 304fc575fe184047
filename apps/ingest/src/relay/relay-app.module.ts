import { DynamicModule, Module } from '@nestjs/common';
import { ConfigModule, EventlogConfig } from '../../../../libs/config/src';
import { KafkaModule } from '../../../../libs/kafka/src';
import { OpsModule } from '../../../../libs/ops/src';
import { StoreModule } from '../../../../libs/store/src';
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
