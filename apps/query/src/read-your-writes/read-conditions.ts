import { InputProblem, InvalidQueryError, QUERY_LIMITS } from '@eventlog/contracts';

/** A record a reader wrote: it waits until ingest has made the record's outcome durable. */
export interface WrittenRecord {
  topic: string;
  partition: number;
  offset: bigint;
}

/** What a read waits for before it runs; absent when it waits for nothing. */
export interface ReadConditions {
  after: WrittenRecord[];
  /** The reader has seen this position (outbound topic, another replica): wait until it is visible here. */
  minPosition?: number;
}

export const AFTER = 'after';
export const MIN_POSITION = 'minPosition';

const MAX_PARTITION = 2 ** 31 - 1; // Kafka's partition is an int32
const MAX_OFFSET = 2n ** 63n - 1n; // and its offset an int64
const TOPIC = /^[A-Za-z0-9._-]{1,249}$/;
// A topic, a partition and an offset: the longest that can be valid, so nothing longer is even split.
const MAX_AFTER_LENGTH = 249 + 1 + 10 + 1 + 19;

/**
 * Reads `after` (one value or a list: `<topic>:<partition>:<offset>`, the coordinates a produce
 * returned) and `minPosition` from a request's query string or Kafka request value, and removes
 * them, so the feature's own validation sees only its own fields. Throws a 400 naming the field.
 * `isIngestTopic` says whether ingest consumes a topic: waiting on any other would always time out.
 */
export function takeReadConditions(holder: Record<string, unknown>, isIngestTopic: (topic: string) => boolean): ReadConditions | undefined {
  const rawAfter = holder[AFTER];
  const rawMin = holder[MIN_POSITION];
  if (rawAfter === undefined && rawMin === undefined) return undefined;
  delete holder[AFTER];
  delete holder[MIN_POSITION];

  const problems: InputProblem[] = [];
  const refuse = (field: string, message: string) => problems.push({ field, message: `${field} ${message}` });
  const after: WrittenRecord[] = [];
  if (rawAfter !== undefined) {
    const values = Array.isArray(rawAfter) ? rawAfter : [rawAfter];
    if (values.length === 0) refuse(AFTER, 'must name at least one record (<topic>:<partition>:<offset>)');
    if (values.length > QUERY_LIMITS.maxAfter) {
      refuse(AFTER, `may be given at most ${QUERY_LIMITS.maxAfter} times (the highest offset of each partition is enough)`);
    } else {
      values.forEach((value, i) => {
        const field = Array.isArray(rawAfter) ? `${AFTER}[${i}]` : AFTER;
        const parsed = parseWrittenRecord(value, isIngestTopic);
        if (typeof parsed === 'string') refuse(field, parsed);
        else after.push(parsed);
      });
    }
  }
  const minPosition = rawMin === undefined ? undefined : parsePosition(rawMin);
  if (typeof minPosition === 'string') refuse(MIN_POSITION, minPosition);
  if (problems.length) throw new InvalidQueryError(problems);
  return { after, minPosition: minPosition as number | undefined };
}

/** A record's coordinates, or what is wrong with them. */
function parseWrittenRecord(value: unknown, isIngestTopic: (topic: string) => boolean): WrittenRecord | string {
  const shape = 'must be <topic>:<partition>:<offset>';
  if (typeof value !== 'string') return `${shape} as text`;
  if (value.length > MAX_AFTER_LENGTH) return `${shape}; ${value.length} characters is longer than any such value`;
  const parts = value.split(':');
  if (parts.length !== 3) return `${shape}`;
  const [topic, partition, offset] = parts;
  if (!TOPIC.test(topic)) return `${shape}: the topic must be a Kafka topic name`;
  if (!/^\d{1,10}$/.test(partition) || Number(partition) > MAX_PARTITION) return `${shape}: the partition must be an integer from 0 to ${MAX_PARTITION}`;
  if (!/^\d{1,19}$/.test(offset) || BigInt(offset) > MAX_OFFSET) return `${shape}: the offset must be an integer from 0 to ${MAX_OFFSET}`;
  if (!isIngestTopic(topic)) return `${shape}: ${topic} is not a topic ingest consumes`;
  return { topic, partition: Number(partition), offset: BigInt(offset) };
}

/** A position (JSON integer, or its digits as text), or what is wrong with it. */
function parsePosition(value: unknown): number | string {
  const message = `must be an integer from 0 to ${Number.MAX_SAFE_INTEGER}`;
  if (typeof value === 'number') return Number.isSafeInteger(value) && value >= 0 ? value : message;
  if (typeof value !== 'string' || !/^\d{1,16}$/.test(value)) return message;
  const position = Number(value);
  return Number.isSafeInteger(position) ? position : message;
}
