import { Module } from '@nestjs/common';
import { QueryStoreModule } from '@eventlog/store';
import { StreamsController } from './streams.controller';
import { StreamsKafkaController } from './streams.kafka-controller';
import { StreamsService } from './streams.service';
import { StreamsResolver } from './streams.resolver';

/** Streams: list them, describe one, read one in version order (HTTP, Kafka and GraphQL). */
@Module({
  imports: [QueryStoreModule],
  controllers: [StreamsController, StreamsKafkaController],
  providers: [StreamsService, StreamsResolver],
})
export class StreamsModule {}
