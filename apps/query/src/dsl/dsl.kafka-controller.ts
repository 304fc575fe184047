import { Controller } from '@nestjs/common';
import { MessagePattern, Payload } from '@nestjs/microservices';
import { DslQueryDto, QUERY_TOPICS } from '../../../../libs/contracts/src';
import { DslQueryRepository } from '../../../../libs/store/src';
import { kafkaReply } from '../api/kafka-reply';
import { RequestTenant, TenantIn } from '../../../../libs/auth/src';

@Controller()
export class DslKafkaController {
  constructor(private readonly dsl: DslQueryRepository) {}

  @TenantIn('body.from')
  @MessagePattern(QUERY_TOPICS.dsl)
  async query(@Payload() request: DslQueryDto, @RequestTenant() tenant: string) {
    return kafkaReply(await this.dsl.run(tenant, request));
  }
}
