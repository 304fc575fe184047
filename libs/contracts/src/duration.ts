const UNIT_MS = { ms: 1, s: 1000, m: 60_000, h: 3_600_000, d: 86_400_000 } as const;
const PART = /(\d{1,9})(ms|s|m|h|d)/y;

/** What a duration looks like, for error messages. */
export const DURATION_FORMAT = 'a duration such as 90s, 5m, 1h30m or 500ms (units ms, s, m, h, d)';

/**
 * Milliseconds of a duration written as whole numbers with units, largest first or not ("5m",
 * "1h30m", "2s", "500ms"); undefined for anything else (a bare number, spaces, a sign, a fraction),
 * so the caller names the field rather than guessing a unit.
 */
export function parseDuration(text: string): number | undefined {
  if (typeof text !== 'string' || text.length === 0 || text.length > 40) return undefined;
  PART.lastIndex = 0;
  let ms = 0;
  while (PART.lastIndex < text.length) {
    const match = PART.exec(text);
    if (!match) return undefined;
    ms += Number(match[1]) * UNIT_MS[match[2] as keyof typeof UNIT_MS];
  }
  return Number.isSafeInteger(ms) ? ms : undefined;
}

/** The shortest spelling of a whole number of milliseconds ("1h30m", "2s", "0s"), for logs and messages. */
export function formatDuration(ms: number): string {
  if (ms === 0) return '0s';
  let rest = Math.round(ms);
  let text = '';
  for (const [unit, size] of [['d', UNIT_MS.d], ['h', UNIT_MS.h], ['m', UNIT_MS.m], ['s', UNIT_MS.s], ['ms', 1]] as const) {
    if (rest >= size) {
      text += `${Math.floor(rest / size)}${unit}`;
      rest %= size;
    }
  }
  return text;
}
