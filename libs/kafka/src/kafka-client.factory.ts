import { Logger } from '@nestjs/common';
import { Kafka, KafkaConfig, logLevel, LogEntry, SASLOptions } from 'kafkajs';
import { EventlogConfig } from '@eventlog/config';

type LogSink = (level: 'error' | 'warn' | 'info' | 'debug', message: string, extra: object) => void;

/**
 * kafkajs's log lines through Nest's logger (pino in the apps) under the context `kafkajs`, its
 * fields (broker, clientId, groupId, error, retryCount…) kept as fields of the log record.
 */
export function kafkajsLogSink(): LogSink {
  const logger = new Logger('kafkajs');
  return (level, message, extra) => {
    const { timestamp: _timestamp, logger: _logger, ...fields } = extra as Record<string, unknown>;
    logger[level === 'info' ? 'log' : level](fields, message);
  };
}

/** Broker list, TLS and SASL from configuration: the one place a kafkajs client is configured. */
export function kafkaClientConfig(config: EventlogConfig, clientId: string, log?: LogSink): KafkaConfig {
  let sasl: SASLOptions | undefined;
  if (config.KAFKA_SASL_MECHANISM) {
    sasl = {
      mechanism: config.KAFKA_SASL_MECHANISM,
      username: config.KAFKA_SASL_USERNAME!,
      password: config.KAFKA_SASL_PASSWORD!,
    } as SASLOptions;
  }
  return {
    clientId,
    brokers: config.KAFKA_BROKERS,
    ssl: config.KAFKA_SSL || undefined,
    sasl,
    connectionTimeout: 3000,
    retry: { initialRetryTime: 100, retries: 8 },
    logLevel: logLevel.WARN,
    logCreator: log
      ? () =>
          ({ level, log: entry }: LogEntry) => {
            const { message, ...extra } = entry;
            log(level === logLevel.ERROR ? 'error' : level === logLevel.WARN ? 'warn' : level === logLevel.INFO ? 'info' : 'debug', message, extra);
          }
      : undefined,
  };
}

export function createKafka(config: EventlogConfig, clientId: string, log?: LogSink): Kafka {
  return new Kafka(kafkaClientConfig(config, clientId, log));
}
