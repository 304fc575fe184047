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
import { StreamsService } from './streams.service';
import { RequestTenant, TenantIn } from '@eventlog/auth';

@ApiTags('streams')
@ApiErrors()
@Controller('v1/streams')
export class StreamsController {
  constructor(private readonly streams: StreamsService) {}

  @TenantIn('query')
  @Get()
  @ApiOperation({ summary: 'Streams by name, optionally by prefix, paged' })
  @ApiOkResponse({ type: StreamPage })
  list(@Query() query: ListStreamsQueryDto, @RequestTenant() tenant: string) {
    return this.streams.list(tenant, query);
  }

  @TenantIn('query')
  @Get(':stream')
  @ApiOperation({ summary: 'A stream’s head: version, event count, first and last occurredAt' })
  @ApiOkResponse({ type: StreamInfo })
  info(@Param() { stream }: StreamParamDto, @Query() _query: TenantQueryDto, @RequestTenant() tenant: string) {
    return this.streams.info(tenant, stream);
  }

  @TenantIn('query')
  @Get(':stream/events')
  @ApiOperation({ summary: 'Read a stream forward or backward from a version' })
  @ApiOkResponse({ type: StreamRead })
  read(@Param() { stream }: StreamParamDto, @Query() query: ReadStreamQueryDto, @RequestTenant() tenant: string) {
    return this.streams.read(tenant, { ...query, stream });
  }
}
