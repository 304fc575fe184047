import { Type } from '@nestjs/common';
import { ApiPropertyOptional } from '@nestjs/swagger';
import { IsTimestamp } from '../event-envelope.dto';
import { Omittable } from '../omittable';
import { ToTimestamp } from './transforms';

/**
 * Adds the time window on occurredAt (`from`, `to`, inclusive, RFC 3339 or epoch ms) to a query
 * DTO: the one place its rules and documentation are written.
 */
export function WithTimeWindow<TBase extends Type<object>>(Base: TBase) {
  class TimeWindowQuery extends Base {
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
  return TimeWindowQuery;
}
