import type { EachBatchPayload, IHeaders, KafkaMessage } from 'kafkajs';
import { OUTBOUND_HEADERS, StoredEvent } from '@eventlog/contracts';
import type { CheckpointStore } from './checkpoint';
import type { EventHandler } from './outbound-subscription';

type BatchPayload = Pick<EachBatchPayload, 'batch' | 'resolveOffset' | 'heartbeat' | 'isRunning' | 'isStale'>;

/**
 * One fetched batch of one partition: each record above the partition's checkpoint goes to the
 * handler, in the order of the partition (position order), and is recorded as handled once the
 * handler returns; records at or below it are redeliveries. Offsets are resolved only after the
 * store has kept the batch's checkpoint, so Kafka never commits past an unrecorded position.
 */
export async function handlePartitionBatch(
  { batch, resolveOffset, heartbeat, isRunning, isStale }: BatchPayload,
  store: CheckpointStore,
  handler: EventHandler,
  eventOf: (message: KafkaMessage) => Promise<StoredEvent>,
  tenant: string | undefined,
): Promise<void> {
  let done: string | undefined;
  await store.inBatch(batch.partition, async (checkpoint, scope) => {
    let last = checkpoint;
    for (const message of batch.messages) {
      if (!isRunning() || isStale()) break;
      const position = Number(header(message.headers, OUTBOUND_HEADERS.position));
      if (!Number.isSafeInteger(position) || position < 1) {
        throw new Error(`record ${batch.topic}/${batch.partition}@${message.offset} has no ${OUTBOUND_HEADERS.position} header: is this the relay's outbound topic?`);
      }
      if (position > last) {
        if (tenant === undefined || header(message.headers, OUTBOUND_HEADERS.tenant) === tenant) {
          await handler(await eventOf(message), { partition: batch.partition, position, tx: scope.tx });
        }
        await scope.handled(position);
        last = position;
      }
      done = message.offset;
    }
  });
  if (done !== undefined) resolveOffset(done);
  await heartbeat();
}

export function header(headers: IHeaders | undefined, name: string): string | undefined {
  const value = headers?.[name];
  return value === undefined ? undefined : String(Array.isArray(value) ? value[0] : value);
}
