import { ApiProperty, ApiPropertyOptional } from '@nestjs/swagger';
import { Type } from 'class-transformer';
import { ArrayMaxSize, IsArray, IsBoolean, IsInt, IsObject, IsString, Length, Matches, Max, MaxLength, Min, ValidateNested } from 'class-validator';
import { NO_CONTROL_CHARS } from '../event-envelope.dto';
import { Omittable } from '../omittable';
import { DslConditionDto } from './dsl.dto';
import { QUERY_LIMITS } from './limits';

/** Most retries one enroll call may allow a failed job. */
export const MAX_ENROLL_RETRIES = 100;

/**
 * `POST /v1/enroll` and request topic `eventlog.query.enroll`: claim the oldest `sourceType` event
 * that has no `targetType` job yet (or whose job failed with retries left). The tenant is decided
 * like every other call's (docs/decisions/025); the filter is the DSL's `where`, checked when it is
 * compiled, which names the path (filter[0].value).
 */
export class EnrollDto {
  @ApiPropertyOptional({ default: 'default', maxLength: 64 })
  @Omittable()
  @IsString()
  @Length(1, 64)
  @Matches(NO_CONTROL_CHARS, { message: 'tenant must not contain control characters' })
  tenant?: string;

  @ApiProperty({ maxLength: 200, description: 'Type of the events that are jobs to claim' })
  @IsString()
  @Length(1, 200)
  @Matches(NO_CONTROL_CHARS, { message: 'sourceType must not contain control characters' })
  sourceType: string;

  @ApiProperty({ maxLength: 200, description: 'Type of the claim event (and of the job’s later events)' })
  @IsString()
  @Length(1, 200)
  @Matches(NO_CONTROL_CHARS, { message: 'targetType must not contain control characters' })
  targetType: string;

  @ApiProperty({ maxLength: 200, description: 'The worker: the claim event’s source' })
  @IsString()
  @Length(1, 200)
  @Matches(NO_CONTROL_CHARS, { message: 'sender must not contain control characters' })
  sender: string;

  @ApiPropertyOptional({ maxLength: 4096, description: 'The claim event’s message' })
  @Omittable()
  @IsString()
  @MaxLength(4096)
  description?: string;

  @ApiPropertyOptional({ default: false, description: 'Claim nothing while a targetType job of the tenant is running' })
  @Omittable()
  @IsBoolean()
  sequential?: boolean;

  @ApiPropertyOptional({ type: [DslConditionDto], maxItems: QUERY_LIMITS.dsl.maxConditions, description: 'Conditions on the source event, as the DSL’s where' })
  @Omittable()
  @IsArray()
  @ArrayMaxSize(QUERY_LIMITS.dsl.maxConditions)
  @IsObject({ each: true })
  @ValidateNested({ each: true })
  @Type(() => DslConditionDto)
  filter?: DslConditionDto[];

  @ApiPropertyOptional({ default: 0, minimum: 0, maximum: MAX_ENROLL_RETRIES, description: 'Claims of a source after its first whose job failed' })
  @Omittable()
  @IsInt()
  @Min(0)
  @Max(MAX_ENROLL_RETRIES)
  maxRetries?: number;
}
