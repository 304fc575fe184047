import { Module } from '@nestjs/common';
import { QueryStoreModule } from '@eventlog/store';
import { TracesController } from './traces.controller';
import { TracesKafkaController } from './traces.kafka-controller';
import { TracesService } from './traces.service';
import { TracesResolver } from './traces.resolver';

/** Traces: a request's chain of nodes, or one node's subtree (HTTP, Kafka and GraphQL). */
@Module({
  imports: [QueryStoreModule],
  controllers: [TracesController, TracesKafkaController],
  providers: [TracesService, TracesResolver],
})
export class TracesModule {}
