/**
 * Counting over the event_counts rollup (migrations 005, 006, 008), for DSL counts and the log's totalCount:
 * which whole buckets of which grain cover a time window, which edges of it are left to count from
 * the events themselves, and the SQL that sums the two.
 */
import { DslInterval, DslQueryDto, toInstant } from '@eventlog/contracts';
import { SqlParams } from '../sql-params';

/** Grains of event_counts in seconds, coarsest first. */
export const ROLLUP_GRAINS = [86400, 3600, 60, 10] as const;

/** date_bin's origin in the DSL and in event_counts: 2000-01-01T00:00:00Z. */
const ORIGIN_MS = Date.UTC(2000, 0, 1);

/**
 * A run of whole buckets of one grain: bucket starts in [from, to), added to the count (sign 1) or
 * taken from it (-1: the part of a larger bucket outside the window).
 */
export interface RollupRange {
  grain: number;
  from: number;
  to: number;
  sign: 1 | -1;
}

export interface RollupPlan {
  ranges: RollupRange[];
  /** Events with occurredAt before this (and in the window) are counted from the log; -Infinity: none. */
  rawBefore: number;
  /** Events with occurredAt at or after this (and in the window) are counted from the log; Infinity: none. */
  rawFrom: number;
}

const floorTo = (ms: number, grain: number) =>
  Number.isFinite(ms) ? ORIGIN_MS + Math.floor((ms - ORIGIN_MS) / (grain * 1000)) * grain * 1000 : ms;
const ceilTo = (ms: number, grain: number) =>
  Number.isFinite(ms) ? ORIGIN_MS + Math.ceil((ms - ORIGIN_MS) / (grain * 1000)) * grain * 1000 : ms;

/**
 * Buckets of the rollup whose signed sum counts the events of the window, coarsest grain first, or
 * undefined when not even one bucket of the finest grain fits. `lower` is the first millisecond a
 * bucket may start at; `upper` the millisecond no bucket may reach past (a bucket [b, b+w) holds
 * times up to b+w-1µs, so with millisecond bounds it is inside `occurredAt <= upper` and `< upper`
 * alike exactly when b+w <= upper). `grains` are the usable ones, coarsest first.
 */
export function planRollup(lower: number, upper: number, grains: readonly number[]): RollupPlan | undefined {
  if (grains.length === 0) return undefined;
  const finest = grains[grains.length - 1];
  const start = ceilTo(lower, finest);
  const end = floorTo(upper, finest);
  if (!(start < end)) return undefined;
  return { ranges: cover(start, end, grains).ranges, rawBefore: start, rawFrom: end };
}

/** A cover and what reading it costs: one per bucket and one per run (an index descent). */
interface Cover {
  ranges: RollupRange[];
  cost: number;
}

const NOTHING: Cover = { ranges: [], cost: 0 };
const negated = (c: Cover): Cover => ({ ranges: c.ranges.map((r) => ({ ...r, sign: r.sign === 1 ? -1 : 1 })), cost: c.cost });

/**
 * [lo, hi) (aligned to the finest grain) as signed runs of whole buckets, the cheapest to read. At
 * each grain a side either stops at the first whole bucket inside the window and covers the rest
 * with finer ones, or takes the bucket that straddles the edge whole and takes away its part
 * outside, whichever reads fewer buckets: a window from 03:28:10 starts with that day less its first
 * 3 h 28 min 10 s (3 hours, 28 minutes, one 10 s bucket) rather than with 20 hours, 31 minutes and
 * five 10 s buckets.
 */
function cover(lo: number, hi: number, grains: readonly number[]): Cover {
  if (grains.length === 0 || !(lo < hi)) return NOTHING;
  const [grain, ...finer] = grains;
  // Where a side's run of this grain may stop: inside the window first (kept on a tie), then past
  // its edge. The finest grain has no finer one to cover a rest with, so it stops at the edge.
  const stops = (edge: number, inside: number, outside: number) => (finer.length ? [...new Set([inside, outside])] : [edge]);
  const startRest = (at: number) => (at < lo ? negated(cover(at, lo, finer)) : cover(lo, at, finer));
  const endRest = (at: number) => (at > hi ? negated(cover(hi, at, finer)) : cover(at, hi, finer));
  const starts = stops(lo, ceilTo(lo, grain), floorTo(lo, grain)).map((at) => ({ at, rest: startRest(at) }));
  const ends = stops(hi, floorTo(hi, grain), ceilTo(hi, grain)).map((at) => ({ at, rest: endRest(at) }));
  let best: Cover | undefined;
  for (const start of starts) {
    for (const end of ends) {
      if (!(start.at < end.at)) continue;
      // An open end's run is as long at every choice of the other end.
      const buckets = Number.isFinite(end.at - start.at) ? (end.at - start.at) / (grain * 1000) : 0;
      const cost = buckets + 1 + start.rest.cost + end.rest.cost;
      if (best === undefined || cost < best.cost) {
        best = { ranges: [...start.rest.ranges, { grain, from: start.at, to: end.at, sign: 1 }, ...end.rest.ranges], cost };
      }
    }
  }
  // Finer grains alone, for a window that holds less than two whole buckets of this grain (one
  // would mostly overshoot it); with two or more, finer grains alone read more. Never with an open
  // end, which would then be read in finer buckets.
  if (finer.length && Number.isFinite(lo) && Number.isFinite(hi) && floorTo(hi, grain) - ceilTo(lo, grain) < 2 * grain * 1000) {
    const alone = cover(lo, hi, finer);
    if (best === undefined || alone.cost < best.cost) best = alone;
  }
  return best ?? NOTHING;
}

/** A plan bound as SQL: a finite time as RFC 3339, the open ends as Postgres's infinities. */
export const timeParam = (ms: number) => (ms === Infinity ? 'infinity' : ms === -Infinity ? '-infinity' : new Date(ms).toISOString());

/** Bucket origin of date_bin in SQL, the same as ORIGIN_MS. */
export const BUCKET_ORIGIN = "TIMESTAMPTZ '2000-01-01T00:00:00Z'";

/**
 * The event fields event_counts keeps, by API name → column; events has the same column names. The
 * only fields a rollup read may group or filter on: any other one reads the events.
 */
export const ROLLUP_KEYS = { type: 'type', status: 'status' } as const;
export type RollupKey = keyof typeof ROLLUP_KEYS;
export const isRollupKey = (name: string): name is RollupKey => Object.prototype.hasOwnProperty.call(ROLLUP_KEYS, name);

export interface RollupBranches {
  tenant: string;
  /** Conditions on event_counts' key columns, given its alias (`c`), each bound in `params`. */
  keyConditions: ((alias: string) => string)[];
  /** The query's own conditions on `events e`: the edges of the window are counted with them. */
  eventWhere: string[];
  plan: RollupPlan;
  /**
   * Group columns of a row, from its table's alias (`c` for event_counts, `e` for events: the key
   * columns have the same names in both) and its time column; none for a plain count.
   */
  columns: (alias: string, time: string) => string[];
}

/**
 * SELECTs of rows (group columns…, n), to be joined with UNION ALL, whose sum per group is the
 * count: the runs of whole buckets, each an index range on event_counts' key, its counts negated
 * where the run is taken away, then the window's two edges counted from the events. A group may sum
 * to 0 (a type only in a part taken away): the caller drops those.
 *
 * Every statement here is planned over each partition of event_counts and of the log (decision
 * 047). Several runs are therefore one branch, not one per run: a LATERAL subquery per row of the
 * runs' arrays (OFFSET 0 keeps it a parameterised index range per run, where a join would hash the
 * rollup). A single run, a count over all time among them, stays a plain range with its grain
 * written in (one of ROLLUP_GRAINS) and no bound on an open end, so that the count over all time has
 * one plan whatever its values, which Postgres then keeps (it never keeps one for the arrays). An
 * open end's edge is `false` beside the filter's conditions: that keeps every parameter of the
 * filter used, and no partition is planned for it.
 */
export function rollupBranches(params: SqlParams, b: RollupBranches): string[] {
  const tenant = params.add(b.tenant);
  const keys = b.keyConditions.map((condition) => condition('c'));
  const groups = b.columns('c', 'c.bucket');
  const runs = b.plan.ranges;
  const [only] = runs;
  const bound = (ms: number, condition: (at: string) => string) => (Number.isFinite(ms) ? [condition(params.add(timeParam(ms), 'timestamptz'))] : []);
  const rollup =
    runs.length === 1 && only.sign === 1
      ? `SELECT ${[...groups, 'c.n'].join(', ')} FROM event_counts c
          WHERE ${[
            `c.tenant = ${tenant}`,
            `c.grain = ${grainLiteral(only.grain)}`,
            ...bound(only.from, (at) => `c.bucket >= ${at}`),
            ...bound(only.to, (at) => `c.bucket < ${at}`),
            ...keys,
          ].join(' AND ')}`
      : `SELECT counted.*
          FROM unnest(${params.add(runs.map((r) => r.grain), 'int[]')}, ${params.add(runs.map((r) => timeParam(r.from)), 'timestamptz[]')},
                      ${params.add(runs.map((r) => timeParam(r.to)), 'timestamptz[]')}, ${params.add(runs.map((r) => r.sign), 'int[]')}) AS run(grain, from_at, to_at, sign)
          CROSS JOIN LATERAL (SELECT ${[...groups, 'c.n * run.sign AS n'].join(', ')} FROM event_counts c
                 WHERE ${[`c.tenant = ${tenant}`, 'c.grain = run.grain', 'c.bucket >= run.from_at', 'c.bucket < run.to_at', ...keys].join(' AND ')}
                OFFSET 0) counted`;
  const edge = (ms: number, condition: (at: string) => string) => {
    const range = bound(ms, condition);
    return `SELECT ${[...b.columns('e', 'e.occurred_at'), '1::bigint AS n'].join(', ')} FROM events e
      WHERE ${[...b.eventWhere, ...(range.length ? range : ['false'])].join(' AND ')}`;
  };
  return [rollup, edge(b.plan.rawBefore, (at) => `e.occurred_at < ${at}`), edge(b.plan.rawFrom, (at) => `e.occurred_at >= ${at}`)];
}

/** A grain as SQL text: only ever one of ROLLUP_GRAINS, a constant of this file. */
function grainLiteral(grain: number): string {
  if (!(ROLLUP_GRAINS as readonly number[]).includes(grain)) throw new Error(`not a rollup grain: ${grain}`);
  return String(grain);
}

const INTERVAL_SECONDS: Record<DslInterval, number> = {
  '1m': 60,
  '5m': 300,
  '10m': 600,
  '15m': 900,
  '30m': 1800,
  '1h': 3600,
  '2h': 7200,
  '3h': 10800,
  '6h': 21600,
  '12h': 43200,
  '1d': 86400,
};

/**
 * A count of events, grouped by nothing but type, status and a time bucket, over a window of the
 * tenant filtered on nothing but occurredAt and type or status (eq, in), is a sum over event_counts
 * for the whole buckets inside the window plus a count of the events at its edges. Undefined when
 * the query has another shape or the window holds no whole bucket; it then reads the events.
 */
export function dslRollupPlan(query: DslQueryDto): RollupPlan | undefined {
  const reduce = query.reduce!;
  if (reduce.type !== 'count' || reduce.field !== undefined) return undefined;
  if (query.from?.stream !== undefined || query.from?.streamPrefix !== undefined) return undefined;
  if (!(reduce.groupBy ?? []).every(isRollupKey)) return undefined;
  let lower = -Infinity;
  let upper = Infinity;
  for (const c of query.where ?? []) {
    if (isRollupKey(c.field) && (c.operator === 'eq' || c.operator === 'in')) continue;
    if (c.field !== 'occurredAt') return undefined;
    const ms = (v: unknown) => Date.parse(toInstant(v as string | number)!);
    switch (c.operator) {
      case 'eq':
        lower = Math.max(lower, ms(c.value));
        upper = Math.min(upper, ms(c.value));
        break;
      case 'gte':
        lower = Math.max(lower, ms(c.value));
        break;
      case 'gt':
        lower = Math.max(lower, ms(c.value) + 1);
        break;
      case 'lte':
      case 'lt':
        upper = Math.min(upper, ms(c.value));
        break;
      case 'between':
        lower = Math.max(lower, ms((c.value as unknown[])[0]));
        upper = Math.min(upper, ms((c.value as unknown[])[1]));
        break;
      default:
        return undefined;
    }
  }
  // Grains whose buckets nest in the asked interval's (all of them share date_bin's origin).
  const grains = ROLLUP_GRAINS.filter((g) => !reduce.interval || INTERVAL_SECONDS[reduce.interval] % g === 0);
  return planRollup(lower, upper, grains);
}
