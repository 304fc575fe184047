import { ApiProperty, ApiPropertyOptional } from '@nestjs/swagger';
import { buildMessage, IsIn, IsString, Length, ValidateBy, ValidationOptions } from 'class-validator';
import { DURATION_FORMAT, parseDuration } from '../duration';
import { Omittable } from '../omittable';
import { PagingQueryDto, TenantQueryDto } from './common.dto';

export class TraceParamDto {
  @ApiProperty()
  @IsString()
  @Length(1, 128)
  requestId: string;
}

export class TraceNodeParamDto extends TraceParamDto {
  @ApiProperty()
  @IsString()
  @Length(1, 128)
  nodeId: string;
}

/** Request topic `eventlog.query.trace`. */
export class TraceRequestDto extends TenantQueryDto {
  @ApiProperty()
  @IsString()
  @Length(1, 128)
  requestId: string;
}

/** Request topic `eventlog.query.trace-node`. */
export class TraceNodeRequestDto extends TraceRequestDto {
  @ApiProperty()
  @IsString()
  @Length(1, 128)
  nodeId: string;
}

/** What `GET /v1/traces` lists: open chains only (the trace status `running`). */
export const TRACE_LIST_STATUSES = ['running'] as const;

/** A duration as parseDuration reads it, at most a year. */
export function IsDuration(options?: ValidationOptions) {
  return ValidateBy(
    {
      name: 'isDuration',
      validator: {
        validate: (value) => typeof value === 'string' && (parseDuration(value) ?? Infinity) <= 365 * 86_400_000,
        defaultMessage: buildMessage((each) => `${each}$property must be ${DURATION_FORMAT}, at most 365d`, options),
      },
    },
    options,
  );
}

/** `GET /v1/traces`: the tenant's open chains, newest activity first, optionally idle for at least stalledFor. */
export class ListTracesQueryDto extends PagingQueryDto {
  @ApiProperty({ enum: TRACE_LIST_STATUSES, description: 'running: chains whose latest event is pending, waiting or running' })
  @IsIn(TRACE_LIST_STATUSES, { message: 'status must be running (only open chains are listed)' })
  status: (typeof TRACE_LIST_STATUSES)[number];

  @ApiPropertyOptional({ description: 'Only chains without an event for at least this long (e.g. 5m, 1h30m)', example: '5m' })
  @Omittable()
  @IsDuration()
  stalledFor?: string;
}
