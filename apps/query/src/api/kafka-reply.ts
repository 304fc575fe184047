/**
 * A reply as an explicit Kafka message. Nest treats any object with a `key` or `value` property as
 * the message itself, so a result is always wrapped; the reply value is then exactly the result's
 * JSON, as HTTP returns it.
 */
export const kafkaReply = <T>(result: T) => ({ value: result });
