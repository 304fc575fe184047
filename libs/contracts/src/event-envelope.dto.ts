import { Omittable } from './omittable';
import { toInstant } from './query/instant';
import {
  IsDefined,
  IsOptional,
  IsString,
  Length,
  Matches,
  MaxLength,
  ValidateBy,
  ValidationOptions,
  buildMessage,
} from 'class-validator';

export const EVENT_ID_PATTERN = /^[A-Za-z0-9._:@-]{1,128}$/;
// eslint-disable-next-line no-control-regex
export const NO_CONTROL_CHARS = /^[^\u0000-\u001f\u007f]*$/;
const RFC3339 = /^\d{4}-\d{2}-\d{2}[Tt ]\d{2}:\d{2}:\d{2}(\.\d+)?([Zz]|[+-]\d{2}:\d{2})$/;

/**
 * True for an RFC 3339 timestamp string of a real calendar instant in years 1-9999 (UTC), or a
 * non-negative integer of epoch milliseconds: what is stored as given, never rolled over.
 */
export function isTimestamp(value: unknown): boolean {
  if (typeof value === 'number') return Number.isSafeInteger(value) && value >= 0 && toInstant(value) !== undefined;
  return typeof value === 'string' && RFC3339.test(value) && toInstant(value) !== undefined;
}

export function IsTimestamp(options?: ValidationOptions) {
  return ValidateBy(
    {
      name: 'isTimestamp',
      validator: {
        validate: isTimestamp,
        defaultMessage: buildMessage((each) => `${each}$property must be an RFC 3339 time or epoch milliseconds`, options),
      },
    },
    options,
  );
}

function isExpectedVersion(value: unknown): boolean {
  return (
    (typeof value === 'number' && Number.isSafeInteger(value) && value >= 0) ||
    value === 'any' ||
    value === 'no_stream' ||
    value === 'stream_exists'
  );
}

function IsExpectedVersion(options?: ValidationOptions) {
  return ValidateBy(
    {
      name: 'isExpectedVersion',
      validator: {
        validate: isExpectedVersion,
        defaultMessage: buildMessage(
          (each) => `${each}$property must be an integer >= 0 or one of any, no_stream, stream_exists`,
          options,
        ),
      },
    },
    options,
  );
}

/** Plain JSON object: not null, not an array. */
function IsPlainObject(options?: ValidationOptions) {
  return ValidateBy(
    {
      name: 'isPlainObject',
      validator: {
        validate: (v) => typeof v === 'object' && v !== null && !Array.isArray(v),
        defaultMessage: buildMessage((each) => `${each}$property must be a JSON object`, options),
      },
    },
    options,
  );
}

/**
 * The input envelope of contract section 1, after CloudEvents and header mapping. Validated with
 * whitelist + forbidNonWhitelisted, so unknown fields are named in the rejection. A field stored as
 * null when absent (source, status, message, requestId, parentNodeId) takes null as absent; a
 * field with a default (tenant, data, metadata, nodeId, occurredAt, expectedVersion) refuses null,
 * which would otherwise be stored as the default without a word (docs/decisions/024).
 */
export class EventEnvelopeDto {
  @Matches(EVENT_ID_PATTERN, { message: 'id must be 1-128 characters of [A-Za-z0-9._:@-]' })
  @IsString()
  id: string;

  @Omittable()
  @IsString()
  @Length(1, 64)
  @Matches(NO_CONTROL_CHARS, { message: 'tenant must not contain control characters' })
  tenant?: string;

  @IsDefined({ message: 'stream is required (in the body, or as the Kafka record key)' })
  @IsString()
  @Length(1, 200)
  @Matches(NO_CONTROL_CHARS, { message: 'stream must not contain control characters' })
  stream: string;

  @IsDefined()
  @IsString()
  @Length(1, 200)
  type: string;

  @Omittable()
  @IsPlainObject()
  data?: Record<string, unknown>;

  @Omittable()
  @IsPlainObject()
  metadata?: Record<string, unknown>;

  @IsOptional()
  @IsString()
  @MaxLength(200)
  source?: string;

  @IsOptional()
  @IsString()
  @MaxLength(32)
  status?: string;

  @IsOptional()
  @IsString()
  @MaxLength(4096)
  message?: string;

  @IsOptional()
  @IsString()
  @MaxLength(128)
  requestId?: string;

  @Omittable()
  @IsString()
  @Length(1, 128)
  nodeId?: string;

  @IsOptional()
  @IsString()
  @Length(1, 128)
  parentNodeId?: string;

  @Omittable()
  @IsTimestamp()
  occurredAt?: string | number;

  @Omittable()
  @IsExpectedVersion()
  expectedVersion?: number | 'any' | 'no_stream' | 'stream_exists';
}

/**
 * The envelope's field names. Checked before class-validator, whose whitelist lets through keys
 * that Object.prototype also has (`__proto__`, `hasOwnProperty`, …).
 */
export const ENVELOPE_FIELDS: ReadonlySet<string> = new Set([
  'id', 'tenant', 'stream', 'type', 'data', 'metadata', 'source', 'status', 'message',
  'requestId', 'nodeId', 'parentNodeId', 'occurredAt', 'expectedVersion',
]);

/** Own keys of a parsed body that are not envelope fields. */
export function unknownEnvelopeFields(body: object): string[] {
  return Object.keys(body).filter((k) => !ENVELOPE_FIELDS.has(k));
}

