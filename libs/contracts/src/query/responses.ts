import { ApiProperty, ApiPropertyOptional } from '@nestjs/swagger';
import { KafkaCoordinates, StoredEvent } from '../event';
import { DeadLetterCounts } from './dead-letters.dto';

/*
 * What the query API answers, over HTTP and as Kafka reply values. Classes so that /docs can describe
 * them; the same classes type the services and EventLogClient.
 */

export class KafkaCoordinatesDto implements KafkaCoordinates {
  @ApiProperty() topic: string;
  @ApiProperty() partition: number;
  @ApiProperty() offset: number;
}

export class StoredEventDto implements StoredEvent {
  @ApiProperty() id: string;
  @ApiProperty() tenant: string;
  @ApiProperty() stream: string;
  @ApiProperty() version: number;
  @ApiProperty() position: number;
  @ApiProperty() type: string;
  @ApiProperty({ type: Object }) data: Record<string, unknown>;
  @ApiProperty({ type: Object }) metadata: Record<string, unknown>;
  @ApiProperty({ type: String, nullable: true }) source: string | null;
  @ApiProperty({ type: String, nullable: true }) status: string | null;
  @ApiProperty({ type: String, nullable: true }) message: string | null;
  @ApiProperty({ type: String, nullable: true }) requestId: string | null;
  @ApiProperty() nodeId: string;
  @ApiProperty({ type: String, nullable: true }) parentNodeId: string | null;
  @ApiProperty({ format: 'date-time' }) occurredAt: string;
  @ApiProperty({ format: 'date-time' }) recordedAt: string;
  @ApiProperty({ type: KafkaCoordinatesDto, nullable: true }) kafka: KafkaCoordinates | null;
}

export class EventPage {
  @ApiProperty({ type: Number, nullable: true, description: 'null when includeTotal=false' }) totalCount: number | null;
  @ApiProperty() count: number;
  @ApiProperty({ type: [StoredEventDto] }) events: StoredEvent[];
  @ApiProperty({ type: String, nullable: true, description: 'Pass as cursor for the next page; null on the last page' })
  nextCursor: string | null;
}

export class StreamInfo {
  @ApiProperty() stream: string;
  @ApiProperty({ description: 'Current version (the last event’s)' }) version: number;
  @ApiProperty({ description: 'Events a reader sees: after a deletion, from its StreamDeleted event on' }) eventCount: number;
  @ApiProperty({ format: 'date-time' }) firstOccurredAt: string;
  @ApiProperty({ format: 'date-time' }) lastOccurredAt: string;
}

export class StreamPage {
  @ApiProperty() totalCount: number;
  @ApiProperty() count: number;
  @ApiProperty({ type: [StreamInfo] }) streams: StreamInfo[];
  @ApiProperty({ type: String, nullable: true }) nextCursor: string | null;
}

/** What `DELETE /v1/streams/{stream}` answers: where its StreamDeleted event landed. */
export class StreamDeletedResult {
  @ApiProperty() stream: string;
  @ApiProperty() hard: boolean;
  @ApiProperty({ description: 'Version of the StreamDeleted event; every version below it is deleted' }) version: number;
  @ApiProperty({ description: 'Position of the StreamDeleted event' }) position: number;
  @ApiProperty({ description: 'Events this deletion hid' }) deletedEvents: number;
  @ApiProperty({ description: 'Id of the StreamDeleted event' }) eventId: string;
}

export class StreamRead extends StreamInfo {
  @ApiProperty({ enum: ['forward', 'backward'] }) direction: 'forward' | 'backward';
  @ApiProperty() fromVersion: number;
  @ApiProperty() count: number;
  @ApiProperty({ type: [StoredEventDto] }) events: StoredEvent[];
  @ApiProperty({ type: Number, nullable: true, description: 'fromVersion of the next read; null at the end' })
  nextVersion: number | null;
}

export class TraceNode {
  @ApiProperty() nodeId: string;
  @ApiProperty({ type: String, nullable: true }) parentNodeId: string | null;
  @ApiProperty({ type: String, nullable: true, description: 'Status of the node’s latest event' }) status: string | null;
  @ApiProperty({ format: 'date-time' }) startedAt: string;
  @ApiProperty({ format: 'date-time' }) endedAt: string;
  @ApiProperty({ type: [StoredEventDto] }) events: StoredEvent[];
  @ApiProperty({ type: () => [TraceNode] }) children: TraceNode[];
}

export type TraceStatus = 'fail' | 'running' | 'success';

export class Trace {
  @ApiProperty() requestId: string;
  @ApiProperty({ enum: ['fail', 'running', 'success'] }) status: TraceStatus;
  @ApiProperty({ format: 'date-time' }) startedAt: string;
  @ApiProperty({ format: 'date-time' }) endedAt: string;
  @ApiProperty() durationMs: number;
  @ApiProperty() eventCount: number;
  @ApiProperty({ description: 'true when the trace has more events than one reply carries' }) truncated: boolean;
  @ApiProperty({ type: [StoredEventDto] }) events: StoredEvent[];
  @ApiProperty({ type: [TraceNode] }) nodes: TraceNode[];
}

/** The latest event of an open chain: the node it is waiting on. */
export class OpenTraceLastEvent {
  @ApiProperty() id: string;
  @ApiProperty() nodeId: string;
  @ApiProperty() type: string;
  @ApiProperty({ enum: ['pending', 'waiting', 'running'] }) status: string;
  @ApiProperty({ format: 'date-time' }) recordedAt: string;
}

export class OpenTrace {
  @ApiProperty() requestId: string;
  @ApiProperty({ enum: ['running'] }) status: 'running';
  @ApiProperty({ description: 'Milliseconds since the chain’s latest event was recorded' }) idleMs: number;
  @ApiProperty({ type: OpenTraceLastEvent }) lastEvent: OpenTraceLastEvent;
}

export class OpenTracePage {
  @ApiProperty() totalCount: number;
  @ApiProperty() count: number;
  @ApiProperty({ type: [OpenTrace] }) traces: OpenTrace[];
  @ApiProperty({ type: String, nullable: true }) nextCursor: string | null;
}

export class DslEventsReply {
  @ApiProperty({ type: Number, nullable: true }) totalCount: number | null;
  @ApiProperty() count: number;
  @ApiProperty({ type: [Object], description: 'Whole events, or the selected fields of each' })
  events: (StoredEvent | Record<string, unknown>)[];
}

export class DslGroup {
  @ApiProperty({ type: Object, description: 'groupBy field → value' }) key: Record<string, unknown>;
  @ApiPropertyOptional({ format: 'date-time', description: 'Start of the time bucket, with interval' }) bucket?: string;
  @ApiProperty({ description: 'count/sum/avg/min/max: a number (min/max of a time or text field: that value); collect: an array' })
  value: unknown;
}

export class DslGroupsReply {
  @ApiProperty({ type: [DslGroup] }) groups: DslGroup[];
}

export type DslReply = DslEventsReply | DslGroupsReply;

export class IngestLag {
  @ApiProperty({ type: Number, nullable: true, description: 'Records on the ingest topics not yet consumed by the ingest group; null when Kafka does not answer' })
  records: number | null;
  @ApiProperty({ type: Number, nullable: true, description: 'Seconds since the newest append (any tenant); null on an empty log' })
  secondsSinceLastAppend: number | null;
  @ApiProperty() lastPosition: number;
}

export class Stats {
  @ApiProperty() tenant: string;
  @ApiProperty() totalCount: number;
  @ApiProperty({ type: Object, description: 'type → count' }) byType: Record<string, number>;
  @ApiProperty({ type: Object, description: 'status → count (events without one under "")' }) byStatus: Record<string, number>;
  @ApiProperty({ type: Object, description: 'source → count (events without one under "")' }) bySource: Record<string, number>;
  @ApiProperty() streamCount: number;
  @ApiProperty({ type: String, nullable: true, format: 'date-time' }) firstOccurredAt: string | null;
  @ApiProperty({ type: String, nullable: true, format: 'date-time' }) lastOccurredAt: string | null;
  @ApiProperty({ type: IngestLag }) ingestLag: IngestLag;
  @ApiProperty({ type: DeadLetterCounts, description: 'The tenant’s dead letters (every one with tenant=*), received within from/to; stream is not a filter of these' })
  deadLetters: DeadLetterCounts;
}

export class PublishResult {
  @ApiProperty() id: string;
  @ApiProperty() topic: string;
  @ApiProperty() partition: number;
  @ApiProperty() offset: number;
}

/** One item of a batch: its coordinates and, with wait=true, what became of it. */
export class BatchItemResult extends PublishResult {
  @ApiProperty({ description: '202 produced (outcome not awaited or not known in time), 201 persisted, 409 rejected' })
  status: 201 | 202 | 409;
  @ApiPropertyOptional({ type: StoredEventDto }) event?: StoredEvent;
  @ApiPropertyOptional({ type: Object, description: 'With 409: {code, message} from the dead-letter record' })
  rejection?: { code: string; message: string };
}

export class ApiErrorDetail {
  @ApiProperty({ description: 'The field, e.g. pageSize or where[1].value' }) field: string;
  @ApiProperty() message: string;
}

/** The error body of contract section 4, over HTTP and in the kafka_nest-err reply header. */
export class ApiErrorBody {
  @ApiProperty() statusCode: number;
  @ApiProperty() error: string;
  @ApiProperty() message: string;
  @ApiProperty({ type: [ApiErrorDetail] }) details: ApiErrorDetail[];
  @ApiPropertyOptional({ description: 'With 409: the rejection code' }) code?: string;
}
