import {
  BulkReplayDto,
  DeleteStreamRequestDto,
  EnrollDto,
  ListDeadLettersQueryDto,
  ReplayDeadLetterDto,
  DslConditionDto,
  DslFromDto,
  DslOrderByDto,
  DslQueryDto,
  DslReduceDto,
  GetEventRequestDto,
  ListEventsQueryDto,
  PublishEventDto,
  ReadStreamRequestDto,
  StatsQueryDto,
  TraceNodeRequestDto,
  TraceRequestDto,
} from '@eventlog/contracts';
import {
  DeadLettersQuery,
  DeleteStreamRequest,
  DslQuery,
  EnrollRequest,
  EventQuery,
  EventsQuery,
  PublishEvent,
  ReplayDeadLetterRequest,
  ReplayDeadLettersRequest,
  StatsQuery,
  StreamQuery,
  TraceNodeQuery,
  TraceQuery,
} from './requests';

/** `true` only when A and B name exactly the same fields: a drift breaks the type check of this file. */
type SameFields<A, B> = [Exclude<keyof A, keyof B>, Exclude<keyof B, keyof A>] extends [never, never] ? true : false;
type Item<T> = T extends (infer I)[] ? I : never;

describe('the client’s request types', () => {
  it('name exactly the fields of the server’s DTOs', () => {
    const same: true[] = [
      true satisfies SameFields<EventsQuery, ListEventsQueryDto>,
      true satisfies SameFields<EventQuery, GetEventRequestDto>,
      true satisfies SameFields<StreamQuery, ReadStreamRequestDto>,
      true satisfies SameFields<TraceQuery, TraceRequestDto>,
      true satisfies SameFields<TraceNodeQuery, TraceNodeRequestDto>,
      true satisfies SameFields<StatsQuery, StatsQueryDto>,
      true satisfies SameFields<DslQuery, DslQueryDto>,
      true satisfies SameFields<NonNullable<DslQuery['from']>, DslFromDto>,
      true satisfies SameFields<Item<DslQuery['where']>, DslConditionDto>,
      true satisfies SameFields<NonNullable<DslQuery['orderBy']>, DslOrderByDto>,
      true satisfies SameFields<NonNullable<DslQuery['reduce']>, DslReduceDto>,
      true satisfies SameFields<PublishEvent, PublishEventDto>,
      true satisfies SameFields<DeleteStreamRequest, DeleteStreamRequestDto>,
      true satisfies SameFields<EnrollRequest, EnrollDto>,
      true satisfies SameFields<Item<EnrollRequest['filter']>, DslConditionDto>,
      true satisfies SameFields<DeadLettersQuery, ListDeadLettersQueryDto>,
      true satisfies SameFields<ReplayDeadLettersRequest, BulkReplayDto>,
      // The id goes in the path and the tenant in the query string; the body is the DTO.
      true satisfies SameFields<Omit<ReplayDeadLetterRequest, 'id' | 'tenant'>, ReplayDeadLetterDto>,
    ];
    expect(same.every(Boolean)).toBe(true);
  });
});
