import { Controller, Get, Param, Query } from '@nestjs/common';
import { ApiOkResponse, ApiOperation, ApiTags } from '@nestjs/swagger';
import { EventIdParamDto, EventPage, ListEventsQueryDto, StoredEventDto, TenantQueryDto } from '@eventlog/contracts';
import { ApiErrors } from '../http/api-errors.decorator';
import { EventsService } from './events.service';
import { TenantIn } from '@eventlog/auth';

@ApiTags('events')
@ApiErrors()
@Controller('v1/events')
export class EventsController {
  constructor(private readonly events: EventsService) {}

  @TenantIn('query')
  @Get()
  @ApiOperation({ summary: 'Log query: filters, sort, and page+pageSize, offset+limit or cursor paging' })
  @ApiOkResponse({ type: EventPage })
  list(@Query() query: ListEventsQueryDto): Promise<EventPage> {
    return this.events.list(query);
  }

  @TenantIn('query')
  @Get(':id')
  @ApiOperation({ summary: 'One event by id' })
  @ApiOkResponse({ type: StoredEventDto })
  get(@Param() { id }: EventIdParamDto, @Query() { tenant }: TenantQueryDto) {
    return this.events.get({ id, tenant });
  }
}
