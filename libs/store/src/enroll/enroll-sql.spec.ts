import { DslConditionDto, InvalidQueryError } from '@eventlog/contracts';
import { compileEnrollSearch } from './enroll-sql';

const HOSTILE = "x'); DROP TABLE events; --";
const search = (filter?: object[], maxRetries = 0) =>
  compileEnrollSearch(HOSTILE, { sourceType: HOSTILE, targetType: HOSTILE, filter: filter as DslConditionDto[], maxRetries });

describe('compileEnrollSearch', () => {
  it('binds the tenant, both types, the filter, the retries and the limit; the SQL holds none of them', () => {
    const c = search([
      { field: 'data.env', operator: 'eq', value: HOSTILE },
      { field: 'metadata.team', operator: 'in', value: ['a', HOSTILE] },
    ], 3);
    expect(c.sql).not.toContain('DROP');
    expect(c.sql).not.toContain('env');
    expect(c.sql).not.toContain('team');
    expect(c.values.filter((v) => v === HOSTILE)).toHaveLength(3); // tenant, sourceType, targetType
    expect(c.values).toContain(JSON.stringify(HOSTILE)); // data.env's value, as jsonb
    expect(c.values).toContainEqual(['env']);
    expect(c.values).toContain(4); // at most 1 + 3 claims
    // `after` then the limit are the last parameters, filled in per round: both walks start after
    // `after`; the claimable walk stops at the limit, the first-unsettled one at its first row.
    const highest = Math.max(...[...c.sql.matchAll(/\$(\d+)/g)].map((m) => Number(m[1])));
    expect(highest).toBe(c.values.length);
    expect(c.sql.split(`(e.tenant, e.type, e.position) > ($1, $2, $${c.values.length - 1}::bigint)`)).toHaveLength(3);
    expect(c.sql).toMatch(new RegExp(`LIMIT \\$${c.values.length}::int\\)\\s*UNION ALL`));
    expect(c.sql).toMatch(/LIMIT 1\)\s*$/);
  });

  it('names every problem of the filter by its path, in one error', () => {
    try {
      search([
        { field: 'type', operator: 'eq', value: 'ok' },
        { field: 'nope', operator: 'eq', value: 1 },
        { field: 'version', operator: 'gt', value: '1 OR 1=1' },
        { field: 'data.a b', operator: 'exists' },
      ]);
      throw new Error('compiled');
    } catch (err) {
      expect(err).toBeInstanceOf(InvalidQueryError);
      expect((err as InvalidQueryError).problems.map((p) => p.field)).toEqual(['filter[1].field', 'filter[2].value', 'filter[3].field']);
    }
  });

  it('without a filter, searches the tenant’s events of the source type only', () => {
    const c = search();
    // The tenant's events of the type, after the position, of streams not deleted: nothing else.
    expect(c.sql).toMatch(
      /e\.tenant = \$1 AND e\.type = \$2 AND \(e\.tenant, e\.type, e\.position\) > \(\$1, \$2, \$5::bigint\) AND NOT EXISTS \(SELECT 1 FROM stream_tombstones tomb [^)]*\)\s+AND \(j/,
    );
    expect(c.values.slice(0, 3)).toEqual([HOSTILE, HOSTILE, HOSTILE]);
  });
});
