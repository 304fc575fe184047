import { NewEvent } from '@eventlog/contracts';
import { appendedOutboundRow, jsonbText } from './stored-event-text';

// Expected texts are Postgres 15's own output for the same values (SELECT '…'::jsonb).
describe('jsonbText', () => {
  it('spaces items, orders keys shorter first then bytewise, and writes no exponent', () => {
    const value = JSON.parse('{"b":1,"aa":[1,2.5,{}],"a":{"z":null,"é":"x\\"\\n\\u0001/"},"ab":1e21,"c":1.5e-7,"d":-0,"e":true,"f":[]}');
    expect(jsonbText(value)).toBe('{"a": {"z": null, "é": "x\\"\\n\\u0001/"}, "b": 1, "c": 0.00000015, "d": 0, "e": true, "f": [], "aa": [1, 2.5, {}], "ab": 1000000000000000000000}');
  });

  it('orders keys by their UTF-8 length, not their length in UTF-16 units', () => {
    expect(jsonbText({ ä: 1, b: 2, aa: 3, z: 4 })).toBe('{"b": 2, "z": 4, "aa": 3, "ä": 1}');
  });

  it('spells numbers as numeric_out does', () => {
    expect([1e-7, 123e-2, -5e-324, 1.7976931348623157e308, 0.000001, 1.2345e25, -1.5e-10].map(jsonbText)).toEqual([
      '0.0000001',
      '1.23',
      `-0.${'0'.repeat(323)}5`,
      `17976931348623157${'0'.repeat(292)}`,
      '0.000001',
      `12345${'0'.repeat(21)}`,
      '-0.00000000015',
    ]);
  });
});

describe('appendedOutboundRow', () => {
  const event: NewEvent = {
    id: 'e-1', tenant: 't1', stream: 'order-1', type: 'OrderPaid', data: { n: 1 }, metadata: {}, source: null, status: 'success', message: null,
    requestId: null, nodeId: 'e-1', parentNodeId: null, occurredAt: new Date('2026-01-02T03:04:05.678Z'), expectedVersion: 'any',
    kafka: { topic: 'in', partition: 2, offset: 17 },
  };

  it('spells the stored form as json_build_object does', () => {
    expect(appendedOutboundRow({ event, version: 3, position: 42 }, '2026-01-02T03:04:06.000Z')).toEqual({
      position: '42', version: '3', type: 'OrderPaid', tenant: 't1', stream: 'order-1',
      json:
        '{"id" : "e-1", "tenant" : "t1", "stream" : "order-1", "version" : 3, "position" : 42, "type" : "OrderPaid", "data" : {"n": 1}, ' +
        '"metadata" : {}, "source" : null, "status" : "success", "message" : null, "requestId" : null, "nodeId" : "e-1", "parentNodeId" : null, ' +
        '"occurredAt" : "2026-01-02T03:04:05.678Z", "recordedAt" : "2026-01-02T03:04:06.000Z", "kafka" : {"topic" : "in", "partition" : 2, "offset" : 17}}',
    });
  });

  it('declines what Postgres would store differently: a lone surrogate, a five-digit year, a Date inside data', () => {
    const at = (e: Partial<NewEvent>) => appendedOutboundRow({ event: { ...event, ...e }, version: 1, position: 1 }, '2026-01-02T03:04:06.000Z');
    expect(at({ stream: 'a\ud800' })).toBeUndefined();
    expect(at({ occurredAt: new Date('+010000-01-01T00:00:00Z') })).toBeUndefined();
    expect(at({ data: { when: new Date() } })).toBeUndefined();
    expect(at({ stream: 'a\ud83d\ude00' })).toBeDefined();
  });
});
