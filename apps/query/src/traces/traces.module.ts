import { Module } from '@nestjs/common';
import { QueryStoreModule } from '@eventlog/store';
import { TracesController } from './traces.controller';
import { TracesKafkaController } from './traces.kafka-controller';
import { TracesService } from './traces.service';

/** Traces: a request's chain of nodes, or one node's subtree (HTTP and Kafka). */
@Module({
  imports: [QueryStoreModule],
  controllers: [TracesController, TracesKafkaController],
  providers: [TracesService],
})
export class TracesModule {}
