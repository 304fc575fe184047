import { Injectable, Logger } from '@nestjs/common';
import { IHeaders, Message } from 'kafkajs';
import { EventlogConfig } from '@eventlog/config';
import { DLQ_HEADERS, Rejection } from '@eventlog/contracts';
import { isTooLarge, ProducerService } from '@eventlog/kafka';
import { KafkaRecord } from '../decoding/kafka-record';

export interface DeadLetter {
  record: KafkaRecord;
  rejection: Rejection;
  /** The tenant the record named, when it decoded far enough to name one. */
  tenant?: string;
}

/** Header of a dead letter sent without the original value: that value's size in bytes. */
export const DROPPED_VALUE_HEADER = 'x-error-value-bytes';
const MAX_MESSAGE_CHARS = 2000;
/** A key longer than this is left out of a dead letter that has to shrink, with the value. */
const MAX_KEPT_KEY_BYTES = 1024;

/**
 * Produces rejected records, untouched, to the dead-letter topic with the reason in headers. A
 * record the dead-letter topic refuses as too large (a topic created elsewhere, with a smaller
 * max.message.bytes than the input topic) is dead-lettered without its value and headers, which
 * stay readable at the source coordinates the letter names: a rejection never blocks a partition.
 */
@Injectable()
export class DeadLetterPublisher {
  private readonly logger = new Logger(DeadLetterPublisher.name);

  constructor(
    private readonly config: EventlogConfig,
    private readonly producer: ProducerService,
  ) {}

  /** Resolves once the broker has acknowledged every record. */
  async publish(letters: DeadLetter[]): Promise<void> {
    if (letters.length === 0) return;
    try {
      await this.producer.send(this.config.DLQ_TOPIC, letters.map(whole));
    } catch (err) {
      if (!isTooLarge(err)) throw err;
      // Some may have been acknowledged already: a dead letter is delivered at least once.
      for (const letter of letters) await this.publishAlone(letter);
    }
  }

  private async publishAlone(letter: DeadLetter): Promise<void> {
    try {
      await this.producer.send(this.config.DLQ_TOPIC, [whole(letter)]);
    } catch (err) {
      if (!isTooLarge(err)) throw err;
      const { topic, partition, offset } = letter.record;
      this.logger.warn(`dead letter for ${topic}/${partition}@${offset} refused as too large; sent without its value`);
      await this.producer.send(this.config.DLQ_TOPIC, [withoutValue(letter)]);
    }
  }
}

function reasonHeaders({ record, rejection }: DeadLetter, note = ''): IHeaders {
  return {
    [DLQ_HEADERS.code]: rejection.code,
    [DLQ_HEADERS.message]: headerText(rejection.message + note),
    [DLQ_HEADERS.topic]: record.topic,
    [DLQ_HEADERS.partition]: String(record.partition),
    [DLQ_HEADERS.offset]: record.offset,
  };
}

const whole = (letter: DeadLetter): Message => ({
  key: letter.record.key,
  value: letter.record.value,
  headers: { ...(letter.record.headers as IHeaders), ...reasonHeaders(letter) },
});

function withoutValue(letter: DeadLetter): Message {
  const { key, value } = letter.record;
  const bytes = value?.length ?? 0;
  const note = ` (the record, ${bytes} bytes, is larger than the dead-letter topic accepts: read it at its source offset)`;
  return {
    key: key && key.length <= MAX_KEPT_KEY_BYTES ? key : null,
    value: null,
    headers: { ...reasonHeaders(letter, note), [DROPPED_VALUE_HEADER]: String(bytes) },
  };
}

/**
 * A reason as one header line: quoted record text may hold newlines, other control characters
 * or a lone surrogate, which would break line-based readers or turn into U+FFFD.
 */
export function headerText(message: string): string {
  // eslint-disable-next-line no-control-regex
  const oneLine = message.replace(/[\u0000-\u001f\u007f]/g, (c) => `\\u${c.charCodeAt(0).toString(16).padStart(4, '0')}`);
  return oneLine.slice(0, MAX_MESSAGE_CHARS).toWellFormed();
}
