import { Field, Int, ObjectType } from '@nestjs/graphql';
import { KafkaCoordinates, RawJson, StoredEvent } from '@eventlog/contracts';
import { JsonScalar, SafeIntScalar } from './scalars';

@ObjectType('KafkaCoordinates', { description: 'The Kafka record an event came from' })
export class KafkaCoordinatesType implements KafkaCoordinates {
  @Field() topic: string;
  @Field(() => Int) partition: number;
  @Field(() => SafeIntScalar) offset: number;
}

/** Contract section 1's stored event; times are RFC 3339 text with ms, UTC, exactly as REST has them. */
@ObjectType('Event', { description: 'A stored event (contract section 1)' })
export class EventType implements StoredEvent {
  @Field() id: string;
  @Field() tenant: string;
  @Field() stream: string;
  @Field(() => SafeIntScalar) version: number;
  @Field(() => SafeIntScalar) position: number;
  @Field() type: string;
  @Field(() => JsonScalar) data: Record<string, unknown>;
  @Field(() => JsonScalar) metadata: Record<string, unknown>;
  @Field(() => String, { nullable: true }) source: string | null;
  @Field(() => String, { nullable: true }) status: string | null;
  @Field(() => String, { nullable: true }) message: string | null;
  @Field(() => String, { nullable: true }) requestId: string | null;
  @Field() nodeId: string;
  @Field(() => String, { nullable: true }) parentNodeId: string | null;
  @Field({ description: 'RFC 3339, UTC, ms' }) occurredAt: string;
  @Field({ description: 'RFC 3339, UTC, ms' }) recordedAt: string;
  @Field(() => KafkaCoordinatesType, { nullable: true }) kafka: KafkaCoordinates | null;
}

/**
 * An event with every field readable. The read repositories hand events over as the JSON text
 * Postgres built (RawJson), which REST splices into its reply as is; GraphQL picks fields, so
 * it reads the text once.
 */
export const readableEvent = (event: StoredEvent): StoredEvent =>
  event instanceof RawJson ? (JSON.parse(event.json) as StoredEvent) : event;
