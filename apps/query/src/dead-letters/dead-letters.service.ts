import { Injectable } from '@nestjs/common';
import { Message } from 'kafkajs';
import { EventlogConfig } from '@eventlog/config';
import { BulkReplayDto, BulkReplayResult, DeadLetterPage, ListDeadLettersQueryDto, QUERY_LIMITS, ReplayResult } from '@eventlog/contracts';
import { ProducerService } from '@eventlog/kafka';
import { DeadLetterRecord, DeadLetterRepository } from '@eventlog/store';
import { ApiError, errorBody } from '../errors/api-error';
import { resolvePaging } from '../parameters/paging';
import { timeWindow } from '../parameters/time-window';
import { replayMessage } from './replay-message';

/** Lists dead letters and replays them to the ingest topic. */
@Injectable()
export class DeadLettersService {
  constructor(
    private readonly repository: DeadLetterRepository,
    private readonly producer: ProducerService,
    private readonly config: EventlogConfig,
  ) {}

  list(tenant: string, dto: ListDeadLettersQueryDto): Promise<DeadLetterPage> {
    const { code, topic, partition, replayed } = dto;
    return this.repository.list({ tenant, code, topic, partition, replayed, ...timeWindow(dto) }, resolvePaging(dto));
  }

  /** Re-publishes one dead letter (or its corrected value) and marks it replayed; 404 outside the tenant. */
  async replay(tenant: string, id: number, value: Record<string, unknown> | undefined): Promise<ReplayResult> {
    const done = await this.repository.replayOne(tenant, id, (record) => this.produce(plannedMessage(record, value)));
    if (!done) throw ApiError.notFound(`no dead letter ${id} in tenant ${tenant}`);
    return { id, to: done.to };
  }

  /** Replays, oldest first, up to `limit` matching dead letters not replayed yet. */
  async replayMatching(tenant: string, dto: BulkReplayDto): Promise<BulkReplayResult> {
    const { code, topic, partition } = dto;
    const filter = { tenant, code, topic, partition, ...timeWindow(dto) };
    return this.repository.replayMany(filter, dto.limit ?? QUERY_LIMITS.defaultBulkReplay, async (records) => {
      // One at a time, in order: records of one stream stay in their order, and each ack names its offset.
      const to = [];
      for (const record of records) to.push(await this.produce(plannedMessage(record, undefined)));
      return to;
    });
  }

  private async produce(message: Message) {
    const topic = this.config.INGEST_TOPICS[0];
    const [ack] = await this.producer.send(topic, [message]);
    return { topic, partition: ack.partition, offset: String(ack.baseOffset) };
  }
}

function plannedMessage(record: DeadLetterRecord, value: Record<string, unknown> | undefined): Message {
  const plan = replayMessage(record, value);
  if (!plan.ok) throw new ApiError(errorBody(plan.status, plan.detail.message, [plan.detail]));
  return plan.message;
}
