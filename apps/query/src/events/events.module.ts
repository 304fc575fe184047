import { Module } from '@nestjs/common';
import { QueryStoreModule } from '@eventlog/store';
import { EventsController } from './events.controller';
import { EventsKafkaController } from './events.kafka-controller';
import { EventsService } from './events.service';
import { EventsResolver } from './events.resolver';

/** The event log: list and fetch events, over HTTP, Kafka request/reply and GraphQL. */
@Module({
  imports: [QueryStoreModule],
  controllers: [EventsController, EventsKafkaController],
  providers: [EventsService, EventsResolver],
})
export class EventsModule {}
