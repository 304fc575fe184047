import { ApiProperty, ApiPropertyOptional } from '@nestjs/swagger';
import { IsBoolean, IsIn, IsInt, IsString, Length, Matches, Max, Min } from 'class-validator';
import { NO_CONTROL_CHARS } from '../event-envelope.dto';
import { PagingQueryDto, TenantQueryDto } from './common.dto';
import { QUERY_LIMITS } from './limits';
import { Omittable } from '../omittable';
import { ToBool, ToInt } from './transforms';

/** `GET /v1/streams`. */
export class ListStreamsQueryDto extends PagingQueryDto {
  @ApiPropertyOptional({ description: 'Streams whose name starts with this' })
  @Omittable()
  @IsString()
  @Length(1, 200)
  @Matches(NO_CONTROL_CHARS, { message: 'prefix must not contain control characters' })
  prefix?: string;
}

export const READ_DIRECTIONS = ['forward', 'backward'] as const;
export type ReadDirection = (typeof READ_DIRECTIONS)[number];

/** `GET /v1/streams/{stream}/events`. */
export class ReadStreamQueryDto extends TenantQueryDto {
  @ApiPropertyOptional({ description: 'First version to read (forward: default 1; backward: default the head)', minimum: 1 })
  @Omittable()
  @ToInt()
  @IsInt()
  @Min(1)
  @Max(Number.MAX_SAFE_INTEGER)
  fromVersion?: number;

  @ApiPropertyOptional({ enum: READ_DIRECTIONS, default: 'forward' })
  @Omittable()
  @IsIn(READ_DIRECTIONS)
  direction?: ReadDirection;

  @ApiPropertyOptional({ minimum: 0, maximum: QUERY_LIMITS.maxStreamRead, default: QUERY_LIMITS.defaultStreamRead, description: '0 returns the stream head only' })
  @Omittable()
  @ToInt()
  @IsInt()
  @Min(0)
  @Max(QUERY_LIMITS.maxStreamRead)
  limit?: number;
}

export class StreamParamDto {
  @ApiProperty()
  @IsString()
  @Length(1, 200)
  @Matches(NO_CONTROL_CHARS, { message: 'stream must not contain control characters' })
  stream: string;
}

/** Request topic `eventlog.query.stream`: a stream read (with the stream's head) in one object. */
export class ReadStreamRequestDto extends ReadStreamQueryDto {
  @ApiProperty()
  @IsString()
  @Length(1, 200)
  @Matches(NO_CONTROL_CHARS, { message: 'stream must not contain control characters' })
  stream: string;
}

/** `DELETE /v1/streams/{stream}` (docs/decisions/041). */
export class DeleteStreamQueryDto extends TenantQueryDto {
  @ApiPropertyOptional({
    default: false,
    description: 'true: deleted for good, later events are dead-lettered STREAM_DELETED; false: appending again continues its versions',
  })
  @Omittable()
  @ToBool()
  @IsBoolean()
  hard?: boolean;
}

/** Request topic `eventlog.query.delete-stream`: the stream and the query parameters in one object. */
export class DeleteStreamRequestDto extends DeleteStreamQueryDto {
  @ApiProperty()
  @IsString()
  @Length(1, 200)
  @Matches(NO_CONTROL_CHARS, { message: 'stream must not contain control characters' })
  stream: string;
}
