import type { KafkaMessage } from 'kafkajs';
import type { StoredEvent } from '@eventlog/contracts';
import { functionStore } from './checkpoint';
import { handlePartitionBatch } from './partition-batch';

const record = (offset: number, position: number, tenant = 't1'): KafkaMessage =>
  ({
    offset: String(offset),
    key: Buffer.from('s'),
    value: Buffer.from(JSON.stringify({ position, tenant })),
    headers: { 'eventlog-position': String(position), 'eventlog-tenant': tenant },
  }) as unknown as KafkaMessage;

const eventOf = async (m: KafkaMessage) => JSON.parse(String(m.value)) as StoredEvent;

/** One partition's batch, and what the function store and the consumer were told. */
function setup(saved: Record<number, number>, messages: KafkaMessage[]) {
  const calls: string[] = [];
  const store = functionStore({
    load: (partition) => saved[partition],
    save: (partition, position) => {
      saved[partition] = position;
      calls.push(`save ${position}`);
    },
  });
  const payload = {
    batch: { topic: 'out', partition: 2, messages } as never,
    resolveOffset: (offset: string) => void calls.push(`resolve ${offset}`),
    heartbeat: async () => undefined,
    isRunning: () => true,
    isStale: () => false,
  };
  return { calls, store, payload };
}

describe('handlePartitionBatch', () => {
  it('hands over only positions above the checkpoint, saves each after its handler, and resolves the offset last', async () => {
    const saved = { 2: 11 };
    const { calls, store, payload } = setup(saved, [record(5, 10), record(6, 11), record(7, 12), record(8, 13)]);
    await handlePartitionBatch(payload, store, (e, ctx) => void calls.push(`handle ${ctx.position}/${e.position}`), eventOf, undefined);
    expect(calls).toEqual(['handle 12/12', 'save 12', 'handle 13/13', 'save 13', 'resolve 8']);
    expect(saved).toEqual({ 2: 13 });
  });

  it('passes over another tenant’s events but checkpoints them', async () => {
    const { calls, store, payload } = setup({}, [record(0, 1, 'other'), record(1, 2)]);
    await handlePartitionBatch(payload, store, (_, ctx) => void calls.push(`handle ${ctx.position}`), eventOf, 't1');
    expect(calls).toEqual(['save 1', 'handle 2', 'save 2', 'resolve 1']);
  });

  it('resolves no offset when a handler throws: the batch comes again, and what was saved is passed over then', async () => {
    const saved: Record<number, number> = {};
    const first = setup(saved, [record(0, 1), record(1, 2)]);
    const failing = (_: StoredEvent, ctx: { position: number }) => {
      if (ctx.position === 2) throw new Error('handler failed');
      first.calls.push(`handle ${ctx.position}`);
    };
    await expect(handlePartitionBatch(first.payload, first.store, failing, eventOf, undefined)).rejects.toThrow('handler failed');
    expect(first.calls).toEqual(['handle 1', 'save 1']);

    const again = setup(saved, [record(0, 1), record(1, 2)]);
    await handlePartitionBatch(again.payload, again.store, (_, ctx) => void again.calls.push(`handle ${ctx.position}`), eventOf, undefined);
    expect(again.calls).toEqual(['handle 2', 'save 2', 'resolve 1']);
  });

  it('refuses a record without a position rather than guess its place', async () => {
    const bare = { offset: '0', key: null, value: Buffer.from('{}'), headers: {} } as unknown as KafkaMessage;
    const { store, payload } = setup({}, [bare]);
    await expect(handlePartitionBatch(payload, store, () => undefined, eventOf, undefined)).rejects.toThrow('has no eventlog-position header');
  });
});
