import { RejectionCode } from '@eventlog/contracts';
import { DEAD_LETTER_KEPT_BYTES, deadLetterRow, DeadLetterInput, StoredHeader } from './dead-letter-rows';

const input = (record: Partial<DeadLetterInput['record']>, message = 'm', tenant?: string): DeadLetterInput => ({
  record: { topic: 'in', partition: 1, offset: '7', key: null, value: null, ...record },
  rejection: { code: RejectionCode.InvalidJson, message },
  tenant,
});
const headersOf = (json: string) => (JSON.parse(json) as StoredHeader[]).map(([n, v]) => [Buffer.from(n, 'base64').toString(), v && Buffer.from(v, 'base64')]);

describe('deadLetterRow: a row no record content can make Postgres refuse', () => {
  it('keeps key and value as bytes, whatever they hold, with their sizes', () => {
    const key = Buffer.from([0x00, 0xff, 0xed, 0xa0, 0x80]);
    const value = Buffer.from([0x7b, 0x00, 0xfe]);
    const row = deadLetterRow(input({ key, value }));
    expect(row).toMatchObject({ key, keyBytes: 5, value, valueBytes: 3, tenant: null, topic: 'in', partition: 1, offset: '7' });
  });

  it('keeps the first 64 KiB of a larger value and says how large it was', () => {
    const value = Buffer.alloc(DEAD_LETTER_KEPT_BYTES + 10, 0x61);
    const row = deadLetterRow(input({ value }));
    expect(row.value).toHaveLength(DEAD_LETTER_KEPT_BYTES);
    expect(row.valueBytes).toBe(DEAD_LETTER_KEPT_BYTES + 10);
  });

  it('stores null key and value as null, not as empty', () => {
    expect(deadLetterRow(input({}))).toMatchObject({ key: null, keyBytes: null, value: null, valueBytes: null, headers: '[]', headerBytes: 0 });
  });

  it('keeps headers in order as base64 pairs, repeated names and names holding NUL included', () => {
    const row = deadLetterRow(input({ headers: { a: [Buffer.from([0]), 'two'], 'n\u0000\ud800': Buffer.from([0xff]), gone: undefined } }));
    expect(headersOf(row.headers)).toEqual([
      ['a', Buffer.from([0])],
      ['a', Buffer.from('two')],
      ['n\u0000\ufffd', Buffer.from([0xff])],
      ['gone', null],
    ]);
    expect(row.headerBytes).toBe(1 + 1 + 1 + 3 + 5 + 1 + 4);
  });

  it('keeps whole headers while they fit in 64 KiB, and counts them all', () => {
    const big = Buffer.alloc(40 * 1024);
    const row = deadLetterRow(input({ headers: { first: big, second: big, third: Buffer.from('x') } }));
    expect(headersOf(row.headers).map(([n]) => n)).toEqual(['first']);
    expect(row.headerBytes).toBe(5 + 6 + 5 + 2 * big.length + 1);
  });

  it('makes the message text Postgres takes: NUL written out, a lone surrogate replaced, bounded', () => {
    expect(deadLetterRow(input({}, 'bad\u0000key \ud800')).message).toBe('bad\\u0000key \ufffd');
    expect(deadLetterRow(input({}, 'x'.repeat(5000))).message).toHaveLength(2000);
    expect(deadLetterRow(input({}, 'm', 'acme')).tenant).toBe('acme');
  });
});
