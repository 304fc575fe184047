import { ApiProperty, ApiPropertyOptional } from '@nestjs/swagger';
import { IsNumber, IsString, Length, Matches, Max, Min } from 'class-validator';
import { Omittable } from '../omittable';

/**
 * Bounds of a notification's text, in UTF-16 code units (class-validator's Length counts a
 * surrogate pair, or a character followed by variation selectors, as one). With no control
 * characters a code unit is at most 3 bytes of JSON, so a whole notification stays under
 * Postgres's 8000-byte NOTIFY payload (notify.dto.spec.ts holds the worst case to it).
 */
export const NOTIFY_LIMITS = { message: 1024, stream: 200, type: 200, requestId: 128, nodeId: 128, status: 32 } as const;

const text = (field: keyof typeof NOTIFY_LIMITS): PropertyDecorator => (target, key) =>
  [
    Omittable(),
    IsString(),
    Matches(new RegExp(`^[^\\u0000-\\u001f\\u007f]{1,${NOTIFY_LIMITS[field]}}$`), {
      message: `${field} must be 1 to ${NOTIFY_LIMITS[field]} characters (UTF-16 code units) without control characters`,
    }),
  ].forEach((d) => d(target, key));

/**
 * `POST /v1/notify` (and a `notify` message on /v1/ws): a fire-and-forget event, typically a running
 * node's progress. Broadcast to the tenant's live subscribers whose filter matches; never stored,
 * never on the outbound topic.
 */
export class NotifyDto {
  @ApiPropertyOptional({ default: 'default', maxLength: 64 })
  @Omittable()
  @IsString()
  @Length(1, 64)
  tenant?: string;

  @ApiPropertyOptional({ default: 'progress', maxLength: NOTIFY_LIMITS.type, description: 'Matched against a subscription’s type filter' })
  @text('type')
  type?: string;

  @ApiPropertyOptional({ maxLength: NOTIFY_LIMITS.stream, description: 'Matched against a subscription’s stream and streamPrefix; a notification without one reaches only subscriptions without them' })
  @text('stream')
  stream?: string;

  @ApiPropertyOptional({ maxLength: NOTIFY_LIMITS.requestId, description: 'The chain (trace) it belongs to' })
  @text('requestId')
  requestId?: string;

  @ApiPropertyOptional({ maxLength: NOTIFY_LIMITS.nodeId, description: 'The node (step) it reports on' })
  @text('nodeId')
  nodeId?: string;

  @ApiPropertyOptional({ maxLength: NOTIFY_LIMITS.status })
  @text('status')
  status?: string;

  @ApiPropertyOptional({ minimum: 0, maximum: 100, description: 'Percent done' })
  @Omittable()
  @IsNumber({ allowNaN: false, allowInfinity: false })
  @Min(0)
  @Max(100)
  progress?: number;

  @ApiPropertyOptional({ maxLength: NOTIFY_LIMITS.message })
  @text('message')
  message?: string;
}

/** What subscribers receive (`event: notification`) and POST /v1/notify answers. */
export class Notification {
  @ApiProperty({ description: 'Made up for this notification (UUID); notifications have no position' }) id: string;
  @ApiProperty() tenant: string;
  @ApiProperty() type: string;
  @ApiProperty({ type: String, nullable: true }) stream: string | null;
  @ApiProperty({ type: String, nullable: true }) requestId: string | null;
  @ApiProperty({ type: String, nullable: true }) nodeId: string | null;
  @ApiProperty({ type: String, nullable: true }) status: string | null;
  @ApiProperty({ type: Number, nullable: true }) progress: number | null;
  @ApiProperty({ type: String, nullable: true }) message: string | null;
  @ApiProperty({ format: 'date-time' }) notifiedAt: string;
}
