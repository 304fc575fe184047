import fc from 'fast-check';
import { DslQueryDto } from '@eventlog/contracts';
import { isRollupKey, planRollup, ROLLUP_GRAINS } from './dsl-rollup';
import { compileDsl } from './dsl-sql';

const t = (iso: string) => Date.parse(iso);
const iso = (ms: number) => new Date(ms).toISOString();

describe('planRollup', () => {
  it('covers a window with whole days in the middle, hours, minutes and 10 s towards the edges', () => {
    const plan = planRollup(t('2024-01-05T00:00:00.250Z'), t('2024-01-10T18:53:19.500Z'), ROLLUP_GRAINS)!;
    expect(plan.ranges.map((r) => [r.grain, iso(r.from), iso(r.to)])).toEqual([
      [10, '2024-01-05T00:00:10.000Z', '2024-01-05T00:01:00.000Z'],
      [60, '2024-01-05T00:01:00.000Z', '2024-01-05T01:00:00.000Z'],
      [3600, '2024-01-05T01:00:00.000Z', '2024-01-06T00:00:00.000Z'],
      [86400, '2024-01-06T00:00:00.000Z', '2024-01-10T00:00:00.000Z'],
      [3600, '2024-01-10T00:00:00.000Z', '2024-01-10T18:00:00.000Z'],
      [60, '2024-01-10T18:00:00.000Z', '2024-01-10T18:53:00.000Z'],
      [10, '2024-01-10T18:53:00.000Z', '2024-01-10T18:53:10.000Z'],
    ]);
    // Only the partial 10 s buckets at the edges are left to count from the log.
    expect([iso(plan.rawBefore), iso(plan.rawFrom)]).toEqual(['2024-01-05T00:00:10.000Z', '2024-01-10T18:53:10.000Z']);
  });

  it('uses only the grains it is given, and nothing when no whole bucket fits', () => {
    const plan = planRollup(t('2024-01-05T00:00:00Z'), t('2024-01-05T03:00:00Z'), [60])!;
    expect(plan.ranges).toEqual([{ grain: 60, from: t('2024-01-05T00:00:00Z'), to: t('2024-01-05T03:00:00Z') }]);
    expect(planRollup(t('2024-01-05T00:00:00.001Z'), t('2024-01-05T00:00:19.999Z'), ROLLUP_GRAINS)).toBeUndefined();
    expect(planRollup(t('2024-01-05T00:00:00Z'), t('2024-01-05T00:00:00Z'), ROLLUP_GRAINS)).toBeUndefined();
  });

  it('leaves open ends to the rollup alone', () => {
    const plan = planRollup(-Infinity, Infinity, ROLLUP_GRAINS)!;
    expect(plan).toEqual({ ranges: [{ grain: 86400, from: -Infinity, to: Infinity }], rawBefore: -Infinity, rawFrom: Infinity });
  });

  it('tiles the window exactly: ranges meet end to start, each aligned to its grain', () => {
    const finest = 10_000;
    const day = 86_400_000;
    const base = t('2024-01-01T00:00:00Z');
    fc.assert(
      fc.property(fc.integer({ min: 0, max: 40 * day }), fc.integer({ min: 0, max: 40 * day }), (a, b) => {
        const [lower, upper] = [base + Math.min(a, b), base + Math.max(a, b)];
        const plan = planRollup(lower, upper, ROLLUP_GRAINS);
        if (!plan) return Math.ceil(lower / finest) * finest >= Math.floor(upper / finest) * finest;
        expect(plan.rawBefore).toBe(Math.ceil(lower / finest) * finest);
        expect(plan.rawFrom).toBe(Math.floor(upper / finest) * finest);
        let at = plan.rawBefore;
        for (const r of plan.ranges) {
          expect(r.from).toBe(at);
          expect(r.from % (r.grain * 1000)).toBe(0);
          expect(r.to % (r.grain * 1000)).toBe(0);
          expect(r.to).toBeGreaterThan(r.from);
          at = r.to;
        }
        expect(at).toBe(plan.rawFrom);
        return true;
      }),
    );
  });
});

describe('compileDsl: counts over the rollup', () => {
  const window = [{ field: 'occurredAt', operator: 'between', value: ['2024-01-05T00:00:00.250Z', '2024-01-10T18:53:19.500Z'] }];
  const compile = (q: object) => compileDsl((q as DslQueryDto).from?.tenant ?? 'default', q as DslQueryDto);

  it('sums event_counts for a count by type over a window, and counts the edges from the log', () => {
    const c = compile({ where: window, reduce: { type: 'count', groupBy: ['type'], interval: '1h' } });
    expect(c.sql).toContain('FROM event_counts c');
    expect(c.sql.match(/FROM events e/g)).toHaveLength(2);
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
    expect(both.sql).toContain('SELECT c.status AS g0, c.type AS g1, c.n\n');
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
