import { DynamicModule, Module } from '@nestjs/common';
import { APP_GUARD } from '@nestjs/core';
import { ThrottlerModule } from '@nestjs/throttler';
import { AccessGuard, TokenRegistry, TokenThrottlerGuard } from '@eventlog/auth';
import { ConfigModule, EventlogConfig } from '@eventlog/config';
import { KafkaModule } from '@eventlog/kafka';
import { OpsModule } from '@eventlog/ops';
import { ConsoleModule } from './console/console.module';
import { DeadLettersModule } from './dead-letters/dead-letters.module';
import { DslModule } from './dsl/dsl.module';
import { EnrollModule } from './enroll/enroll.module';
import { EventsModule } from './events/events.module';
import { GraphqlModule } from './graphql/graphql.module';
import { LiveModule } from './live/live.module';
import { NotifyModule } from './notify/notify.module';
import { PublishModule } from './publish/publish.module';
import { ReadYourWritesModule } from './read-your-writes/read-your-writes.module';
import { StatsModule } from './stats/stats.module';
import { StreamsModule } from './streams/streams.module';
import { TracesModule } from './traces/traces.module';

/**
 * Questions over HTTP and Kafka request/reply, and publishing through the API: one module per
 * feature, each registering its own HTTP and Kafka controllers; here only what they all share.
 */
@Module({})
export class QueryModule {
  static register(config: EventlogConfig): DynamicModule {
    return {
      module: QueryModule,
      // Global for the token registry: the live gateway names the access guard itself (global
      // guards do not reach gateways), and the guard needs the registry in the gateway's module.
      global: true,
      imports: [
        ConfigModule.forRoot(config),
        KafkaModule.forRoot('query'),
        OpsModule,
        ConsoleModule,
        ThrottlerModule.forRoot([{ name: 'per-token', ttl: 60_000, limit: config.RATE_LIMIT_PER_MINUTE }]),
        // The live tail first, so that /v1/events/live is not taken for an event id; the publish
        // routes (POST /v1/events) beside the log routes.
        LiveModule,
        EventsModule,
        PublishModule,
        StreamsModule,
        TracesModule,
        DslModule,
        StatsModule,
        ReadYourWritesModule,
        NotifyModule,
        DeadLettersModule,
        EnrollModule,
        // POST /graphql: the resolvers above, as one more transport.
        GraphqlModule,
      ],
      providers: [
        // Access first (401/403), then the rate limit counted per valid token (429).
        TokenRegistry,
        { provide: APP_GUARD, useClass: AccessGuard },
        { provide: APP_GUARD, useClass: TokenThrottlerGuard },
      ],
      exports: [TokenRegistry],
    };
  }
}
