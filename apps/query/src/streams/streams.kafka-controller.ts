import { Controller } from '@nestjs/common';
import { MessagePattern, Payload } from '@nestjs/microservices';
import { DeleteStreamRequestDto, QUERY_TOPICS, ReadStreamRequestDto } from '@eventlog/contracts';
import { kafkaReply } from '../kafka/kafka-reply';
import { StreamsService } from './streams.service';
import { RequestTenant, RequiresScope, TenantIn } from '@eventlog/auth';
import { StreamDeletionService } from './stream-deletion.service';

/** eventlog.query.stream: a stream read with its head (limit 0 for the head alone); eventlog.query.delete-stream: a deletion. */
@Controller()
export class StreamsKafkaController {
  constructor(
    private readonly streams: StreamsService,
    private readonly deletions: StreamDeletionService,
  ) {}

  @TenantIn('body')
  @MessagePattern(QUERY_TOPICS.stream)
  async read(@Payload() request: ReadStreamRequestDto, @RequestTenant() tenant: string) {
    return kafkaReply(await this.streams.read(tenant, request));
  }

  @TenantIn('body')
  @RequiresScope('delete')
  @MessagePattern(QUERY_TOPICS.deleteStream)
  async delete(@Payload() request: DeleteStreamRequestDto, @RequestTenant() tenant: string) {
    return kafkaReply(await this.deletions.delete(tenant, request.stream, request.hard ?? false));
  }
}
