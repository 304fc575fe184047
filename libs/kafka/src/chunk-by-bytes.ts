import { Message } from 'kafkajs';

/** Consecutive runs of messages whose values add up to at most `maxBytes` (one oversized message runs alone). */
/* A partition's share of one produce request is one record batch, which the broker refuses above
 * the topic's max.message.bytes (1 MB by default): producers send large batches in such runs. */
export function chunkByBytes(messages: Message[], maxBytes: number): Message[][] {
  const chunks: Message[][] = [];
  let current: Message[] = [];
  let size = 0;
  for (const message of messages) {
    const bytes = message.value == null ? 0 : Buffer.byteLength(message.value);
    if (current.length > 0 && size + bytes > maxBytes) {
      chunks.push(current);
      current = [];
      size = 0;
    }
    current.push(message);
    size += bytes;
  }
  if (current.length > 0) chunks.push(current);
  return chunks;
}

