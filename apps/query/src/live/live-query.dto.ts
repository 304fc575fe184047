import { ApiPropertyOptional } from '@nestjs/swagger';
import { Type } from 'class-transformer';
import { ArrayMaxSize, ArrayNotEmpty, IsInt, IsString, Length, Min } from 'class-validator';
import { Omittable, QUERY_LIMITS, ToList } from '@eventlog/contracts';

/** Query of GET /v1/events/live. */
export class LiveQueryDto {
  @ApiPropertyOptional({ description: 'Tenant to follow (default `default`)' })
  @Omittable()
  @IsString()
  @Length(1, 64)
  tenant?: string;

  @ApiPropertyOptional({ description: 'Only this stream' })
  @Omittable()
  @IsString()
  @Length(1, 200)
  stream?: string;

  @ApiPropertyOptional({ description: 'Only streams starting with this' })
  @Omittable()
  @IsString()
  @Length(1, 200)
  streamPrefix?: string;

  @ApiPropertyOptional({ description: 'Comma list of event types', example: 'OrderPlaced,OrderPaid' })
  @Omittable()
  @ToList()
  @ArrayNotEmpty()
  @IsString({ each: true })
  @Length(1, 200, { each: true })
  @ArrayMaxSize(QUERY_LIMITS.maxTypes)
  type?: string[];

  @ApiPropertyOptional({ description: 'Catch up from after this position (0 = from the start); default: only new events. Last-Event-ID wins.' })
  @Omittable()
  @Type(() => Number)
  @IsInt()
  @Min(0)
  fromPosition?: number;
}
