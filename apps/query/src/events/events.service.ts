import { Injectable } from '@nestjs/common';
import { EventPage, ListEventsQueryDto, StoredEvent } from '@eventlog/contracts';
import { EventQueryRepository } from '@eventlog/store';
import { ApiError } from '../errors/api-error';
import { resolvePaging } from '../parameters/paging';
import { timeWindow } from '../parameters/time-window';

/** The log: filtered, sorted, paged lists and single events. */
@Injectable()
export class EventsService {
  constructor(private readonly events: EventQueryRepository) {}

  list(tenant: string, dto: ListEventsQueryDto): Promise<EventPage> {
    const paging = resolvePaging(dto);
    return this.events.list({
      filter: {
        tenant,
        stream: dto.stream,
        streamPrefix: dto.streamPrefix,
        types: dto.type,
        status: dto.status,
        source: dto.source,
        requestId: dto.requestId,
        q: dto.q,
        ...timeWindow(dto),
      },
      sort: dto.sort ?? 'occurredAt',
      order: dto.order ?? 'desc',
      limit: paging.limit,
      offset: paging.offset,
      cursor: paging.cursor,
      includeTotal: dto.includeTotal ?? true,
    });
  }

  async get(tenant: string, id: string): Promise<StoredEvent> {
    const event = await this.events.findById(tenant, id);
    if (!event) throw ApiError.notFound(`no event ${id} in tenant ${tenant}`);
    return event;
  }
}
