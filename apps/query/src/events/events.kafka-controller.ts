import { Controller } from '@nestjs/common';
import { MessagePattern, Payload } from '@nestjs/microservices';
import { GetEventRequestDto, ListEventsQueryDto, QUERY_TOPICS } from '@eventlog/contracts';
import { kafkaReply } from '../kafka/kafka-reply';
import { EventsService } from './events.service';
import { RequestTenant, TenantIn } from '@eventlog/auth';

/** Request topics eventlog.query.events and eventlog.query.event: the same answers as HTTP. */
@Controller()
export class EventsKafkaController {
  constructor(private readonly events: EventsService) {}

  @TenantIn('body')
  @MessagePattern(QUERY_TOPICS.events)
  async list(@Payload() request: ListEventsQueryDto, @RequestTenant() tenant: string) {
    return kafkaReply(await this.events.list(tenant, request));
  }

  @TenantIn('body')
  @MessagePattern(QUERY_TOPICS.event)
  async get(@Payload() request: GetEventRequestDto, @RequestTenant() tenant: string) {
    return kafkaReply(await this.events.get(tenant, request.id));
  }
}
