import { Controller } from '@nestjs/common';
import { MessagePattern, Payload } from '@nestjs/microservices';
import { QUERY_TOPICS, StatsQueryDto } from '@eventlog/contracts';
import { kafkaReply } from '../kafka/kafka-reply';
import { StatsService } from './stats.service';
import { RequestTenant, TenantIn } from '@eventlog/auth';

@Controller()
export class StatsKafkaController {
  constructor(private readonly stats: StatsService) {}

  @TenantIn('body')
  @MessagePattern(QUERY_TOPICS.stats)
  async get(@Payload() request: StatsQueryDto, @RequestTenant() tenant: string) {
    return kafkaReply(await this.stats.get(tenant, request));
  }
}
