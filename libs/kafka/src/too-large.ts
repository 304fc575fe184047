/**
 * Whether the broker refused a produce because a record, or a partition's batch, is over the
 * topic's max.message.bytes. kafkajs wraps the protocol error; its cause chain is walked.
 */
export function isTooLarge(err: unknown): boolean {
  for (let e = err as { type?: string; cause?: unknown; message?: string } | undefined; e; e = e.cause as typeof e) {
    if (e.type === 'MESSAGE_TOO_LARGE' || e.type === 'RECORD_LIST_TOO_LARGE') return true;
    if (/larger than the max message size/i.test(String(e.message))) return true;
  }
  return false;
}
