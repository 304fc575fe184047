import { Args, Int, Query, Resolver } from '@nestjs/graphql';
import { RequestTenant, TenantIn } from '@eventlog/auth';
import { EventIdParamDto, ListEventsQueryDto, SortField, SortOrder } from '@eventlog/contracts';
import { namedByArguments, nullWhenNotFound, refuseNull, TENANT_ARGUMENT, validArguments } from '../graphql/graphql-args';
import { Selects } from '../graphql/selection';
import { EventType, readableEvent } from '../graphql/stored-event.type';
import { EventConnectionType, EventFilterInput, EventSortEnum, PageInfoType, SortOrderEnum } from './events.graphql-types';
import { EventsService } from './events.service';

/** ListEventsQueryDto's fields by their GraphQL arguments: the filters sit in `filter`. */
const OWN_ARGUMENTS: Record<string, string> = { filter: 'filter', limit: 'first', cursor: 'after', sort: 'sort', order: 'order' };
const argumentOf = (field: string) => OWN_ARGUMENTS[field] ?? `filter.${field}`;

/** GraphQL `events` and `event`: the same service and validation as GET /v1/events and /v1/events/{id}. */
@Resolver()
export class EventsResolver {
  constructor(private readonly log: EventsService) {}

  @TenantIn('args')
  @Query(() => EventConnectionType, { nullable: true, description: 'The log, filtered, sorted and paged by keyset (first, after)' })
  events(
    @RequestTenant() tenant: string,
    @Args('tenant', TENANT_ARGUMENT) _tenant: string | undefined,
    @Args('filter', { type: () => EventFilterInput, nullable: true }) filter: Partial<EventFilterInput> | null | undefined,
    @Args('first', { type: () => Int, nullable: true, description: 'Page size (default 20, at most 1000)' }) first: number | null | undefined,
    @Args('after', { type: () => String, nullable: true, description: 'pageInfo.endCursor of the previous page' }) after: string | null | undefined,
    @Args('sort', { type: () => EventSortEnum, nullable: true, description: 'Default occurredAt' }) sort: SortField | null | undefined,
    @Args('order', { type: () => SortOrderEnum, nullable: true, description: 'Default desc' }) order: SortOrder | null | undefined,
    @Selects('totalCount') includeTotal: boolean,
  ): Promise<EventConnectionType> {
    return namedByArguments(argumentOf, async () => {
      refuseNull('filter', filter);
      const query = await validArguments(ListEventsQueryDto, { ...filter, limit: first, cursor: after, sort, order, includeTotal });
      const page = await this.log.list(tenant, query);
      const pageInfo: PageInfoType = { hasNextPage: page.nextCursor !== null, endCursor: page.nextCursor };
      return { totalCount: page.totalCount, nodes: page.events.map(readableEvent), pageInfo };
    });
  }

  @TenantIn('args')
  @Query(() => EventType, { nullable: true, description: 'One event by id; null when the tenant has none' })
  event(
    @RequestTenant() tenant: string,
    @Args('tenant', TENANT_ARGUMENT) _tenant: string | undefined,
    @Args('id', { type: () => String }) id: string,
  ): Promise<EventType | null> {
    return namedByArguments(
      (field) => field,
      async () => {
        const valid = await validArguments(EventIdParamDto, { id });
        return nullWhenNotFound(this.log.get(tenant, valid.id).then(readableEvent));
      },
    );
  }
}
