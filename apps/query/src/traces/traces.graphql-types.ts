import { Field, ObjectType } from '@nestjs/graphql';
import { StoredEvent, Trace, TraceNode, TraceStatus } from '@eventlog/contracts';
import { SafeIntScalar } from '../graphql/scalars';
import { EventType } from '../graphql/stored-event.type';

@ObjectType('TraceNode', { description: 'A step of a chain: its events, latest status and the nodes it caused' })
export class TraceNodeType implements TraceNode {
  @Field() nodeId: string;
  @Field(() => String, { nullable: true }) parentNodeId: string | null;
  @Field(() => String, { nullable: true, description: 'Status of the node’s latest event' }) status: string | null;
  @Field() startedAt: string;
  @Field() endedAt: string;
  @Field(() => [EventType]) events: StoredEvent[];
  @Field(() => [TraceNodeType]) children: TraceNodeType[];
}

@ObjectType('Trace', { description: 'GET /v1/traces/{requestId}: a whole chain' })
export class TraceType implements Trace {
  @Field() requestId: string;
  @Field(() => String, { description: '`fail`, `running` or `success` (contract section 4)' }) status: TraceStatus;
  @Field() startedAt: string;
  @Field() endedAt: string;
  @Field(() => SafeIntScalar) durationMs: number;
  @Field(() => SafeIntScalar) eventCount: number;
  @Field({ description: 'true when the trace has more events than one reply carries' }) truncated: boolean;
  @Field(() => [EventType], { description: 'Every event of the chain in time order (with nodeId and parentNodeId: the tree at any depth)' })
  events: StoredEvent[];
  @Field(() => [TraceNodeType]) nodes: TraceNodeType[];
}
