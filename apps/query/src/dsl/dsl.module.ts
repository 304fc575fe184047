import { Module } from '@nestjs/common';
import { QueryStoreModule } from '@eventlog/store';
import { DslController } from './dsl.controller';
import { DslKafkaController } from './dsl.kafka-controller';

/** The query DSL (POST /v1/query and its request topic). */
@Module({
  imports: [QueryStoreModule],
  controllers: [DslController, DslKafkaController],
})
export class DslModule {}
