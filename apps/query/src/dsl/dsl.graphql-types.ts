import { Field, Int, ObjectType } from '@nestjs/graphql';
import { JsonScalar, SafeIntScalar } from '../graphql/scalars';

@ObjectType('AggregateGroup')
export class AggregateGroupType {
  @Field(() => JsonScalar, { description: 'groupBy field → value' }) key: Record<string, unknown>;
  @Field(() => String, { nullable: true, description: 'Start of the time bucket, with interval' }) bucket?: string;
  @Field(() => JsonScalar, { nullable: true, description: 'count/sum/avg/min/max: a number (or a time or text); collect: an array' })
  value: unknown;
}

/** POST /v1/query's reply: `groups` with a reduce, else `totalCount`, `count` and `events`. */
@ObjectType('Aggregate')
export class AggregateType {
  @Field(() => SafeIntScalar, { nullable: true }) totalCount?: number | null;
  @Field(() => Int, { nullable: true }) count?: number;
  @Field(() => [JsonScalar], { nullable: true, description: 'Whole events, or the selected fields of each' }) events?: unknown[];
  @Field(() => [AggregateGroupType], { nullable: true }) groups?: AggregateGroupType[];
}
