/**
 * An RFC 3339 string or epoch milliseconds (already shaped as isTimestamp checks) as an RFC 3339 UTC
 * string, or undefined for a calendar date that does not exist (2024-02-30), which Date.parse would
 * quietly roll over and Postgres would refuse.
 */
export function toInstant(value: string | number): string | undefined {
  if (typeof value === 'number') return new Date(value).toISOString();
  const [, y, m, d, hh, mm, ss] = /^(\d{4})-(\d{2})-(\d{2})[Tt ](\d{2}):(\d{2}):(\d{2})/.exec(value) ?? [];
  if (y === undefined) return undefined;
  const day = new Date(Date.UTC(Number(y), Number(m) - 1, Number(d)));
  const real =
    day.getUTCFullYear() === Number(y) && day.getUTCMonth() === Number(m) - 1 && day.getUTCDate() === Number(d) &&
    Number(hh) < 24 && Number(mm) < 60 && Number(ss) < 60;
  const ms = Date.parse(value);
  return real && !Number.isNaN(ms) ? new Date(ms).toISOString() : undefined;
}
