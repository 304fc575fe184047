/** The instants Postgres and RFC 3339 both write: 0001-01-01T00:00:00Z to 9999-12-31T23:59:59.999Z. */
const FIRST_MS = -62135596800000;
const LAST_MS = 253402300799999;

/**
 * An RFC 3339 string or epoch milliseconds (already shaped as isTimestamp checks) as an RFC 3339 UTC
 * string, or undefined for a calendar date that does not exist (2024-02-30, 24:00:00), which
 * Date.parse would quietly roll over, or for an instant outside years 1-9999 in UTC (an offset can
 * push 0001-01-01 into year 0), which Postgres would refuse.
 */
export function toInstant(value: string | number): string | undefined {
  if (typeof value === 'number') return value >= FIRST_MS && value <= LAST_MS ? new Date(value).toISOString() : undefined;
  const [, y, m, d, hh, mm, ss] = /^(\d{4})-(\d{2})-(\d{2})[Tt ](\d{2}):(\d{2}):(\d{2})/.exec(value) ?? [];
  if (y === undefined) return undefined;
  const day = new Date(Date.UTC(Number(y), Number(m) - 1, Number(d)));
  const real =
    day.getUTCFullYear() === Number(y) && day.getUTCMonth() === Number(m) - 1 && day.getUTCDate() === Number(d) &&
    Number(hh) < 24 && Number(mm) < 60 && Number(ss) < 60;
  const ms = Date.parse(value);
  return real && ms >= FIRST_MS && ms <= LAST_MS ? new Date(ms).toISOString() : undefined;
}
