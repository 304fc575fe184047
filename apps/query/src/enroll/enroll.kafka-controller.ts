import { Controller } from '@nestjs/common';
import { MessagePattern, Payload } from '@nestjs/microservices';
import { EnrollDto, QUERY_TOPICS } from '@eventlog/contracts';
import { RequestTenant, RequiresScope, TenantIn } from '@eventlog/auth';
import { kafkaReply } from '../kafka/kafka-reply';
import { EnrollService } from './enroll.service';

/** eventlog.query.enroll: the claim event, or JSON null when there is nothing to claim (HTTP's 204). */
@Controller()
export class EnrollKafkaController {
  constructor(private readonly enroll: EnrollService) {}

  @TenantIn('body')
  @RequiresScope('publish')
  @MessagePattern(QUERY_TOPICS.enroll)
  async claim(@Payload() request: EnrollDto, @RequestTenant() tenant: string) {
    return kafkaReply(await this.enroll.claim(tenant, request));
  }
}
