import { DynamicModule, Module } from '@nestjs/common';
import { APP_GUARD } from '@nestjs/core';
import { ThrottlerModule } from '@nestjs/throttler';
import { AccessGuard, TokenRegistry, TokenThrottlerGuard } from '../../../libs/auth/src';
import { ConfigModule, EventlogConfig } from '../../../libs/config/src';
import { KafkaModule } from '../../../libs/kafka/src';
import { OpsModule } from '../../../libs/ops/src';
import { QueryStoreModule } from '../../../libs/store/src';
import { ConsoleModule } from './console/console.module';
import { DslController } from './dsl/dsl.controller';
import { DslKafkaController } from './dsl/dsl.kafka-controller';
import { EventsController } from './events/events.controller';
import { EventsKafkaController } from './events/events.kafka-controller';
import { EventsService } from './events/events.service';
import { IngestPublisher } from './publish/ingest-publisher';
import { PersistenceWaiter } from './publish/persistence-waiter';
import { PublishController } from './publish/publish.controller';
import { PublishService } from './publish/publish.service';
import { LiveController } from './live/live.controller';
import { IngestLagService } from './stats/ingest-lag.service';
import { StatsController } from './stats/stats.controller';
import { StatsKafkaController } from './stats/stats.kafka-controller';
import { StatsService } from './stats/stats.service';
import { StreamsController } from './streams/streams.controller';
import { StreamsKafkaController } from './streams/streams.kafka-controller';
import { StreamsService } from './streams/streams.service';
import { TracesController } from './traces/traces.controller';
import { TracesKafkaController } from './traces/traces.kafka-controller';
import { TracesService } from './traces/traces.service';

/** Questions over HTTP and Kafka request/reply, and publishing through the API. */
@Module({})
export class QueryModule {
  static register(config: EventlogConfig): DynamicModule {
    return {
      module: QueryModule,
      imports: [
        ConfigModule.forRoot(config),
        KafkaModule.forRoot('query'),
        QueryStoreModule,
        OpsModule,
        ConsoleModule,
        ThrottlerModule.forRoot([{ name: 'per-token', ttl: 60_000, limit: config.RATE_LIMIT_PER_MINUTE }]),
      ],
      controllers: [
        // HTTP before Kafka, and the publish routes (POST /v1/events) beside the log routes.
        // The live tail first, so that /v1/events/live is not taken for an event id.
        LiveController,
        EventsController,
        PublishController,
        StreamsController,
        TracesController,
        DslController,
        StatsController,
        EventsKafkaController,
        StreamsKafkaController,
        TracesKafkaController,
        DslKafkaController,
        StatsKafkaController,
      ],
      providers: [
        // Access first (401/403), then the rate limit counted per valid token (429).
        TokenRegistry,
        { provide: APP_GUARD, useClass: AccessGuard },
        { provide: APP_GUARD, useClass: TokenThrottlerGuard },
        EventsService,
        StreamsService,
        TracesService,
        StatsService,
        IngestLagService,
        IngestPublisher,
        PersistenceWaiter,
        PublishService,
      ],
    };
  }
}
