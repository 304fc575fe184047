import { Controller, Get, Param, Query } from '@nestjs/common';
import { ApiOkResponse, ApiOperation, ApiTags } from '@nestjs/swagger';
import {
  ListStreamsQueryDto,
  ReadStreamQueryDto,
  StreamInfo,
  StreamPage,
  StreamParamDto,
  StreamRead,
  TenantQueryDto,
} from '@eventlog/contracts';
import { ApiErrors } from '../http/api-errors.decorator';
import { tenantOf } from '../parameters/tenant';
import { StreamsService } from './streams.service';
import { TenantIn } from '@eventlog/auth';

@ApiTags('streams')
@ApiErrors()
@Controller('v1/streams')
export class StreamsController {
  constructor(private readonly streams: StreamsService) {}

  @TenantIn('query')
  @Get()
  @ApiOperation({ summary: 'Streams by name, optionally by prefix, paged' })
  @ApiOkResponse({ type: StreamPage })
  list(@Query() query: ListStreamsQueryDto) {
    return this.streams.list(query);
  }

  @TenantIn('query')
  @Get(':stream')
  @ApiOperation({ summary: 'A stream’s head: version, event count, first and last occurredAt' })
  @ApiOkResponse({ type: StreamInfo })
  info(@Param() { stream }: StreamParamDto, @Query() query: TenantQueryDto) {
    return this.streams.info(tenantOf(query), stream);
  }

  @TenantIn('query')
  @Get(':stream/events')
  @ApiOperation({ summary: 'Read a stream forward or backward from a version' })
  @ApiOkResponse({ type: StreamRead })
  read(@Param() { stream }: StreamParamDto, @Query() query: ReadStreamQueryDto) {
    return this.streams.read({ ...query, stream });
  }
}
