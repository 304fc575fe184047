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
