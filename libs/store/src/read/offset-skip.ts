/**
 * A deep offset page of a whole tenant's log in occurredAt order, most of its offset skipped with
 * the event_counts rollup instead of walked (decision 047). Newest first, say: the days of the
 * tenant are summed newest first, and every day whose running total stays within the offset is
 * skipped whole; in the day that holds the offset's row the same is done by hour, then by minute,
 * then by 10 s. What is left to walk is the offset inside one 10 s bucket, from that bucket's end.
 *
 * A row at every step is a bucket of event_counts summed over its types, statuses and partitions:
 * the rollup counts every event of the tenant exactly once per grain, in the same transaction as
 * the event, so in the walk's snapshot it agrees with the log. It counts deleted streams' events,
 * so the page is read this way only while the tenant has no tombstone (the caller's check). An
 * offset past the end finds no bucket: the walk then returns nothing and the caller reads as any
 * other page.
 */
import { ROLLUP_GRAINS } from '../dsl/dsl-rollup';

/** Below this offset walking is cheaper than the rollup (break-even near 30,000 on the 5M bench data). */
export const ROLLUP_SKIP_FROM = 50_000;

export interface RollupSkip {
  /** Entries of a WITH list, the last (`skip_final`) one row: skipped, from_at, to_at. */
  ctes: string;
  /** The walk's condition on e.occurred_at: past the skipped events. */
  condition: string;
  /** The OFFSET left to walk. */
  offset: string;
}

/**
 * The rollup steps for `tenant` (a bound parameter) and `offset` (a bound bigint parameter), in
 * `dir` order of occurred_at. Grains come from ROLLUP_GRAINS, constants written into the SQL.
 */
export function rollupSkip(tenant: string, offset: string, dir: 'ASC' | 'DESC'): RollupSkip {
  const steps = ROLLUP_GRAINS.map((grain, i) => {
    const parent = i === 0 ? 'skip_none' : `skip_${ROLLUP_GRAINS[i - 1]}`;
    return `sums_${grain} AS (
        SELECT b.bucket, b.n, sum(b.n) OVER (ORDER BY b.bucket ${dir}) AS upto
          FROM (SELECT c.bucket, sum(c.n) AS n FROM event_counts c
                 WHERE c.tenant = ${tenant} AND c.grain = ${grain}
                   AND c.bucket >= (SELECT from_at FROM ${parent}) AND c.bucket < (SELECT to_at FROM ${parent})
                 GROUP BY c.bucket) b),
      skip_${grain} AS (
        SELECT p.skipped + t.upto - t.n AS skipped, t.bucket AS from_at, t.bucket + INTERVAL '${grain} seconds' AS to_at
          FROM ${parent} p
          CROSS JOIN LATERAL (SELECT s.bucket, s.n, s.upto FROM sums_${grain} s WHERE s.upto > ${offset} - p.skipped
                               ORDER BY s.bucket ${dir} LIMIT 1) t)`;
  });
  const last = `skip_${ROLLUP_GRAINS[ROLLUP_GRAINS.length - 1]}`;
  return {
    ctes: [`skip_none AS (SELECT 0::numeric AS skipped, '-infinity'::timestamptz AS from_at, 'infinity'::timestamptz AS to_at)`, ...steps, `skip_final AS (SELECT * FROM ${last})`].join(',\n      '),
    condition: dir === 'DESC' ? 'e.occurred_at < (SELECT to_at FROM skip_final)' : 'e.occurred_at >= (SELECT from_at FROM skip_final)',
    offset: `(SELECT (${offset} - skipped)::bigint FROM skip_final)`,
  };
}
