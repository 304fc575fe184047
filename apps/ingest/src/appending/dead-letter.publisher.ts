import { Injectable } from '@nestjs/common';
import { IHeaders } from 'kafkajs';
import { EventlogConfig } from '@eventlog/config';
import { DLQ_HEADERS, Rejection } from '@eventlog/contracts';
import { ProducerService } from '@eventlog/kafka';
import { KafkaRecord } from '../decoding/kafka-record';

export interface DeadLetter {
  record: KafkaRecord;
  rejection: Rejection;
}

/** Produces rejected records, untouched, to the dead-letter topic with the reason in headers. */
@Injectable()
export class DeadLetterPublisher {
  constructor(
    private readonly config: EventlogConfig,
    private readonly producer: ProducerService,
  ) {}

  /** Resolves once the broker has acknowledged every record. */
  async publish(letters: DeadLetter[]): Promise<void> {
    if (letters.length === 0) return;
    await this.producer.send(
      this.config.DLQ_TOPIC,
      letters.map(({ record, rejection }) => ({
        key: record.key,
        value: record.value,
        headers: {
          ...(record.headers as IHeaders),
          [DLQ_HEADERS.code]: rejection.code,
          [DLQ_HEADERS.message]: rejection.message.slice(0, 2000),
          [DLQ_HEADERS.topic]: record.topic,
          [DLQ_HEADERS.partition]: String(record.partition),
          [DLQ_HEADERS.offset]: record.offset,
        },
      })),
    );
  }
}
