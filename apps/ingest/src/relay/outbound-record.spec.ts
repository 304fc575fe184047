import { chunkByBytes } from '@eventlog/kafka';
import { OutboundRow } from '@eventlog/store';
import { toOutboundRecord, toReferenceRecord } from './outbound-record';

const row: OutboundRow = { position: '42', version: '3', type: 'OrderPaid', tenant: 't1', stream: 'order-1', json: '{"id":"e-1"}' };

describe('toOutboundRecord', () => {
  it('keys by stream, carries the stored form as is and the four eventlog headers', () => {
    const record = toOutboundRecord(row);
    expect(record.key).toBe('order-1');
    expect(record.value).toBe('{"id":"e-1"}');
    expect(record.headers).toEqual({ 'eventlog-position': '42', 'eventlog-version': '3', 'eventlog-type': 'OrderPaid', 'eventlog-tenant': 't1' });
  });
});

describe('toReferenceRecord', () => {
  it('stands for the event without its body: same key, headers and position, the size it had', () => {
    const reference = toReferenceRecord(toOutboundRecord(row));
    expect(reference.key).toBe('order-1');
    expect(JSON.parse(String(reference.value))).toEqual({ tenant: 't1', stream: 'order-1', type: 'OrderPaid', version: 3, position: 42, truncated: true });
    expect(reference.headers).toEqual({ ...toOutboundRecord(row).headers, 'eventlog-truncated': '12' });
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
