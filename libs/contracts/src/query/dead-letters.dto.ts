import { Type } from '@nestjs/common';
import { ApiProperty, ApiPropertyOptional } from '@nestjs/swagger';
import { IsBoolean, IsIn, IsInt, IsObject, IsString, Matches, Max, Min } from 'class-validator';
import { RejectionCode } from '../error-codes';
import { REJECTION_CODES } from './dead-letter-responses';
import { Omittable } from '../omittable';
import { PagingQueryDto, TenantQueryDto } from './common.dto';
import { QUERY_LIMITS } from './limits';
import { WithTimeWindow } from './time-window.dto';
import { ToBool, ToInt } from './transforms';

/** Kafka's rule for topic names. */
const TOPIC_NAME = /^[A-Za-z0-9._-]{1,249}$/;

/**
 * The filters a dead-letter list and a bulk replay share. `from`/`to` (documented by WithTimeWindow
 * for events) bound here when ingest received the record (receivedAt), inclusive.
 */
function WithDeadLetterFilters<TBase extends Type<object>>(Base: TBase) {
  class DeadLetterFilters extends WithTimeWindow(Base) {
    @ApiPropertyOptional({ enum: REJECTION_CODES })
    @Omittable()
    @IsIn(REJECTION_CODES, { message: `code must be one of ${REJECTION_CODES.join(', ')}` })
    code?: RejectionCode;

    @ApiPropertyOptional({ description: 'Source topic' })
    @Omittable()
    @IsString()
    @Matches(TOPIC_NAME, { message: 'topic must be a Kafka topic name (1-249 characters of [A-Za-z0-9._-])' })
    topic?: string;

    @ApiPropertyOptional({ description: 'Source partition', minimum: 0 })
    @Omittable()
    @ToInt()
    @IsInt()
    @Min(0)
    @Max(2_147_483_647)
    partition?: number;
  }
  return DeadLetterFilters;
}

/** `GET /v1/dead-letters`: newest first. `tenant=*` lists every tenant's, and those of no known tenant. */
export class ListDeadLettersQueryDto extends WithDeadLetterFilters(PagingQueryDto) {
  @ApiPropertyOptional({ description: 'true: only replayed ones; false: only those not replayed yet' })
  @Omittable()
  @ToBool()
  @IsBoolean()
  replayed?: boolean;
}

/** `POST /v1/dead-letters/replay`: replays, oldest first, up to `limit` not yet replayed that match. */
export class BulkReplayDto extends WithDeadLetterFilters(TenantQueryDto) {
  @ApiPropertyOptional({ minimum: 1, maximum: QUERY_LIMITS.maxBulkReplay, default: QUERY_LIMITS.defaultBulkReplay })
  @Omittable()
  @IsInt()
  @Min(1)
  @Max(QUERY_LIMITS.maxBulkReplay)
  limit?: number;
}

export class DeadLetterIdParamDto {
  @ApiProperty()
  @ToInt()
  @IsInt({ message: 'id must be a dead letter id (a positive integer)' })
  @Min(1, { message: 'id must be a dead letter id (a positive integer)' })
  @Max(Number.MAX_SAFE_INTEGER)
  id: number;
}

/** `POST /v1/dead-letters/{id}/replay`. */
export class ReplayDeadLetterDto {
  @ApiPropertyOptional({
    type: Object,
    description:
      'The corrected record value, a JSON object: the envelope (or structured CloudEvent), or for a binary-mode ' +
      'CloudEvent its data. Without it the original bytes are re-published.',
  })
  @Omittable()
  @IsObject({ message: 'value must be a JSON object' })
  value?: Record<string, unknown>;
}

export * from './dead-letter-responses';
