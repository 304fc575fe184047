import { headerText } from './dead-letter.publisher';

describe('headerText: a rejection reason as one header line', () => {
  it('writes control characters as \\u escapes, so the reason stays one line', () => {
    expect(headerText('property a\nb\r\tc\u0000 should not exist')).toBe('property a\\u000ab\\u000d\\u0009c\\u0000 should not exist');
  });

  it('keeps text well-formed: a lone surrogate becomes U+FFFD, a pair cut at the limit does not leave half of itself', () => {
    expect(headerText('x\ud800y')).toBe('x\ufffdy');
    const cut = headerText(`${'a'.repeat(1999)}😀`);
    expect(cut).toHaveLength(2000);
    expect(cut.isWellFormed()).toBe(true);
  });
});
