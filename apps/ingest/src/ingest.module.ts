import { DynamicModule, Module } from '@nestjs/common';
import { ConfigModule, EventlogConfig } from '@eventlog/config';
import { KafkaModule } from '@eventlog/kafka';
import { OpsModule } from '@eventlog/ops';
import { StoreModule } from '@eventlog/store';
import { BatchDecoder } from './decoding/batch-decoder';
import { AppendService } from './appending/append.service';
import { DeadLetterPublisher } from './appending/dead-letter.publisher';
import { GroupCommit } from './appending/group-commit';
import { IngestConsumerService } from './consumer/ingest-consumer.service';
import { IngestMetrics } from './metrics/ingest.metrics';
import { RelayModule } from './relay/relay.module';
import { RetentionModule } from './retention/retention.module';
import { StallDetectorModule } from './stalled/stall-detector.module';

/**
 * Kafka in, Postgres out, the partitions and retention of the log, and, unless they run elsewhere,
 * the outbound relay back to Kafka and the stall detector.
 */
@Module({})
export class IngestModule {
  static register(config: EventlogConfig): DynamicModule {
    return {
      module: IngestModule,
      imports: [
        ConfigModule.forRoot(config),
        KafkaModule.forRoot('ingest'),
        StoreModule,
        OpsModule,
        RetentionModule,
        ...(config.INGEST_RUNS_RELAY ? [RelayModule] : []),
        ...(config.INGEST_RUNS_STALL_DETECTOR ? [StallDetectorModule] : []),
      ],
      providers: [IngestMetrics, BatchDecoder, DeadLetterPublisher, GroupCommit, AppendService, IngestConsumerService],
    };
  }
}
