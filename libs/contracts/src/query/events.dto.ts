import { ApiProperty, ApiPropertyOptional } from '@nestjs/swagger';
import { ArrayMaxSize, ArrayNotEmpty, IsBoolean, IsString, Length, Matches, MaxLength } from 'class-validator';
import { EVENT_ID_PATTERN, NO_CONTROL_CHARS } from '../event-envelope.dto';
import { SortQueryDto, TenantQueryDto } from './common.dto';
import { QUERY_LIMITS } from './limits';
import { Omittable } from '../omittable';
import { WithTimeWindow } from './time-window.dto';
import { ToBool, ToList } from './transforms';

/** `GET /v1/events` and request topic `eventlog.query.events`. */
export class ListEventsQueryDto extends WithTimeWindow(SortQueryDto) {
  @ApiPropertyOptional({ description: 'Exact stream' })
  @Omittable()
  @IsString()
  @Length(1, 200)
  @Matches(NO_CONTROL_CHARS, { message: 'stream must not contain control characters' })
  stream?: string;

  @ApiPropertyOptional({ description: 'Streams whose name starts with this' })
  @Omittable()
  @IsString()
  @Length(1, 200)
  @Matches(NO_CONTROL_CHARS, { message: 'streamPrefix must not contain control characters' })
  streamPrefix?: string;

  @ApiPropertyOptional({ description: 'Comma list of types', type: String, example: 'OrderPlaced,OrderPaid' })
  @Omittable()
  @ToList()
  @ArrayNotEmpty()
  @ArrayMaxSize(QUERY_LIMITS.maxTypes)
  @IsString({ each: true })
  @Length(1, 200, { each: true })
  type?: string[];

  @ApiPropertyOptional()
  @Omittable()
  @IsString()
  @Length(1, 32)
  status?: string;

  @ApiPropertyOptional()
  @Omittable()
  @IsString()
  @Length(1, 200)
  source?: string;

  @ApiPropertyOptional()
  @Omittable()
  @IsString()
  @Length(1, 128)
  requestId?: string;

  @ApiPropertyOptional({ description: 'Case-insensitive substring of message' })
  @Omittable()
  @IsString()
  @Length(1, 256)
  q?: string;

  @ApiPropertyOptional({ default: true, description: 'false skips counting totalCount (null then)' })
  @Omittable()
  @ToBool()
  @IsBoolean()
  includeTotal?: boolean;
}

export class EventIdParamDto {
  @ApiProperty()
  @IsString()
  @MaxLength(128)
  @Matches(EVENT_ID_PATTERN, { message: 'id must be 1-128 characters of [A-Za-z0-9._:@-]' })
  id: string;
}

/** Request topic `eventlog.query.event`: `GET /v1/events/{id}`'s path and query in one object. */
export class GetEventRequestDto extends TenantQueryDto {
  @ApiProperty()
  @IsString()
  @MaxLength(128)
  @Matches(EVENT_ID_PATTERN, { message: 'id must be 1-128 characters of [A-Za-z0-9._:@-]' })
  id: string;
}
