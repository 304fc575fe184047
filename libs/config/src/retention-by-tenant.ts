import { DURATION_FORMAT, parseDuration } from '@eventlog/contracts';

/** How long each tenant's events are kept; a tenant neither named nor covered by `*` keeps everything. */
export interface RetentionByTenant {
  byTenant: ReadonlyMap<string, number>;
  /** The `*` entry: every tenant not named. Undefined: those keep everything. */
  otherMs?: number;
}

/** Retention is at least a day: partitions are days, and a shorter one would drop today's. */
export const RETENTION_MIN_MS = 86_400_000;

/**
 * `tenant=duration,…` with `*` for every other tenant (e.g. `acme=30d,*=365d`). Returns the first
 * problem as one line, or the parsed form.
 */
export function parseRetention(text: string): { retention: RetentionByTenant; problem?: string } {
  const byTenant = new Map<string, number>();
  let otherMs: number | undefined;
  for (const item of text.split(',').map((s) => s.trim()).filter(Boolean)) {
    const split = item.lastIndexOf('=');
    const tenant = item.slice(0, split).trim();
    const duration = item.slice(split + 1).trim();
    if (split <= 0 || tenant.length > 64) return { retention: { byTenant }, problem: `${JSON.stringify(item)} is not tenant=duration (a tenant of 1-64 characters, or *)` };
    const ms = parseDuration(duration);
    if (ms === undefined) return { retention: { byTenant }, problem: `${JSON.stringify(duration)} for ${tenant} is not ${DURATION_FORMAT}` };
    if (ms < RETENTION_MIN_MS) return { retention: { byTenant }, problem: `${duration} for ${tenant} is less than 1d` };
    if (byTenant.has(tenant) || (tenant === '*' && otherMs !== undefined)) return { retention: { byTenant }, problem: `${tenant} is given twice` };
    if (tenant === '*') otherMs = ms;
    else byTenant.set(tenant, ms);
  }
  return { retention: { byTenant, otherMs } };
}
