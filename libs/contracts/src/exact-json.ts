import { isUtf8 } from 'node:buffer';
import { RejectionCode } from './error-codes';

/*
 * JSON that is stored exactly or refused, never changed on the way (docs/decisions/024). JSON.parse
 * alone turns invalid UTF-8 into U+FFFD, `1e400` into Infinity (stored as null) and integers past
 * 2^53 into their nearest double, and keeps `\ud800` as a lone surrogate that Postgres then stores
 * as U+FFFD. Each of those is refused here, with the path of the value.
 */

/** INVALID_JSON when the bytes are not JSON at all, VALIDATION_FAILED for a value JSON.parse would change. */
export type ExactJson =
  | { ok: true; value: unknown }
  | { ok: false; code: RejectionCode.InvalidJson | RejectionCode.ValidationFailed; field: string; message: string };

/** Where a number token may start in JSON text, and the token itself; 16+ digits or a 3-digit exponent. */
const SUSPECT_NUMBER = /[:[,]\s*-?(?:\d[\d.]{15}|[\d.]+[eE][+-]?\d{3})/;
/** A \u escape of a UTF-16 surrogate, the only way JSON text can spell a lone one. */
const SURROGATE_ESCAPE = /\\u[dD][89a-fA-F]/;

/**
 * Parses UTF-8 JSON bytes, refusing what JSON.parse would change: invalid UTF-8, numbers a double
 * cannot hold exactly, and strings or keys with a lone surrogate. The checks past JSON.parse run
 * only when the text holds a candidate, so ordinary JSON costs one regular-expression scan more.
 */
export function parseExactJson(bytes: Buffer, what = 'value'): ExactJson {
  if (!isUtf8(bytes)) return { ok: false, code: RejectionCode.InvalidJson, field: what, message: `${what} is not valid UTF-8` };
  return parseExactJsonText(bytes.toString('utf8'), what);
}

/** parseExactJson for text already decoded (its UTF-8 checked by the caller). */
export function parseExactJsonText(text: string, what = 'value'): ExactJson {
  let value: unknown;
  try {
    value = JSON.parse(text);
  } catch (err) {
    return { ok: false, code: RejectionCode.InvalidJson, field: what, message: `${what} is not valid JSON: ${(err as Error).message}` };
  }
  const problem = inexactProblem(text, value);
  return problem ? { ok: false, code: RejectionCode.ValidationFailed, ...problem } : { ok: true, value };
}

/** The first inexact number or ill-formed string of already parsed JSON text, with its path. */
export function inexactProblem(text: string, value: unknown): { field: string; message: string } | undefined {
  if (SUSPECT_NUMBER.test(text)) {
    const found = inexactNumber(text);
    if (found) {
      const field = found.path || 'value';
      return { field, message: `${field}: the number ${clip(found.token)} cannot be kept exactly (beyond a 64-bit float); send it as a string` };
    }
  }
  // includes() first: most JSON has no \u escape at all, and the search is far cheaper than a regex.
  if (text.includes('\\u') && SURROGATE_ESCAPE.test(text)) {
    const field = illFormedString(value);
    if (field !== undefined) return { field: field || 'value', message: `${field || 'value'}: text must be well-formed Unicode (a lone UTF-16 surrogate is not)` };
  }
  return undefined;
}

const clip = (s: string) => (s.length > 40 ? `${s.slice(0, 40)}…` : s);

/** The path of the first string or key that is not well-formed UTF-16, if any; iterative. */
export function illFormedString(root: unknown): string | undefined {
  const stack: [unknown, string][] = [[root, '']];
  while (stack.length) {
    const [value, path] = stack.pop()!;
    if (typeof value === 'string') {
      if (!value.isWellFormed()) return path;
      continue;
    }
    if (typeof value !== 'object' || value === null) continue;
    const isArray = Array.isArray(value);
    for (const [key, child] of Object.entries(value)) {
      const at = isArray ? `${path}[${key}]` : path ? `${path}.${key}` : key;
      if (!key.isWellFormed()) return at;
      stack.push([child, at]);
    }
  }
  return undefined;
}

/** A decimal number as sign, significant digits and exponent: equal keys, equal values. */
function decimalKey(token: string): string {
  const m = /^(-?)(\d+)(?:\.(\d+))?(?:[eE]([+-]?\d+))?$/.exec(token);
  if (!m) return token;
  const all = m[2] + (m[3] ?? '');
  const lead = /^0*/.exec(all)![0].length;
  const digits = all.slice(lead).replace(/0+$/, '');
  if (digits === '') return '0';
  return `${m[1]}${digits}e${BigInt(m[4] ?? 0) + BigInt(m[2].length - lead)}`;
}

/** Whether a JSON number token survives a round trip through a double with its value unchanged. */
export function isExactNumber(token: string): boolean {
  const n = Number(token);
  return Number.isFinite(n) && decimalKey(token) === decimalKey(String(n));
}

const NUMBER_TOKEN = /-?\d+(?:\.\d+)?(?:[eE][+-]?\d+)?/y;

interface Container {
  array: boolean;
  path: string;
  index: number;
  key?: string;
}

/**
 * Scans valid JSON text for number tokens outside strings and returns the first that a double
 * cannot hold exactly, with the path of the value it is.
 */
function inexactNumber(text: string): { path: string; token: string } | undefined {
  const stack: Container[] = [];
  const here = () => {
    const top = stack[stack.length - 1];
    if (!top) return '';
    if (top.array) return `${top.path}[${top.index}]`;
    return top.path ? `${top.path}.${top.key}` : (top.key ?? '');
  };
  let expectKey = false;
  for (let i = 0; i < text.length; i++) {
    const c = text[i];
    if (c === '"') {
      const end = stringEnd(text, i);
      if (expectKey) stack[stack.length - 1].key = JSON.parse(text.slice(i, end + 1)) as string;
      expectKey = false;
      i = end;
    } else if (c === '{' || c === '[') {
      stack.push({ array: c === '[', path: here(), index: 0 });
      expectKey = c === '{';
    } else if (c === '}' || c === ']') {
      stack.pop();
    } else if (c === ',') {
      const top = stack[stack.length - 1];
      if (top.array) top.index += 1;
      else expectKey = true;
    } else if (c === '-' || (c >= '0' && c <= '9')) {
      NUMBER_TOKEN.lastIndex = i;
      const token = NUMBER_TOKEN.exec(text)![0];
      if (!isExactNumber(token)) return { path: here(), token };
      i += token.length - 1;
    }
  }
  return undefined;
}

/** Index of the quote that closes the string opening at `start`. */
function stringEnd(text: string, start: number): number {
  for (let i = start + 1; i < text.length; i++) {
    if (text[i] === '\\') i++;
    else if (text[i] === '"') return i;
  }
  return text.length - 1;
}
