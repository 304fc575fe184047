import { Controller } from '@nestjs/common';
import { MessagePattern, Payload } from '@nestjs/microservices';
import { DslQueryDto, QUERY_TOPICS } from '@eventlog/contracts';
import { DslQueryRepository } from '@eventlog/store';
import { kafkaReply } from '../kafka/kafka-reply';
import { RequestTenant, TenantIn } from '@eventlog/auth';

@Controller()
export class DslKafkaController {
  constructor(private readonly dsl: DslQueryRepository) {}

  @TenantIn('body.from')
  @MessagePattern(QUERY_TOPICS.dsl)
  async query(@Payload() request: DslQueryDto, @RequestTenant() tenant: string) {
    return kafkaReply(await this.dsl.run(tenant, request));
  }
}
