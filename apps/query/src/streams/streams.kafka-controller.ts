import { Controller } from '@nestjs/common';
import { MessagePattern, Payload } from '@nestjs/microservices';
import { QUERY_TOPICS, ReadStreamRequestDto } from '@eventlog/contracts';
import { kafkaReply } from '../kafka/kafka-reply';
import { StreamsService } from './streams.service';
import { RequestTenant, TenantIn } from '@eventlog/auth';

/** eventlog.query.stream: a stream read with its head (limit 0 for the head alone). */
@Controller()
export class StreamsKafkaController {
  constructor(private readonly streams: StreamsService) {}

  @TenantIn('body')
  @MessagePattern(QUERY_TOPICS.stream)
  async read(@Payload() request: ReadStreamRequestDto, @RequestTenant() tenant: string) {
    return kafkaReply(await this.streams.read(tenant, request));
  }
}
