import { ArrayMaxSize, ArrayNotEmpty, IsInt, IsString, Length, Max, Min } from 'class-validator';
import { Omittable, QUERY_LIMITS, ToList } from '@eventlog/contracts';

/**
 * The data of a `subscribe` message on /v1/ws: GET /v1/events/live's filters and resume rule, as
 * JSON (so numbers are numbers: `"5"` is not a position).
 */
export class LiveSubscriptionDto {
  @Omittable()
  @IsString()
  @Length(1, 64)
  tenant?: string;

  @Omittable()
  @IsString()
  @Length(1, 200)
  stream?: string;

  @Omittable()
  @IsString()
  @Length(1, 200)
  streamPrefix?: string;

  /** A list of types, or one comma list, as the SSE feed's `type`. */
  @Omittable()
  @ToList()
  @ArrayNotEmpty()
  @IsString({ each: true })
  @Length(1, 200, { each: true })
  @ArrayMaxSize(QUERY_LIMITS.maxTypes)
  type?: string[];

  /** Catch up from after this position (0 = from the start); absent: only new events. */
  @Omittable()
  @IsInt()
  @Min(0)
  @Max(Number.MAX_SAFE_INTEGER)
  fromPosition?: number;
}
