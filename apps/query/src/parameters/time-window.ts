import { toInstant, InvalidQueryError } from '@eventlog/contracts';

/** from/to (RFC 3339 or epoch ms, both inclusive) as RFC 3339 UTC; 400 for impossible dates or from > to. */
export function timeWindow(dto: { from?: string | number; to?: string | number }): { from?: string; to?: string } {
  const convert = (field: 'from' | 'to') => {
    const value = dto[field];
    if (value === undefined) return undefined;
    const instant = toInstant(value);
    if (!instant) throw InvalidQueryError.of(field, `${field} is not a real date: ${String(value)}`);
    return instant;
  };
  const from = convert('from');
  const to = convert('to');
  if (from && to && from > to) {
    // Either end may be the wrong one: both are named.
    const message = `from (${from}) is after to (${to})`;
    throw new InvalidQueryError([{ field: 'from', message }, { field: 'to', message }]);
  }
  return { from, to };
}
