import { Controller } from '@nestjs/common';
import { MessagePattern, Payload } from '@nestjs/microservices';
import { QUERY_TOPICS, TraceNodeRequestDto, TraceRequestDto } from '@eventlog/contracts';
import { kafkaReply } from '../kafka/kafka-reply';
import { TracesService } from './traces.service';
import { RequestTenant, TenantIn } from '@eventlog/auth';

@Controller()
export class TracesKafkaController {
  constructor(private readonly traces: TracesService) {}

  @TenantIn('body')
  @MessagePattern(QUERY_TOPICS.trace)
  async trace(@Payload() request: TraceRequestDto, @RequestTenant() tenant: string) {
    return kafkaReply(await this.traces.trace(tenant, request.requestId));
  }

  @TenantIn('body')
  @MessagePattern(QUERY_TOPICS.traceNode)
  async node(@Payload() request: TraceNodeRequestDto, @RequestTenant() tenant: string) {
    return kafkaReply(await this.traces.node(tenant, request.requestId, request.nodeId));
  }
}
