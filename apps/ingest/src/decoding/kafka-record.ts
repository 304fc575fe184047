import { isUtf8 } from 'node:buffer';
import { IHeaders } from 'kafkajs';

/** The parts of a consumed Kafka record that ingest reads. */
export interface KafkaRecord {
  topic: string;
  partition: number;
  offset: string;
  key: Buffer | null;
  value: Buffer | null;
  headers?: IHeaders;
  /** Broker or producer time, epoch ms as a string (kafkajs). */
  timestamp: string;
}

/** A header's first value as UTF-8 text. */
export function headerText(headers: IHeaders | undefined, name: string): string | undefined {
  const raw = headers?.[name];
  const first = Array.isArray(raw) ? raw[0] : raw;
  return first === undefined ? undefined : first.toString();
}

/** Headers ingest reads as text: the CloudEvents binary-mode attributes and these. */
const TEXT_HEADERS = new Set(['content-type', 'x-request-id', 'traceparent']);

/** The first header ingest reads as text whose bytes are not UTF-8 (they would turn into U+FFFD). */
export function headerNotUtf8(headers: IHeaders | undefined): string | undefined {
  if (!headers) return undefined;
  for (const [name, raw] of Object.entries(headers)) {
    if (!TEXT_HEADERS.has(name) && !name.startsWith('ce_')) continue;
    const first = Array.isArray(raw) ? raw[0] : raw;
    if (Buffer.isBuffer(first) && !isUtf8(first)) return name;
  }
  return undefined;
}
