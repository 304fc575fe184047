import { Module } from '@nestjs/common';
import { QueryStoreModule } from '@eventlog/store';
import { StreamsController } from './streams.controller';
import { StreamsKafkaController } from './streams.kafka-controller';
import { StreamsService } from './streams.service';

/** Streams: list them, describe one, read one in version order (HTTP and Kafka). */
@Module({
  imports: [QueryStoreModule],
  controllers: [StreamsController, StreamsKafkaController],
  providers: [StreamsService],
})
export class StreamsModule {}
