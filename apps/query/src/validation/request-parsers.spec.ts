import 'reflect-metadata';
import fc from 'fast-check';
import { strictQueryString, UndecodableText } from './request-parsers';

describe('strictQueryString', () => {
  it('decodes every well-formed value exactly as it was encoded, + as space', () => {
    fc.assert(
      fc.property(fc.dictionary(fc.stringMatching(/^[a-z]{1,8}$/), fc.string({ unit: 'grapheme' }), { maxKeys: 5 }), (query) => {
        const text = Object.entries(query).map(([k, v]) => `${k}=${encodeURIComponent(v)}`).join('&');
        expect({ ...strictQueryString(text) }).toEqual(query);
      }),
      { numRuns: 1000 },
    );
    expect({ ...strictQueryString('q=a+b%2Bc') }).toEqual({ q: 'a b+c' });
  });

  it('keeps repeated keys as a list and a key without = as empty text', () => {
    expect({ ...strictQueryString('type=a&type=b&type=c&flag') }).toEqual({ type: ['a', 'b', 'c'], flag: '' });
  });

  it('marks escapes that are not UTF-8 (an encoded lone surrogate, a stray byte, a broken escape) instead of taking them literally', () => {
    for (const raw of ['%ED%A0%80', 'a%FFb', '%E9', '%', '%G1']) {
      const parsed = strictQueryString(`stream=${raw}`);
      expect(parsed.stream).toBeInstanceOf(UndecodableText);
      expect((parsed.stream as UndecodableText).raw).toBe(raw);
    }
  });

  it('keeps __proto__ as a key of its own, for validation to refuse', () => {
    const parsed = strictQueryString('__proto__=x&constructor=y');
    expect(Object.keys(parsed)).toEqual(['__proto__', 'constructor']);
    expect(Object.getPrototypeOf(parsed)).toBeNull();
  });
});
