import { ApiPropertyOptional } from '@nestjs/swagger';
import { Omittable } from '../omittable';
import { IsString, Length, Matches } from 'class-validator';
import { NO_CONTROL_CHARS } from '../event-envelope.dto';
import { TenantQueryDto } from './common.dto';
import { WithTimeWindow } from './time-window.dto';

/** `GET /v1/stats` and request topic `eventlog.query.stats`. */
export class StatsQueryDto extends WithTimeWindow(TenantQueryDto) {
  @ApiPropertyOptional()
  @Omittable()
  @IsString()
  @Length(1, 200)
  @Matches(NO_CONTROL_CHARS, { message: 'stream must not contain control characters' })
  stream?: string;
}
