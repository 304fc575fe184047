import { planRetention, RetentionPolicy } from './retention-plan';

const DAY = 86_400_000;
const now = new Date('2026-12-10T12:00:00Z');
const day = (d: number, tenants: string[]) => ({
  name: `events_202612${String(d).padStart(2, '0')}`,
  fromAt: new Date(Date.UTC(2026, 11, d)),
  toAt: new Date(Date.UTC(2026, 11, d + 1)),
  tenants,
});

describe('planRetention', () => {
  const policy: RetentionPolicy = { byTenant: new Map([['short', 2 * DAY], ['long', 5 * DAY]]) };

  it('drops a partition only when every tenant in it has expired it', () => {
    const verdicts = planRetention([day(3, ['short', 'long']), day(6, ['short', 'long']), day(7, ['short']), day(9, ['short'])], policy, now);
    expect(verdicts.map((v) => [v.partition.name, v.drop])).toEqual([
      ['events_20261203', true],
      ['events_20261206', false],
      ['events_20261207', true],
      ['events_20261209', false],
    ]);
    expect(verdicts[1].reason).toBe('kept for long');
  });

  it('keeps everything of a tenant without retention, unless * gives one', () => {
    expect(planRetention([day(1, ['other'])], policy, now)[0].drop).toBe(false);
    expect(planRetention([day(1, ['other'])], { ...policy, otherMs: 3 * DAY }, now)[0].drop).toBe(true);
    expect(planRetention([day(8, ['other'])], { ...policy, otherMs: 3 * DAY }, now)[0].drop).toBe(false);
  });

  it('drops an empty partition once the shortest retention passed it, never without a retention', () => {
    expect(planRetention([day(7, []), day(8, [])], policy, now).map((v) => v.drop)).toEqual([true, false]);
    expect(planRetention([day(1, [])], { byTenant: new Map() }, now)[0].drop).toBe(false);
  });
});
