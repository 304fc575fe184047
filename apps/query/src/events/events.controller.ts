import { Controller, Get, Param, Query } from '@nestjs/common';
import { ApiOkResponse, ApiOperation, ApiTags } from '@nestjs/swagger';
import { EventIdParamDto, EventPage, ListEventsQueryDto, StoredEventDto, TenantQueryDto } from '@eventlog/contracts';
import { ApiErrors } from '../http/api-errors.decorator';
import { EventsService } from './events.service';
import { RequestTenant, TenantIn } from '@eventlog/auth';

@ApiTags('events')
@ApiErrors()
@Controller('v1/events')
export class EventsController {
  constructor(private readonly events: EventsService) {}

  @TenantIn('query')
  @Get()
  @ApiOperation({ summary: 'Log query: filters, sort, and page+pageSize, offset+limit or cursor paging' })
  @ApiOkResponse({ type: EventPage })
  list(@Query() query: ListEventsQueryDto, @RequestTenant() tenant: string): Promise<EventPage> {
    return this.events.list(tenant, query);
  }

  @TenantIn('query')
  @Get(':id')
  @ApiOperation({ summary: 'One event by id' })
  @ApiOkResponse({ type: StoredEventDto })
  // The query is validated (unknown parameters refused) though only the guard reads its tenant.
  get(@Param() { id }: EventIdParamDto, @Query() _query: TenantQueryDto, @RequestTenant() tenant: string) {
    return this.events.get(tenant, id);
  }
}
