import { Controller, Get, Param, Query } from '@nestjs/common';
import { ApiOkResponse, ApiOperation, ApiTags } from '@nestjs/swagger';
import { ListTracesQueryDto, OpenTracePage, TenantQueryDto, Trace, TraceNodeParamDto, TraceParamDto } from '@eventlog/contracts';
import { ApiErrors } from '../http/api-errors.decorator';
import { TracesService } from './traces.service';
import { RequestTenant, TenantIn } from '@eventlog/auth';

@ApiTags('traces')
@ApiErrors()
@Controller('v1/traces')
export class TracesController {
  constructor(private readonly traces: TracesService) {}

  @TenantIn('query')
  @Get()
  @ApiOperation({ summary: 'Open chains (status=running), newest activity first, optionally only those idle for at least stalledFor; paged' })
  @ApiOkResponse({ type: OpenTracePage })
  list(@Query() query: ListTracesQueryDto, @RequestTenant() tenant: string) {
    return this.traces.list(tenant, query);
  }

  @TenantIn('query')
  @Get(':requestId')
  @ApiOperation({ summary: 'A whole chain: events, node tree, derived status, start, end and duration' })
  @ApiOkResponse({ type: Trace })
  trace(@Param() { requestId }: TraceParamDto, @Query() _query: TenantQueryDto, @RequestTenant() tenant: string) {
    return this.traces.trace(tenant, requestId);
  }

  @TenantIn('query')
  @Get(':requestId/nodes/:nodeId')
  @ApiOperation({ summary: 'One node and all its descendants, at any depth, in the same shape' })
  @ApiOkResponse({ type: Trace })
  node(@Param() { requestId, nodeId }: TraceNodeParamDto, @Query() _query: TenantQueryDto, @RequestTenant() tenant: string) {
    return this.traces.node(tenant, requestId, nodeId);
  }
}
