import { ApiProperty, ApiPropertyOptional } from '@nestjs/swagger';
import { Type } from 'class-transformer';
import {
  Allow,
  ArrayMaxSize,
  IsArray,
  IsBoolean,
  IsIn,
  IsInt,
  IsObject,
  IsString,
  Length,
  Matches,
  Max,
  MaxLength,
  Min,
  ValidateNested,
} from 'class-validator';
import { NO_CONTROL_CHARS } from '../event-envelope.dto';
import { QUERY_LIMITS } from './limits';
import { Omittable } from '../omittable';

/*
 * The shape of a DSL query. These classes check structure only (which keys, which types of keys);
 * whether a field exists, whether an operator suits it and whether a value has the field's type is
 * decided when the query is compiled, which names the offending path (e.g. where[1].value).
 */

export const DSL_OPERATORS = ['eq', 'neq', 'gt', 'gte', 'lt', 'lte', 'contains', 'in', 'between', 'exists'] as const;
export type DslOperator = (typeof DSL_OPERATORS)[number];
export const DSL_REDUCERS = ['count', 'sum', 'avg', 'min', 'max', 'collect'] as const;
export type DslReducer = (typeof DSL_REDUCERS)[number];
/** Time buckets on occurredAt, from one minute to one day. */
export const DSL_INTERVALS = ['1m', '5m', '10m', '15m', '30m', '1h', '2h', '3h', '6h', '12h', '1d'] as const;
export type DslInterval = (typeof DSL_INTERVALS)[number];

const FIELD_TEXT = { description: 'An event field (`type`, `occurredAt`, …) or `data.<path>`, `metadata.<path>`, `payload.<path>`' };

export class DslFromDto {
  @ApiPropertyOptional()
  @Omittable()
  @IsString()
  @Length(1, 64)
  @Matches(NO_CONTROL_CHARS, { message: 'tenant must not contain control characters' })
  tenant?: string;

  @ApiPropertyOptional()
  @Omittable()
  @IsString()
  @Length(1, 200)
  stream?: string;

  @ApiPropertyOptional()
  @Omittable()
  @IsString()
  @Length(1, 200)
  streamPrefix?: string;
}

export class DslConditionDto {
  @ApiProperty(FIELD_TEXT)
  @IsString()
  @Length(1, 300)
  field: string;

  @ApiProperty({ enum: DSL_OPERATORS })
  @IsIn(DSL_OPERATORS)
  operator: DslOperator;

  @ApiPropertyOptional({
    description: 'A scalar; an array for `in` (≤ 1000) and `between` ([low, high]); a boolean (default true) for `exists`',
  })
  @Allow()
  value?: unknown;
}

export class DslOrderByDto {
  @ApiProperty(FIELD_TEXT)
  @IsString()
  @Length(1, 300)
  field: string;

  @ApiPropertyOptional({ enum: ['asc', 'desc'], default: 'desc' })
  @Omittable()
  @IsIn(['asc', 'desc'])
  direction?: 'asc' | 'desc';
}

export class DslReduceDto {
  @ApiProperty({ enum: DSL_REDUCERS })
  @IsIn(DSL_REDUCERS)
  type: DslReducer;

  @ApiPropertyOptional({ ...FIELD_TEXT, description: 'Required except for count' })
  @Omittable()
  @IsString()
  @Length(1, 300)
  field?: string;

  @ApiPropertyOptional({ type: [String], maxItems: QUERY_LIMITS.dsl.maxGroupBy })
  @Omittable()
  @IsArray()
  @ArrayMaxSize(QUERY_LIMITS.dsl.maxGroupBy)
  @IsString({ each: true })
  @MaxLength(300, { each: true })
  groupBy?: string[];

  @ApiPropertyOptional({ enum: DSL_INTERVALS, description: 'Time bucket on occurredAt' })
  @Omittable()
  @IsIn(DSL_INTERVALS)
  interval?: DslInterval;

  @ApiPropertyOptional({ description: 'collect: most distinct values returned per group', maximum: QUERY_LIMITS.dsl.maxCollect })
  @Omittable()
  @IsInt()
  @Min(1)
  @Max(QUERY_LIMITS.dsl.maxCollect)
  limit?: number;
}

/** `POST /v1/query` and request topic `eventlog.query.dsl`. */
export class DslQueryDto {
  @ApiPropertyOptional({ type: DslFromDto })
  @Omittable()
  @IsObject()
  @ValidateNested()
  @Type(() => DslFromDto)
  from?: DslFromDto;

  @ApiPropertyOptional({ type: [DslConditionDto], maxItems: QUERY_LIMITS.dsl.maxConditions })
  @Omittable()
  @IsArray()
  @ArrayMaxSize(QUERY_LIMITS.dsl.maxConditions)
  @IsObject({ each: true })
  @ValidateNested({ each: true })
  @Type(() => DslConditionDto)
  where?: DslConditionDto[];

  @ApiPropertyOptional({ type: [String], description: 'Fields to return; all when absent' })
  @Omittable()
  @IsArray()
  @ArrayMaxSize(QUERY_LIMITS.dsl.maxSelect)
  @IsString({ each: true })
  @MaxLength(300, { each: true })
  select?: string[];

  @ApiPropertyOptional({ type: DslOrderByDto })
  @Omittable()
  @IsObject()
  @ValidateNested()
  @Type(() => DslOrderByDto)
  orderBy?: DslOrderByDto;

  @ApiPropertyOptional({
    description: `Events (default ${QUERY_LIMITS.dsl.defaultLimit}, ≤ ${QUERY_LIMITS.dsl.maxLimit}) or groups (default ${QUERY_LIMITS.dsl.defaultGroupLimit}, ≤ ${QUERY_LIMITS.dsl.maxGroupLimit})`,
  })
  @Omittable()
  @IsInt()
  @Min(1)
  @Max(QUERY_LIMITS.dsl.maxGroupLimit)
  limit?: number;

  @ApiPropertyOptional({ minimum: 0, maximum: QUERY_LIMITS.maxOffset })
  @Omittable()
  @IsInt()
  @Min(0)
  @Max(QUERY_LIMITS.maxOffset)
  offset?: number;

  @ApiPropertyOptional({ default: true })
  @Omittable()
  @IsBoolean()
  includeTotal?: boolean;

  @ApiPropertyOptional({ type: DslReduceDto })
  @Omittable()
  @IsObject()
  @ValidateNested()
  @Type(() => DslReduceDto)
  reduce?: DslReduceDto;
}
