import { Field, Float, ObjectType } from '@nestjs/graphql';
import { SafeIntScalar } from '../graphql/scalars';

@ObjectType('KeyCount', { description: 'How many events have this type, status or source ("" for none)' })
export class KeyCountType {
  @Field() key: string;
  @Field(() => SafeIntScalar) count: number;
}

@ObjectType('IngestLag')
export class IngestLagType {
  @Field(() => SafeIntScalar, { nullable: true, description: 'Records on the ingest topics not yet consumed; null when Kafka does not answer' })
  records: number | null;
  @Field(() => Float, { nullable: true, description: 'Seconds since the newest append (any tenant); null on an empty log' })
  secondsSinceLastAppend: number | null;
  @Field(() => SafeIntScalar) lastPosition: number;
}

@ObjectType('DeadLetterCounts', { description: 'The tenant’s dead letters (every one with tenant "*") received within from/to' })
export class DeadLetterCountsType {
  @Field(() => SafeIntScalar) total: number;
  @Field(() => SafeIntScalar, { description: 'Not replayed yet' }) pending: number;
  @Field(() => [KeyCountType], { description: 'Count per rejection code' }) byCode: KeyCountType[];
}

/** GET /v1/stats's reply, its count maps as lists of {key, count} in the same order. */
@ObjectType('Stats')
export class StatsType {
  @Field() tenant: string;
  @Field(() => SafeIntScalar) totalCount: number;
  @Field(() => [KeyCountType]) byType: KeyCountType[];
  @Field(() => [KeyCountType]) byStatus: KeyCountType[];
  @Field(() => [KeyCountType]) bySource: KeyCountType[];
  @Field(() => SafeIntScalar) streamCount: number;
  @Field(() => String, { nullable: true }) firstOccurredAt: string | null;
  @Field(() => String, { nullable: true }) lastOccurredAt: string | null;
  @Field(() => IngestLagType) ingestLag: IngestLagType;
  @Field(() => DeadLetterCountsType) deadLetters: DeadLetterCountsType;
}
