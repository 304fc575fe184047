import { RawJson, stringifyWithRaw } from './raw-json';

describe('stringifyWithRaw', () => {
  it('splices JSON text in as it is, at any depth, among ordinary values', () => {
    const text = stringifyWithRaw({ count: 2, events: [new RawJson('{"id": "a", "n": 1.50}'), new RawJson('{"id":"b"}')], next: null });
    expect(text).toBe('{"count":2,"events":[{"id": "a", "n": 1.50},{"id":"b"}],"next":null}');
    expect(JSON.parse(text)).toEqual({ count: 2, events: [{ id: 'a', n: 1.5 }, { id: 'b' }], next: null });
  });

  it('leaves look-alike strings alone and matches JSON.stringify without RawJson', () => {
    const value = { s: '\u0000raw:0', t: 'raw:0', u: [1, 'x', { v: true }] };
    expect(stringifyWithRaw(value)).toBe(JSON.stringify(value));
    expect(stringifyWithRaw({ a: new RawJson('[1]'), s: '\u0000raw:0' })).toBe('{"a":[1],"s":"\\u0000raw:0"}');
  });

  it('still gives the value to a plain JSON.stringify, through a parse', () => {
    expect(JSON.stringify({ e: new RawJson('{"id": "a"}') })).toBe('{"e":{"id":"a"}}');
  });
});
