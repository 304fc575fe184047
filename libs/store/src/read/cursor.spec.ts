import { decodeCursor, encodeCursor } from './cursor';
import { InvalidQueryError } from '@eventlog/contracts';

const TS = /^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}\.\d{6}Z$/;

describe('cursor', () => {
  const scope = 'occurredAt|desc|tenant=default';
  const point = { key: '2024-05-01T10:00:00.123456Z', position: 4711 };

  it('round-trips the point it was given for the same scope', () => {
    const cursor = encodeCursor(scope, point);
    expect(cursor).toMatch(/^[A-Za-z0-9_-]+\.[A-Za-z0-9_-]+$/);
    expect(decodeCursor(cursor, scope, TS)).toEqual(point);
    expect(decodeCursor(encodeCursor(scope, { key: null, position: 0 }), scope)).toEqual({ key: null, position: 0 });
  });

  it('is stable: the same point and scope give the same cursor', () => {
    expect(encodeCursor(scope, point)).toBe(encodeCursor(scope, { ...point }));
  });

  const refused = (cursor: string, s = scope) => {
    try {
      decodeCursor(cursor, s, TS);
    } catch (err) {
      expect(err).toBeInstanceOf(InvalidQueryError);
      expect((err as InvalidQueryError).problems[0].field).toBe('cursor');
      return (err as Error).message;
    }
    throw new Error('cursor was accepted');
  };

  it('refuses a cursor whose payload was edited, even with valid JSON', () => {
    const [, checksum] = encodeCursor(scope, point).split('.');
    const forged = Buffer.from(JSON.stringify({ k: point.key, p: 1, q: 'x' })).toString('base64url');
    expect(refused(`${forged}.${checksum}`)).toMatch(/checksum/);
  });

  it('refuses a flipped character, a truncated cursor and plain garbage', () => {
    const cursor = encodeCursor(scope, point);
    const flipped = (cursor[3] === 'A' ? 'B' : 'A');
    expect(refused(cursor.slice(0, 3) + flipped + cursor.slice(4))).toMatch(/cursor is invalid/);
    expect(refused(cursor.slice(0, -2))).toMatch(/cursor is invalid/);
    expect(refused('not-a-cursor')).toMatch(/cursor is invalid/);
    expect(refused("' OR 1=1 --")).toMatch(/cursor is invalid/);
  });

  it('refuses a cursor issued for another query (other filters, sort or order)', () => {
    expect(refused(encodeCursor(scope, point), 'occurredAt|asc|tenant=default')).toMatch(/other filters/);
  });

  it('refuses a sort key that does not fit the sort', () => {
    expect(refused(encodeCursor(scope, { key: "x'; DROP TABLE events; --", position: 1 }))).toMatch(/sort key/);
  });
});
