import { Module } from '@nestjs/common';
import { QueryStoreModule } from '@eventlog/store';
import { EventsController } from './events.controller';
import { EventsKafkaController } from './events.kafka-controller';
import { EventsService } from './events.service';

/** The event log: list and fetch events, over HTTP and Kafka request/reply. */
@Module({
  imports: [QueryStoreModule],
  controllers: [EventsController, EventsKafkaController],
  providers: [EventsService],
})
export class EventsModule {}
