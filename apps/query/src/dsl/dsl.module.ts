import { Module } from '@nestjs/common';
import { QueryStoreModule } from '@eventlog/store';
import { DslController } from './dsl.controller';
import { DslKafkaController } from './dsl.kafka-controller';
import { DslResolver } from './dsl.resolver';

/** The query DSL (POST /v1/query, its request topic and GraphQL `aggregate`). */
@Module({
  imports: [QueryStoreModule],
  controllers: [DslController, DslKafkaController],
  providers: [DslResolver],
})
export class DslModule {}
