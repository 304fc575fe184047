import { ApiPropertyOptional } from '@nestjs/swagger';
import { Omittable } from '../omittable';
import { IsString, Length, Matches } from 'class-validator';
import { IsTimestamp, NO_CONTROL_CHARS } from '../event-envelope.dto';
import { TenantQueryDto } from './common.dto';
import { ToTimestamp } from './transforms';

/** `GET /v1/stats` and request topic `eventlog.query.stats`. */
export class StatsQueryDto extends TenantQueryDto {
  @ApiPropertyOptional()
  @Omittable()
  @IsString()
  @Length(1, 200)
  @Matches(NO_CONTROL_CHARS, { message: 'stream must not contain control characters' })
  stream?: string;

  @ApiPropertyOptional({ description: 'occurredAt ≥ from (RFC 3339 or epoch ms)', type: String })
  @Omittable()
  @ToTimestamp()
  @IsTimestamp()
  from?: string | number;

  @ApiPropertyOptional({ description: 'occurredAt ≤ to (RFC 3339 or epoch ms)', type: String })
  @Omittable()
  @ToTimestamp()
  @IsTimestamp()
  to?: string | number;
}
