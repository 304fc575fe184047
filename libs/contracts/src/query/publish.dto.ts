import { ApiProperty, ApiPropertyOptional, OmitType } from '@nestjs/swagger';
import { IsBoolean, IsInt, IsString, Matches, Max, Min } from 'class-validator';
import { EVENT_ID_PATTERN, EventEnvelopeDto } from '../event-envelope.dto';
import { QUERY_LIMITS } from './limits';
import { Omittable } from '../omittable';
import { ToBool, ToInt } from './transforms';

/**
 * `POST /v1/events`: the envelope of contract section 1, validated by the same rules ingest applies
 * (the class inherits EventEnvelopeDto's), except that `id` may be left out: the API then makes one
 * up so the caller can follow the event. The redeclared properties only add documentation.
 */
export class PublishEventDto extends OmitType(EventEnvelopeDto, ['id'] as const) {
  @ApiPropertyOptional({ description: 'Idempotency key; a UUID is generated when absent', pattern: EVENT_ID_PATTERN.source })
  @Omittable()
  @IsString()
  @Matches(EVENT_ID_PATTERN, { message: 'id must be 1-128 characters of [A-Za-z0-9._:@-]' })
  id?: string;

  @ApiPropertyOptional({ default: 'default', maxLength: 64 })
  tenant?: string;

  @ApiProperty({ maxLength: 200, description: 'The Kafka record key too' })
  stream: string;

  @ApiProperty({ maxLength: 200 })
  type: string;

  @ApiPropertyOptional({ type: Object })
  data?: Record<string, unknown>;

  @ApiPropertyOptional({ type: Object })
  metadata?: Record<string, unknown>;

  @ApiPropertyOptional({ maxLength: 200 })
  source?: string;

  @ApiPropertyOptional({ maxLength: 32 })
  status?: string;

  @ApiPropertyOptional({ maxLength: 4096 })
  message?: string;

  @ApiPropertyOptional({ maxLength: 128 })
  requestId?: string;

  @ApiPropertyOptional({ maxLength: 128 })
  nodeId?: string;

  @ApiPropertyOptional({ maxLength: 128 })
  parentNodeId?: string;

  @ApiPropertyOptional({ type: String, description: 'RFC 3339 or epoch ms' })
  occurredAt?: string | number;

  @ApiPropertyOptional({ description: 'integer, or any | no_stream | stream_exists', oneOf: [{ type: 'integer' }, { type: 'string' }] })
  expectedVersion?: number | 'any' | 'no_stream' | 'stream_exists';
}

export class PublishQueryDto {
  @ApiPropertyOptional({ default: false, description: 'Wait until the event is persisted (201) or rejected (409)' })
  @Omittable()
  @ToBool()
  @IsBoolean()
  wait?: boolean;

  @ApiPropertyOptional({ default: QUERY_LIMITS.defaultWaitMs, minimum: 1, maximum: QUERY_LIMITS.maxWaitMs })
  @Omittable()
  @ToInt()
  @IsInt()
  @Min(1)
  @Max(QUERY_LIMITS.maxWaitMs)
  waitMs?: number;
}
