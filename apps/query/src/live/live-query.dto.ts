import { ApiPropertyOptional } from '@nestjs/swagger';
import { Transform, Type } from 'class-transformer';
import { ArrayMaxSize, IsInt, IsOptional, IsString, Length, Min } from 'class-validator';

/** Query of GET /v1/events/live. */
export class LiveQueryDto {
  @ApiPropertyOptional({ description: 'Tenant to follow (default `default`)' })
  @IsOptional()
  @IsString()
  @Length(1, 64)
  tenant?: string;

  @ApiPropertyOptional({ description: 'Only this stream' })
  @IsOptional()
  @IsString()
  @Length(1, 200)
  stream?: string;

  @ApiPropertyOptional({ description: 'Only streams starting with this' })
  @IsOptional()
  @IsString()
  @Length(1, 200)
  streamPrefix?: string;

  @ApiPropertyOptional({ description: 'Comma list of event types', example: 'OrderPlaced,OrderPaid' })
  @IsOptional()
  @Transform(({ value }) => (typeof value === 'string' ? value.split(',').map((t) => t.trim()).filter(Boolean) : value))
  @IsString({ each: true })
  @Length(1, 200, { each: true })
  @ArrayMaxSize(100)
  type?: string[];

  @ApiPropertyOptional({ description: 'Catch up from after this position (0 = from the start); default: only new events. Last-Event-ID wins.' })
  @IsOptional()
  @Type(() => Number)
  @IsInt()
  @Min(0)
  fromPosition?: number;
}
