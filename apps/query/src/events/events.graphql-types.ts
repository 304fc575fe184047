import { Field, InputType, ObjectType, registerEnumType } from '@nestjs/graphql';
import { ListEventsQueryDto, SORT_FIELDS, SORT_ORDERS, SortField, SortOrder } from '@eventlog/contracts';
import { SafeIntScalar } from '../graphql/scalars';
import { EventType } from '../graphql/stored-event.type';

const enumOf = <T extends string>(values: readonly T[]) => Object.fromEntries(values.map((v) => [v, v])) as Record<T, T>;
/** The REST values (`occurredAt`, `asc`) as GraphQL enum values. */
export const EventSortEnum = enumOf<SortField>(SORT_FIELDS);
export const SortOrderEnum = enumOf<SortOrder>(SORT_ORDERS);
registerEnumType(EventSortEnum, { name: 'EventSort', description: 'What the log is ordered by' });
registerEnumType(SortOrderEnum, { name: 'SortOrder' });

type FilterFields = 'stream' | 'streamPrefix' | 'type' | 'status' | 'source' | 'requestId' | 'q' | 'from' | 'to';

/** GET /v1/events's filters, validated by its DTO (ListEventsQueryDto). */
@InputType('EventFilter')
export class EventFilterInput implements Pick<ListEventsQueryDto, FilterFields> {
  @Field({ nullable: true, description: 'Exact stream' }) stream?: string;
  @Field({ nullable: true, description: 'Streams whose name starts with this' }) streamPrefix?: string;
  @Field(() => [String], { nullable: true, description: 'Any of these types' }) type?: string[];
  @Field({ nullable: true }) status?: string;
  @Field({ nullable: true }) source?: string;
  @Field({ nullable: true }) requestId?: string;
  @Field({ nullable: true, description: 'Case-insensitive substring of message' }) q?: string;
  @Field({ nullable: true, description: 'occurredAt ≥ from (RFC 3339, or epoch ms as digits)' }) from?: string;
  @Field({ nullable: true, description: 'occurredAt ≤ to (RFC 3339, or epoch ms as digits)' }) to?: string;
}

@ObjectType('PageInfo')
export class PageInfoType {
  @Field() hasNextPage: boolean;
  @Field(() => String, { nullable: true, description: 'Pass as `after` for the next page (REST’s nextCursor); null on the last page' })
  endCursor: string | null;
}

@ObjectType('EventConnection', { description: 'One page of the log' })
export class EventConnectionType {
  @Field(() => SafeIntScalar, { nullable: true, description: 'Events the filter matches (counted only when selected)' })
  totalCount: number | null;
  @Field(() => [EventType]) nodes: EventType[];
  @Field(() => PageInfoType) pageInfo: PageInfoType;
}
