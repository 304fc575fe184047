import { createHash, timingSafeEqual } from 'node:crypto';
import { InvalidQueryError } from '@eventlog/contracts';

/** Where a keyset page ended: the last row's sort key (exact, as text) and its position. */
export interface CursorPoint {
  key: string | null;
  position: number;
}

// Not a secret: a cursor only holds what the caller could ask for with filters. The checksum makes
// any edit (or a truncated copy) fail loudly instead of silently paging from somewhere else.
const CHECKSUM_SALT = 'eventlog.cursor.v1';
const CURSOR = /^[A-Za-z0-9_-]{4,900}\.[A-Za-z0-9_-]{16}$/;

const digest = (text: string, bytes: number) => createHash('sha256').update(text).digest().subarray(0, bytes);

/**
 * An opaque cursor: base64url(JSON {k, p, q}) "." base64url(checksum). `scope` describes the query it
 * belongs to (sort, order, filters); only its hash is kept, so the cursor stays short and a cursor
 * replayed against another query is refused.
 */
export function encodeCursor(scope: string, point: CursorPoint): string {
  const payload = Buffer.from(
    JSON.stringify({ k: point.key, p: point.position, q: digest(scope, 8).toString('base64url') }),
  ).toString('base64url');
  return `${payload}.${digest(CHECKSUM_SALT + payload, 12).toString('base64url')}`;
}

/** The point a cursor resumes after; InvalidQueryError (field `cursor`) for anything not issued by encodeCursor for this scope. */
export function decodeCursor(cursor: string, scope: string, keyPattern?: RegExp): CursorPoint {
  const bad = (why: string) => InvalidQueryError.of('cursor', `cursor is invalid: ${why}`);
  if (!CURSOR.test(cursor)) throw bad('not a cursor this API issued');
  const [payload, checksum] = cursor.split('.');
  const expected = digest(CHECKSUM_SALT + payload, 12);
  if (!timingSafeEqual(Buffer.from(checksum, 'base64url'), expected)) throw bad('checksum mismatch (edited or truncated)');
  let parsed: unknown;
  try {
    parsed = JSON.parse(Buffer.from(payload, 'base64url').toString('utf8'));
  } catch {
    throw bad('unreadable');
  }
  const { k, p, q } = (parsed ?? {}) as Record<string, unknown>;
  if (q !== digest(scope, 8).toString('base64url')) throw bad('it belongs to a query with other filters, sort or order');
  if (!Number.isSafeInteger(p) || (p as number) < 0) throw bad('bad position');
  if (!(k === null || (typeof k === 'string' && (!keyPattern || keyPattern.test(k))))) throw bad('bad sort key');
  return { key: k as string | null, position: p as number };
}
