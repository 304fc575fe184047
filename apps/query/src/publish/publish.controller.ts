import { Body, Controller, Post, Query, Res } from '@nestjs/common';
import { ApiBody, ApiOperation, ApiResponse, ApiTags } from '@nestjs/swagger';
import {
  ApiErrorBody,
  BatchItemResult,
  PublishEventDto,
  PublishQueryDto,
  PublishResult,
  QUERY_LIMITS,
  StoredEventDto,
} from '@eventlog/contracts';
import { ApiError, errorBody } from '../errors/api-error';
import { HttpResponse } from '../http/http-types';
import { BatchBodyPipe } from './batch-body.pipe';
import { batchItem, PublishService } from './publish.service';
import { RequiresScope, TenantIn } from '@eventlog/auth';

@ApiTags('publish')
@ApiResponse({ status: 400, description: 'Invalid event; details name the fields', type: ApiErrorBody })
@ApiResponse({ status: 503, description: 'Kafka or Postgres unavailable', type: ApiErrorBody })
@Controller('v1/events')
export class PublishController {
  constructor(private readonly publish: PublishService) {}

  @TenantIn('body')
  @RequiresScope('publish')
  @Post()
  @ApiOperation({ summary: 'Publish one event to the ingest topic; with wait=true, until it is persisted or rejected' })
  @ApiResponse({ status: 202, description: 'Produced (or, with wait, not persisted within waitMs)', type: PublishResult })
  @ApiResponse({ status: 201, description: 'wait=true: persisted', type: StoredEventDto })
  @ApiResponse({ status: 409, description: 'wait=true: rejected by ingest; code is the dead-letter code', type: ApiErrorBody })
  async one(@Body() event: PublishEventDto, @Query() query: PublishQueryDto, @Res({ passthrough: true }) res: HttpResponse) {
    if (!query.wait) {
      res.status(202);
      return (await this.publish.publish([event], false))[0];
    }
    const [{ result, outcome }] = await this.publish.publishAndWait([event], query.waitMs ?? QUERY_LIMITS.defaultWaitMs, false);
    if (outcome.kind === 'rejected') {
      throw new ApiError(errorBody(409, `event ${result.id} was rejected: ${outcome.message}`, [], { code: outcome.code }));
    }
    res.status(outcome.kind === 'persisted' ? 201 : 202);
    return outcome.kind === 'persisted' ? outcome.event : result;
  }

  @TenantIn('body[]')
  @RequiresScope('publish')
  @Post('batch')
  @ApiOperation({
    summary: `Publish up to ${QUERY_LIMITS.maxBatch} events in one request; one result per item, in order`,
    description:
      'Without wait: 202 and each item’s coordinates. With wait=true: each item carries status 201 (persisted, with event), ' +
      '409 (rejected, with rejection) or 202 (not known within waitMs); the response status is that status when all items share it, else 207.',
  })
  @ApiBody({ type: [PublishEventDto] })
  @ApiResponse({ status: 202, type: [BatchItemResult] })
  async batch(@Body(BatchBodyPipe) events: PublishEventDto[], @Query() query: PublishQueryDto, @Res({ passthrough: true }) res: HttpResponse) {
    if (!query.wait) {
      res.status(202);
      return (await this.publish.publish(events, true)).map((r): BatchItemResult => ({ ...r, status: 202 }));
    }
    const items = (await this.publish.publishAndWait(events, query.waitMs ?? QUERY_LIMITS.defaultWaitMs, true)).map(batchItem);
    res.status(items.every((i) => i.status === items[0].status) ? items[0].status : 207);
    return items;
  }
}
