import { DynamicModule, Module } from '@nestjs/common';
import { ConfigModule, EventlogConfig } from '../../../libs/config/src';
import { KafkaModule } from '../../../libs/kafka/src';
import { OpsModule } from '../../../libs/ops/src';
import { StoreModule } from '../../../libs/store/src';
import { AppendService } from './append/append.service';
import { DeadLetterPublisher } from './append/dead-letter.publisher';
import { GroupCommit } from './append/group-commit';
import { IngestConsumerService } from './consumer/ingest-consumer.service';
import { IngestMetrics } from './metrics/ingest.metrics';
import { RelayService } from './relay/relay.service';

/** Kafka in, Postgres out, and the outbound relay back to Kafka. */
@Module({})
export class IngestModule {
  static register(config: EventlogConfig): DynamicModule {
    return {
      module: IngestModule,
      imports: [ConfigModule.forRoot(config), KafkaModule.forRoot('ingest'), StoreModule, OpsModule],
      providers: [IngestMetrics, DeadLetterPublisher, GroupCommit, AppendService, IngestConsumerService, RelayService],
    };
  }
}
