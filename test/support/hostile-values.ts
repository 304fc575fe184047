import fc from 'fast-check';

/*
 * The classes of hostile input of issue 12, as fast-check arbitraries, and the means to put one
 * into any position of a valid request: nulls and wrong types, Unicode edge cases, numbers beyond
 * a double, nesting, and text at and beyond each limit. Numbers and nestings that JSON.stringify
 * cannot write travel as placeholders that `toJsonText` turns into raw JSON.
 */

const RAW_OPEN = '\u0001RAW<';
const RAW_CLOSE = '>RAW\u0001';
/** A JSON token written as it is into the request text (1e400, a 5,000-level nesting). */
export const raw = (token: string) => `${RAW_OPEN}${token}${RAW_CLOSE}`;

/** JSON text of a value, with every raw placeholder replaced by its token. */
export function toJsonText(value: unknown): string {
  return JSON.stringify(value).replace(/"\\u0001RAW<(.*?)>RAW\\u0001"/g, '$1');
}

const nest = (depth: number) => raw(`${'['.repeat(depth)}${']'.repeat(depth)}`);

export const HOSTILE_CLASSES = {
  null: fc.constant(null),
  wrongType: fc.constantFrom<unknown>(7, -1, 1.5, 0, true, false, [], {}, [null], { a: 1 }, '', ['x', 'y']),
  unicode: fc.constantFrom(
    '\ud800',
    'a\udc00b',
    'x\udbff',
    '\u0000',
    'a\u0000b',
    '\ufffd',
    'e\u0301\u0301',
    '😀',
    '𝔘𝔫𝔦',
    '\u202eevil',
    'line\nbreak',
    'tab\tx',
    '\u007f',
    '\u200b',
    '%ED%A0%80',
  ),
  number: fc.constantFrom(raw('1e400'), raw('-1e400'), raw('1e-400'), raw('9007199254740993'), raw('123456789012345678901234567890'), raw('-0'), raw('1E+308'), 0.1),
  nesting: fc.constantFrom(nest(40), nest(70), nest(3000)),
  size: fc.constantFrom(...[32, 33, 64, 65, 128, 129, 200, 201, 256, 257, 300, 301, 4096, 4097, 100_000].map((n) => 'x'.repeat(n))),
};
export type HostileClass = keyof typeof HOSTILE_CLASSES;

export const hostileValue: fc.Arbitrary<{ kind: HostileClass; value: unknown }> = fc.oneof(
  ...Object.entries(HOSTILE_CLASSES).map(([kind, arb]) => (arb as fc.Arbitrary<unknown>).map((value) => ({ kind: kind as HostileClass, value }))),
);

/** Every path of a JSON value (objects and arrays inside it too), as key lists. */
export function pathsOf(value: unknown, prefix: (string | number)[] = []): (string | number)[][] {
  if (typeof value !== 'object' || value === null) return [prefix];
  const inner = Object.entries(value).flatMap(([k, v]) => pathsOf(v, [...prefix, Array.isArray(value) ? Number(k) : k]));
  return prefix.length ? [prefix, ...inner] : inner;
}

/** A deep copy of `value` with the value at `path` replaced. */
export function replaceAt(value: unknown, path: (string | number)[], replacement: unknown): unknown {
  if (path.length === 0) return replacement;
  const copy = (Array.isArray(value) ? [...value] : { ...(value as object) }) as Record<string | number, unknown>;
  copy[path[0]] = replaceAt(copy[path[0]], path.slice(1), replacement);
  return copy;
}

/** A path as the API names fields: where[0].value, from.tenant, [1].data.a. */
export const fieldName = (path: (string | number)[]) =>
  path.reduce<string>((at, p) => (typeof p === 'number' ? `${at}[${p}]` : at ? `${at}.${p}` : p), '');

/** A mutation of a valid JSON request: one position given a hostile value. */
export function mutationsOf(template: unknown) {
  const paths = pathsOf(template);
  return fc.tuple(fc.constantFrom(...paths), hostileValue).map(([path, hostile]) => ({
    field: fieldName(path),
    kind: hostile.kind,
    value: replaceAt(template, path, hostile.value),
  }));
}

/**
 * %-encodes text for a query string or path. A lone surrogate is written as the three bytes
 * UTF-8 would give it (CESU-8), which is not UTF-8: what a careless client sends.
 */
export function percentEncode(text: string): string {
  let out = '';
  for (const ch of text) {
    const code = ch.codePointAt(0)!;
    if (code >= 0xd800 && code <= 0xdfff) {
      out += [0xe0 | (code >> 12), 0x80 | ((code >> 6) & 0x3f), 0x80 | (code & 0x3f)].map((b) => `%${b.toString(16).toUpperCase()}`).join('');
    } else out += encodeURIComponent(ch);
  }
  return out;
}

/** A hostile value as query-string text: raw tokens as written, arrays as repeated keys. */
export function asQueryValues(value: unknown): string[] {
  if (Array.isArray(value)) return value.length ? value.flatMap(asQueryValues) : [''];
  if (typeof value === 'string') return [value.startsWith(RAW_OPEN) ? value.slice(RAW_OPEN.length, -RAW_CLOSE.length) : value];
  return [value === null ? 'null' : typeof value === 'object' ? JSON.stringify(value) : String(value)];
}
