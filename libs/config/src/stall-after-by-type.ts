import { DURATION_FORMAT, parseDuration } from '@eventlog/contracts';

/** Every stall timeout, the default and per type: at least 1s, at most 30d. */
export const STALL_AFTER_BOUNDS = { minMs: 1000, maxMs: 30 * 86_400_000 } as const;

/**
 * `type=duration,…` (e.g. `Deploy=30m,Build=10m`; a Map, so no type can be mistaken for an object key): the stall timeout for chains whose latest event
 * has that type. A type may hold `=` (the last one splits) but not `,`. Returns the first problem
 * as one line, or the map.
 */
export function parseStallAfterByType(text: string): { byType: Map<string, number>; problem?: string } {
  const byType = new Map<string, number>();
  for (const item of text.split(',').map((s) => s.trim()).filter(Boolean)) {
    const split = item.lastIndexOf('=');
    const type = item.slice(0, split).trim();
    const duration = item.slice(split + 1).trim();
    if (split <= 0 || type.length > 200) return { byType, problem: `${JSON.stringify(item)} is not type=duration (a type of 1-200 characters)` };
    const ms = parseDuration(duration);
    if (ms === undefined) return { byType, problem: `${JSON.stringify(duration)} for ${type} is not ${DURATION_FORMAT}` };
    if (ms < STALL_AFTER_BOUNDS.minMs || ms > STALL_AFTER_BOUNDS.maxMs) return { byType, problem: `${duration} for ${type} must be between 1s and 30d` };
    if (byType.has(type)) return { byType, problem: `${type} is given twice` };
    byType.set(type, ms);
  }
  return { byType };
}
