import { StoredEvent } from '../../../../libs/contracts/src';
import { chunkByBytes } from '../../../../libs/kafka/src';
import { toOutboundRecord } from './outbound-record';

const event: StoredEvent = {
  id: 'e-1', tenant: 't1', stream: 'order-1', version: 3, position: 42, type: 'OrderPaid', data: { a: 1 }, metadata: {},
  source: null, status: 'success', message: null, requestId: null, nodeId: 'e-1', parentNodeId: null,
  occurredAt: '2024-01-01T00:00:00.000Z', recordedAt: '2024-01-01T00:00:01.000Z', kafka: { topic: 'in', partition: 0, offset: 7 },
};

describe('toOutboundRecord', () => {
  it('keys by stream, carries the stored event and the four eventlog headers', () => {
    const record = toOutboundRecord(event);
    expect(record.key).toBe('order-1');
    expect(JSON.parse(record.value as string)).toEqual(event);
    expect(record.headers).toEqual({ 'eventlog-position': '42', 'eventlog-version': '3', 'eventlog-type': 'OrderPaid', 'eventlog-tenant': 't1' });
  });
});

describe('chunkByBytes', () => {
  const msg = (n: number) => ({ value: 'x'.repeat(n) });

  it('keeps order and puts at most maxBytes of values in each chunk', () => {
    const chunks = chunkByBytes([msg(40), msg(40), msg(40), msg(10), msg(90)], 100);
    expect(chunks.map((c) => c.map((m) => (m.value as string).length))).toEqual([[40, 40], [40, 10], [90]]);
  });

  it('sends a message larger than maxBytes alone rather than dropping it', () => {
    expect(chunkByBytes([msg(10), msg(500), msg(10)], 100).map((c) => c.length)).toEqual([1, 1, 1]);
  });
});
