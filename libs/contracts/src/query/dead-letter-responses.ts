import { ApiProperty } from '@nestjs/swagger';
import { RejectionCode } from '../error-codes';

/*
 * What the dead-letter routes answer: plain classes (documentation decorators only), kept apart
 * from the request DTOs so that the client package can take their types (packaged-contracts.ts).
 */

export const REJECTION_CODES = Object.values(RejectionCode);

export class DeadLetterSource {
  @ApiProperty() topic: string;
  @ApiProperty() partition: number;
  @ApiProperty({ description: 'Offset, as a decimal string (may exceed 2^53)' }) offset: string;
}

export class DeadLetterHeader {
  @ApiProperty({ description: 'Name as text (invalid UTF-8 shows as U+FFFD)' }) name: string;
  @ApiProperty({ type: String, nullable: true, description: 'Value as text when its bytes are UTF-8' }) value: string | null;
  @ApiProperty({ type: String, nullable: true, description: 'Value, base64' }) valueBase64: string | null;
}

export class DeadLetterReplay {
  @ApiProperty({ format: 'date-time' }) replayedAt: string;
  @ApiProperty() count: number;
  @ApiProperty({ type: DeadLetterSource, description: 'Where the last replay was produced' }) to: DeadLetterSource;
}

export class DeadLetter {
  @ApiProperty() id: number;
  @ApiProperty({ format: 'date-time' }) receivedAt: string;
  @ApiProperty({ type: String, nullable: true, description: 'null: the record did not decode far enough to name one' }) tenant: string | null;
  @ApiProperty({ enum: REJECTION_CODES }) code: RejectionCode;
  @ApiProperty() message: string;
  @ApiProperty({ type: DeadLetterSource }) source: DeadLetterSource;
  @ApiProperty({ type: String, nullable: true, description: 'Key as text when its bytes are UTF-8' }) key: string | null;
  @ApiProperty({ type: String, nullable: true }) keyBase64: string | null;
  @ApiProperty({ type: String, nullable: true, description: 'The first 64 KiB of the value as text, when those bytes are UTF-8' }) value: string | null;
  @ApiProperty({ type: String, nullable: true, description: 'The first 64 KiB of the value, base64' }) valueBase64: string | null;
  @ApiProperty({ type: Number, nullable: true, description: 'Size of the whole value as received' }) valueBytes: number | null;
  @ApiProperty({ description: 'Key, value or headers were longer than 64 KiB and are kept in part' }) truncated: boolean;
  @ApiProperty({ type: [DeadLetterHeader] }) headers: DeadLetterHeader[];
  @ApiProperty({ type: DeadLetterReplay, nullable: true }) replay: DeadLetterReplay | null;
}

export class DeadLetterPage {
  @ApiProperty() totalCount: number;
  @ApiProperty() count: number;
  @ApiProperty({ type: [DeadLetter] }) deadLetters: DeadLetter[];
  @ApiProperty({ type: String, nullable: true }) nextCursor: string | null;
}

export class ReplayResult {
  @ApiProperty() id: number;
  @ApiProperty({ type: DeadLetterSource, description: 'Where the replay was produced' }) to: DeadLetterSource;
}

export class BulkReplayResult {
  @ApiProperty({ type: [ReplayResult] }) replayed: ReplayResult[];
  @ApiProperty({ description: 'Matching, not replayed, and kept whole: what another call would replay' }) remaining: number;
  @ApiProperty({ description: 'Matching but kept in part (over 64 KiB): replay each with a corrected value' }) truncated: number;
}

export class DeadLetterCounts {
  @ApiProperty() total: number;
  @ApiProperty({ description: 'Not replayed yet' }) pending: number;
  @ApiProperty({ type: Object, description: 'Count per rejection code' }) byCode: Record<string, number>;
}
