import { OmitType } from '@nestjs/swagger';
import { IsInt, Max, Min } from 'class-validator';
import { Omittable } from '@eventlog/contracts';
import { LiveQueryDto } from './live-query.dto';

/**
 * The data of a `subscribe` message on /v1/ws: GET /v1/events/live's filters and resume rule (its
 * DTO's fields and rules), as JSON, so a position is a number: `"5"` is refused, not converted.
 */
export class LiveSubscriptionDto extends OmitType(LiveQueryDto, ['fromPosition'] as const) {
  /** Catch up from after this position (0 = from the start); absent: only new events. */
  @Omittable()
  @IsInt()
  @Min(0)
  @Max(Number.MAX_SAFE_INTEGER)
  fromPosition?: number;
}
