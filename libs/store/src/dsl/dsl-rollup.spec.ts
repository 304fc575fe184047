import fc from 'fast-check';
import { DslQueryDto } from '@eventlog/contracts';
import { isRollupKey, planRollup, ROLLUP_GRAINS } from './dsl-rollup';
import { compileDsl } from './dsl-sql';

const t = (iso: string) => Date.parse(iso);
const iso = (ms: number) => new Date(ms).toISOString();

describe('planRollup', () => {
  it('covers a window with whole days, taking away what a day straddling an edge holds outside it', () => {
    const plan = planRollup(t('2024-01-05T00:00:00.250Z'), t('2024-01-10T18:53:19.500Z'), ROLLUP_GRAINS)!;
    expect(plan.ranges.map((r) => [r.sign, r.grain, iso(r.from), iso(r.to)])).toEqual([
      [-1, 10, '2024-01-05T00:00:00.000Z', '2024-01-05T00:00:10.000Z'],
      [1, 86400, '2024-01-05T00:00:00.000Z', '2024-01-11T00:00:00.000Z'],
      [1, 10, '2024-01-10T18:53:00.000Z', '2024-01-10T18:53:10.000Z'],
      [-1, 60, '2024-01-10T18:53:00.000Z', '2024-01-10T19:00:00.000Z'],
      [-1, 3600, '2024-01-10T19:00:00.000Z', '2024-01-11T00:00:00.000Z'],
    ]);
    // Only the partial 10 s buckets at the edges are left to count from the log.
    expect([iso(plan.rawBefore), iso(plan.rawFrom)]).toEqual(['2024-01-05T00:00:10.000Z', '2024-01-10T18:53:10.000Z']);
  });

  it('adds finer buckets inside the window where that reads fewer than taking them away', () => {
    const plan = planRollup(t('2024-01-05T22:50:00Z'), t('2024-01-07T00:20:00Z'), ROLLUP_GRAINS)!;
    expect(plan.ranges.map((r) => [r.sign, r.grain, iso(r.from), iso(r.to)])).toEqual([
      [1, 60, '2024-01-05T22:50:00.000Z', '2024-01-05T23:00:00.000Z'],
      [1, 3600, '2024-01-05T23:00:00.000Z', '2024-01-06T00:00:00.000Z'],
      [1, 86400, '2024-01-06T00:00:00.000Z', '2024-01-07T00:00:00.000Z'],
      [1, 60, '2024-01-07T00:00:00.000Z', '2024-01-07T00:20:00.000Z'],
    ]);
  });

  it('uses only the grains it is given, and nothing when no whole bucket fits', () => {
    const plan = planRollup(t('2024-01-05T00:00:00Z'), t('2024-01-05T03:00:00Z'), [60])!;
    expect(plan.ranges).toEqual([{ grain: 60, from: t('2024-01-05T00:00:00Z'), to: t('2024-01-05T03:00:00Z'), sign: 1 }]);
    expect(planRollup(t('2024-01-05T00:00:00.001Z'), t('2024-01-05T00:00:19.999Z'), ROLLUP_GRAINS)).toBeUndefined();
    expect(planRollup(t('2024-01-05T00:00:00Z'), t('2024-01-05T00:00:00Z'), ROLLUP_GRAINS)).toBeUndefined();
  });

  it('reads an open end in the coarsest grain, with no bound on it', () => {
    const plan = planRollup(-Infinity, Infinity, ROLLUP_GRAINS)!;
    expect(plan).toEqual({ ranges: [{ grain: 86400, from: -Infinity, to: Infinity, sign: 1 }], rawBefore: -Infinity, rawFrom: Infinity });
    // Open at one end: the day the window starts in, less its hours before the window.
    const since = planRollup(t('2024-01-05T10:00:00Z'), Infinity, ROLLUP_GRAINS)!;
    expect(since.ranges).toEqual([
      { sign: -1, grain: 3600, from: t('2024-01-05T00:00:00Z'), to: t('2024-01-05T10:00:00Z') },
      { sign: 1, grain: 86400, from: t('2024-01-05T00:00:00Z'), to: Infinity },
    ]);
  });

  it('counts every instant of the window once and none outside it, each run aligned to its grain', () => {
    const day = 86_400_000;
    const base = t('2024-01-01T00:00:00Z');
    fc.assert(
      fc.property(fc.integer({ min: 0, max: 40 * day }), fc.integer({ min: 0, max: 40 * day }), fc.subarray([...ROLLUP_GRAINS].slice(0, 3)), (a, b, coarser) => {
        const grains = [...coarser, 10];
        const [lower, upper] = [base + Math.min(a, b), base + Math.max(a, b)];
        const plan = planRollup(lower, upper, grains);
        if (!plan) return Math.ceil(lower / 10_000) * 10_000 >= Math.floor(upper / 10_000) * 10_000;
        expect(plan.rawBefore).toBe(Math.ceil(lower / 10_000) * 10_000);
        expect(plan.rawFrom).toBe(Math.floor(upper / 10_000) * 10_000);
        for (const r of plan.ranges) {
          expect(grains).toContain(r.grain);
          expect(r.from % (r.grain * 1000)).toBe(0);
          expect(r.to % (r.grain * 1000)).toBe(0);
          expect(r.to).toBeGreaterThan(r.from);
        }
        // The signed count of an instant changes only where a run starts or ends: checked at each.
        const cuts = [...new Set(plan.ranges.flatMap((r) => [r.from, r.to]))];
        for (const at of cuts) {
          const times = plan.ranges.reduce((n, r) => n + (r.from <= at && at < r.to ? r.sign : 0), 0);
          expect([at, times]).toEqual([at, plan.rawBefore <= at && at < plan.rawFrom ? 1 : 0]);
        }
        return true;
      }),
    );
  });

  it('reads fewer buckets than whole buckets inside the window would', () => {
    const buckets = (lower: string, upper: string) =>
      planRollup(t(lower), t(upper), ROLLUP_GRAINS)!.ranges.reduce((n, r) => n + (r.to - r.from) / (r.grain * 1000), 0);
    // Inside alone: 4 days, 20 + 22 hours, 31 + 21 minutes, 5 + 2 ten-second buckets (105).
    expect(buckets('2024-01-08T03:28:03.500Z', '2024-01-13T22:21:23.000Z')).toBe(63);
  });
});

describe('compileDsl: counts over the rollup', () => {
  const window = [{ field: 'occurredAt', operator: 'between', value: ['2024-01-05T00:00:00.250Z', '2024-01-10T18:53:19.500Z'] }];
  const compile = (q: object) => compileDsl((q as DslQueryDto).from?.tenant ?? 'default', q as DslQueryDto);

  it('sums event_counts for a count by type over a window, and counts the edges from the log', () => {
    const c = compile({ where: window, reduce: { type: 'count', groupBy: ['type'], interval: '1h' } });
    expect(c.sql).toContain('FROM event_counts c');
    expect(c.sql.match(/FROM events e/g)).toHaveLength(2);
    // Groups whose buckets taken away cancel those added are no groups; a plain count is one row.
    expect(c.sql).toContain('HAVING sum(n) <> 0');
    expect(compile({ where: window, reduce: { type: 'count' } }).sql).not.toContain('HAVING');
    // 10 s, minutes and hours nest in an hour bucket, days do not; with 15m buckets only 10 s and minutes do.
    const grains = (q: { values: unknown[] }) => q.values.find((v) => Array.isArray(v) && typeof v[0] === 'number') as number[];
    expect(new Set(grains(c))).toEqual(new Set([10, 60, 3600]));
    expect(grains(compile({ where: window, reduce: { type: 'count', groupBy: ['type'] } }))).toContain(86400);
    const quarter = compile({ where: window, reduce: { type: 'count', interval: '15m' } });
    expect(new Set(grains(quarter))).toEqual(new Set([10, 60]));
  });

  it('reads several runs of buckets in one branch, one run as a plain range, and plans no edge for an open end', () => {
    const runs = compile({ where: window, reduce: { type: 'count' } });
    expect(runs.sql.match(/FROM event_counts c/g)).toHaveLength(1);
    expect(runs.sql).toContain('CROSS JOIN LATERAL');
    expect(runs.sql).not.toContain('false');
    // All time: one run of days, its grain written in and no bound on the buckets; both edges empty.
    const allTime = compile({ reduce: { type: 'count', groupBy: ['type'] } });
    expect(allTime.sql).toContain('c.grain = 86400');
    expect(allTime.sql).not.toContain('c.bucket');
    expect(allTime.sql).not.toContain('LATERAL');
    expect(allTime.sql.match(/AND false/g)).toHaveLength(2);
    // Half-open: the open end's edge is empty, the other reads the events after the last whole bucket.
    const since = compile({ where: [{ field: 'occurredAt', operator: 'gte', value: '2024-01-05T00:00:00.250Z' }], reduce: { type: 'count' } });
    expect(since.sql.match(/AND false/g)).toHaveLength(1);
    expect(since.sql).toMatch(/e\.occurred_at < \$\d+::timestamptz/);
  });

  it('sums event_counts for a count by status, or by type and status, bucketed or not', () => {
    const byStatus = compile({ where: window, reduce: { type: 'count', groupBy: ['status'], interval: '30m' } });
    expect(byStatus.sql).toContain('SELECT c.status AS g0, date_bin(');
    // The edges group the events by the same column under the same name.
    expect(byStatus.sql.match(/SELECT e\.status AS g0, date_bin\(/g)).toHaveLength(2);
    const both = compile({ where: window, reduce: { type: 'count', groupBy: ['status', 'type'] } });
    expect(both.sql).toContain('SELECT c.status AS g0, c.type AS g1, c.n * run.sign AS n FROM event_counts c');
    expect(both.sql.match(/SELECT e\.status AS g0, e\.type AS g1, 1::bigint AS n FROM events e/g)).toHaveLength(2);
  });

  it('filters event_counts on status eq and in as the events are filtered, every value bound', () => {
    const eq = compile({ where: [...window, { field: 'status', operator: 'eq', value: "fail' OR 1=1 --" }], reduce: { type: 'count', groupBy: ['status'] } });
    expect(eq.sql).toContain('FROM event_counts c');
    expect(eq.sql).toMatch(/c\.status = \$\d+/);
    expect(eq.sql.match(/e\.status = \$\d+/g)).toHaveLength(2);
    expect(eq.values).toContain("fail' OR 1=1 --");
    expect(eq.sql).not.toContain('fail');
    const inList = compile({ where: [{ field: 'status', operator: 'in', value: ['fail', ''] }, { field: 'type', operator: 'eq', value: 'A' }], reduce: { type: 'count', interval: '1h' } });
    expect(inList.sql).toMatch(/c\.status = ANY\(\$\d+::text\[\]\)/);
    expect(inList.sql).toMatch(/c\.type = \$\d+/);
    expect(inList.values).toContainEqual(['fail', '']);
  });

  it('knows the rollup keys by own name only', () => {
    expect(['type', 'status'].every(isRollupKey)).toBe(true);
    expect(['source', 'toString', 'constructor', '__proto__', 'stream'].some(isRollupKey)).toBe(false);
  });

  it('reads the events for any other shape', () => {
    for (const q of [
      { where: window, reduce: { type: 'count', groupBy: ['source'] } },
      { where: window, reduce: { type: 'count', groupBy: ['status', 'source'] } },
      { where: [...window, { field: 'status', operator: 'neq', value: 'fail' }], reduce: { type: 'count', groupBy: ['status'] } },
      { where: [...window, { field: 'status', operator: 'exists', value: false }], reduce: { type: 'count' } },
      { where: [...window, { field: 'status', operator: 'contains', value: 'ai' }], reduce: { type: 'count' } },
      { where: [...window, { field: 'source', operator: 'eq', value: 'svc' }], reduce: { type: 'count', groupBy: ['status'] } },
      { where: window, reduce: { type: 'count', field: 'data.amount' } },
      { where: [...window, { field: 'data.amount', operator: 'gt', value: 1 }], reduce: { type: 'count' } },
      { from: { stream: 'svc-1' }, where: window, reduce: { type: 'count' } },
      // No whole 10 s bucket inside the window.
      { where: [{ field: 'occurredAt', operator: 'gte', value: '2024-01-05T00:00:00.250Z' }, { field: 'occurredAt', operator: 'lt', value: '2024-01-05T00:00:19Z' }], reduce: { type: 'count' } },
    ]) {
      expect(compile(q).sql).not.toContain('event_counts');
    }
  });
});
