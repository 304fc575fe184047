import { Field, Int, ObjectType, registerEnumType } from '@nestjs/graphql';
import { READ_DIRECTIONS, ReadDirection, StoredEvent, StreamRead } from '@eventlog/contracts';
import { SafeIntScalar } from '../graphql/scalars';
import { EventType } from '../graphql/stored-event.type';

export const ReadDirectionEnum = Object.fromEntries(READ_DIRECTIONS.map((d) => [d, d])) as Record<ReadDirection, ReadDirection>;
registerEnumType(ReadDirectionEnum, { name: 'ReadDirection' });

/** GET /v1/streams/{stream}/events's reply: the stream's head and a read of its events. */
@ObjectType('Stream')
export class StreamType implements StreamRead {
  @Field() stream: string;
  @Field(() => SafeIntScalar, { description: 'Current version (the last event’s)' }) version: number;
  @Field(() => SafeIntScalar) eventCount: number;
  @Field() firstOccurredAt: string;
  @Field() lastOccurredAt: string;
  @Field(() => ReadDirectionEnum) direction: ReadDirection;
  @Field(() => SafeIntScalar) fromVersion: number;
  @Field(() => Int, { description: 'Events in this read' }) count: number;
  @Field(() => [EventType]) events: StoredEvent[];
  @Field(() => SafeIntScalar, { nullable: true, description: 'fromVersion of the next read; null at the end' }) nextVersion: number | null;
}
