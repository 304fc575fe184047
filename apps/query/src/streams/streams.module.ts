import { Module } from '@nestjs/common';
import { QueryStoreModule, StreamDeletionRepository } from '@eventlog/store';
import { StreamsController } from './streams.controller';
import { StreamsKafkaController } from './streams.kafka-controller';
import { StreamsService } from './streams.service';
import { StreamsResolver } from './streams.resolver';
import { StreamDeletionService } from './stream-deletion.service';

/** Streams: list them, describe one, read one in version order (HTTP, Kafka and GraphQL); delete one (HTTP and Kafka). */
@Module({
  imports: [QueryStoreModule],
  controllers: [StreamsController, StreamsKafkaController],
  providers: [StreamsService, StreamsResolver, StreamDeletionService, StreamDeletionRepository],
})
export class StreamsModule {}
