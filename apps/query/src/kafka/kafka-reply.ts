import { stringifyWithRaw } from '@eventlog/contracts';

/**
 * A reply as an explicit Kafka message. Nest treats any object with a `key` or `value` property as
 * the message itself, so a result is always wrapped; its value is the result's JSON text, exactly
 * as HTTP returns it (events Postgres built as JSON are spliced in, not parsed and re-serialised),
 * and Nest sends a string value as it is.
 */
export const kafkaReply = <T>(result: T) => ({ value: stringifyWithRaw(result) });
