import fc from 'fast-check';
import { isExactNumber, parseExactJson, parseExactJsonText } from './exact-json';

/** The integer a JSON number denotes (integers only, as JavaScript writes them: 12 or 1.2e+21). */
function integerOf(text: string): bigint {
  const [mantissa, exponent = '0'] = text.split('e');
  const [whole, fraction = ''] = mantissa.split('.');
  return BigInt(whole + fraction) * 10n ** BigInt(Number(exponent) - fraction.length);
}

describe('parseExactJson', () => {
  it('parses every JSON value JSON.stringify writes, unchanged', () => {
    fc.assert(
      fc.property(fc.jsonValue(), (value) => {
        const parsed = parseExactJsonText(JSON.stringify(value));
        expect(parsed).toEqual({ ok: true, value: JSON.parse(JSON.stringify(value)) });
      }),
      { numRuns: 1000 },
    );
  });

  it('holds every finite double exactly as JavaScript writes it', () => {
    fc.assert(
      fc.property(fc.double({ noNaN: true, noDefaultInfinity: true }), (d) => expect(isExactNumber(JSON.stringify(d))).toBe(true)),
      { numRuns: 2000 },
    );
  });

  it('refuses every integer whose stored form (the double, written back) differs from it, and keeps the others', () => {
    fc.assert(
      fc.property(fc.bigInt({ min: -(2n ** 80n), max: 2n ** 80n }), (n) => {
        const held = integerOf(JSON.stringify(Number(n))) === n;
        const parsed = parseExactJsonText(`{"n":${n}}`);
        expect(parsed.ok).toBe(held);
        if (!parsed.ok) expect(parsed).toMatchObject({ code: 'VALIDATION_FAILED', field: 'n' });
      }),
      { numRuns: 2000 },
    );
  });

  it('names the path of the number it refuses', () => {
    expect(parseExactJsonText('{"a":[{"b":1},{"c":[0, 1e999]}]}')).toMatchObject({ ok: false, field: 'a[1].c[1]' });
    expect(parseExactJsonText('[1, -2e-400]')).toMatchObject({ ok: false, field: '[1]' });
    expect(parseExactJsonText('{"a\\"b":{"c":123456789012345678901}}')).toMatchObject({ ok: false, field: 'a"b.c' });
  });

  it(`refuses a number too long to look at at once (${'1'}e-1200 written out)`, () => {
    expect(parseExactJsonText(`{"x":0.${'0'.repeat(1200)}1}`)).toMatchObject({ ok: false, field: 'x' });
  });

  it('refuses invalid UTF-8 and lone surrogates, and accepts U+FFFD and pairs', () => {
    expect(parseExactJson(Buffer.from([0x7b, 0xff, 0x7d]))).toMatchObject({ ok: false, code: 'INVALID_JSON', message: 'value is not valid UTF-8' });
    expect(parseExactJson(Buffer.from('{"a":"\\udbff"}'))).toMatchObject({ ok: false, code: 'VALIDATION_FAILED', field: 'a' });
    expect(parseExactJson(Buffer.from('{"a":["\\ud800\\udc00","\\ufffd"]}'))).toEqual({ ok: true, value: { a: ['\u{10000}', '\ufffd'] } });
  });

  it('refuses malformed JSON as INVALID_JSON', () => {
    expect(parseExactJsonText('{"a":', 'body')).toMatchObject({ ok: false, code: 'INVALID_JSON', field: 'body' });
  });
});
