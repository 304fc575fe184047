import { Body, Controller, Get, HttpCode, Param, Post, Query } from '@nestjs/common';
import { ApiOkResponse, ApiOperation, ApiResponse, ApiTags } from '@nestjs/swagger';
import { RequestTenant, RequiresScope, TenantIn } from '@eventlog/auth';
import {
  ApiErrorBody,
  BulkReplayDto,
  BulkReplayResult,
  DeadLetterIdParamDto,
  DeadLetterPage,
  ListDeadLettersQueryDto,
  ReplayDeadLetterDto,
  ReplayResult,
  TenantQueryDto,
} from '@eventlog/contracts';
import { ApiErrors } from '../http/api-errors.decorator';
import { DeadLettersService } from './dead-letters.service';

@ApiTags('dead letters')
@ApiErrors()
@Controller('v1/dead-letters')
export class DeadLettersController {
  constructor(private readonly deadLetters: DeadLettersService) {}

  @TenantIn('query')
  @Get()
  @ApiOperation({ summary: 'Rejected records, newest first, with code, message and source coordinates; tenant=* for every tenant' })
  @ApiOkResponse({ type: DeadLetterPage })
  list(@Query() query: ListDeadLettersQueryDto, @RequestTenant() tenant: string) {
    return this.deadLetters.list(tenant, query);
  }

  // Declared before ':id/replay' so that "replay" is never read as an id.
  @TenantIn('body')
  @RequiresScope('publish')
  @Post('replay')
  @HttpCode(200)
  @ApiOperation({ summary: 'Replay, oldest first, up to limit matching dead letters not replayed yet (original bytes)' })
  @ApiOkResponse({ type: BulkReplayResult })
  @ApiResponse({ status: 503, description: 'Kafka or Postgres unavailable', type: ApiErrorBody })
  replayMatching(@Body() body: BulkReplayDto, @RequestTenant() tenant: string) {
    return this.deadLetters.replayMatching(tenant, body);
  }

  @TenantIn('query')
  @RequiresScope('publish')
  @Post(':id/replay')
  @HttpCode(202)
  @ApiOperation({ summary: 'Re-publish a dead letter to the ingest topic, optionally with a corrected value, and mark it replayed' })
  @ApiResponse({ status: 202, type: ReplayResult })
  @ApiResponse({ status: 409, description: 'Kept only in part (over 64 KiB): give a corrected value', type: ApiErrorBody })
  replay(@Param() { id }: DeadLetterIdParamDto, @Query() _query: TenantQueryDto, @Body() body: ReplayDeadLetterDto, @RequestTenant() tenant: string) {
    return this.deadLetters.replay(tenant, id, body.value);
  }
}
