import { Controller, Get, Query } from '@nestjs/common';
import { ApiOkResponse, ApiOperation, ApiTags } from '@nestjs/swagger';
import { Stats, StatsQueryDto } from '@eventlog/contracts';
import { ApiErrors } from '../http/api-errors.decorator';
import { StatsService } from './stats.service';
import { RequestTenant, TenantIn } from '@eventlog/auth';

@ApiTags('stats')
@ApiErrors()
@Controller('v1/stats')
export class StatsController {
  constructor(private readonly stats: StatsService) {}

  @TenantIn('query')
  @Get()
  @ApiOperation({ summary: 'Counts by type, status and source, stream count, time span and ingest lag' })
  @ApiOkResponse({ type: Stats })
  get(@Query() query: StatsQueryDto, @RequestTenant() tenant: string) {
    return this.stats.get(tenant, query);
  }
}
