import {
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
import { DslQuery, EventQuery, EventsQuery, PublishEvent, StatsQuery, StreamQuery, TraceNodeQuery, TraceQuery } from './requests';

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
    ];
    expect(same.every(Boolean)).toBe(true);
  });
});
