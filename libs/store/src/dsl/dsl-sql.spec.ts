import { DslQueryDto, InvalidQueryError } from '@eventlog/contracts';
import { compileDsl } from './dsl-sql';

const compile = (q: object) => compileDsl((q as DslQueryDto).from?.tenant ?? 'default', q as DslQueryDto);

function problemsOf(q: object) {
  try {
    compile(q);
  } catch (err) {
    expect(err).toBeInstanceOf(InvalidQueryError);
    return (err as InvalidQueryError).problems;
  }
  throw new Error('query compiled');
}

describe('compileDsl', () => {
  it('reads the default tenant unless from.tenant says otherwise', () => {
    expect(compile({}).values[0]).toBe('default');
    const c = compile({ from: { tenant: 't1', stream: 'order-42' } });
    expect(c.values.slice(0, 2)).toEqual(['t1', 'order-42']);
  });

  it('binds every value and JSON path as a parameter; the SQL holds none of the input', () => {
    const hostile = "x'); DROP TABLE events; --";
    const c = compile({
      where: [
        { field: 'type', operator: 'eq', value: hostile },
        { field: 'data.amount', operator: 'gte', value: 100 },
        { field: 'payload.customer.tier', operator: 'in', value: ['gold', hostile] },
        { field: 'metadata.region', operator: 'contains', value: hostile },
      ],
    });
    expect(c.sql).not.toContain('DROP');
    expect(c.sql).not.toContain('amount');
    expect(c.sql).not.toContain('customer');
    expect(c.sql).toMatch(/e\.data #> \$\d+::text\[\]/);
    expect(c.sql).toMatch(/e\.metadata #> \$\d+::text\[\]/);
    expect(c.values).toContainEqual(hostile);
    expect(c.values).toContainEqual(['amount']);
    // payload. is an alias of data.
    expect(c.values).toContainEqual(['customer', 'tier']);
    expect(c.values).toContainEqual(['"gold"', JSON.stringify(hostile)]);
  });

  it('compiles every operator', () => {
    const ops = [
      { field: 'status', operator: 'neq', value: 'fail' },
      { field: 'version', operator: 'gt', value: 1 },
      { field: 'position', operator: 'lt', value: 100 },
      { field: 'occurredAt', operator: 'lte', value: '2024-05-01T00:00:00Z' },
      { field: 'occurredAt', operator: 'between', value: [0, Date.UTC(2030, 0, 1)] },
      { field: 'message', operator: 'contains', value: '50%_off' },
      { field: 'source', operator: 'exists' },
      { field: 'parentNodeId', operator: 'exists', value: false },
      { field: 'data.tags', operator: 'contains', value: 'red' },
      { field: 'data.n', operator: 'between', value: [1, 5] },
    ];
    const c = compile({ where: ops });
    expect(c.sql).toContain('e.status IS DISTINCT FROM $');
    expect(c.sql).toContain('e.version > $');
    expect(c.sql).toContain('e.position < $');
    expect(c.sql).toContain('e.occurred_at <= $');
    expect(c.sql).toContain('e.source IS NOT NULL');
    expect(c.sql).toContain('e.parent_node_id IS NULL');
    expect(c.sql).toContain("WHEN 'array' THEN");
    // LIKE wildcards in the value match literally.
    expect(c.values).toContain('%50\\%\\_off%');
    expect(c.values).toContain('2030-01-01T00:00:00.000Z');
  });

  it('groups by fields and a time bucket with positional GROUP BY', () => {
    const c = compile({ reduce: { type: 'sum', field: 'data.amount', groupBy: ['type', 'data.device'], interval: '1h' } });
    expect(c.kind).toBe('groups');
    if (c.kind !== 'groups') return;
    expect(c.sql).toContain('date_bin($');
    expect(c.sql).toContain('GROUP BY 1, 2, 3 ORDER BY 3, 1, 2');
    expect(c.values).toContain('1 hour');
    expect(c.keys.map((k) => k.name)).toEqual(['type', 'data.device']);
    expect(c.bucket).toBe(true);
  });

  it('counts without a field and refuses a reducer that needs one', () => {
    // A tenant's count comes from the rollup (dsl-rollup.spec.ts); a stream's from the log.
    expect(compile({ reduce: { type: 'count' } }).sql).toContain('FROM event_counts c');
    const c = compile({ from: { stream: 'order-42' }, reduce: { type: 'count' } });
    expect(c.sql).toContain('count(*) AS value');
    expect(problemsOf({ reduce: { type: 'sum' } })).toEqual([{ field: 'reduce.field', message: 'reduce.field: sum needs a field' }]);
    expect(problemsOf({ reduce: { type: 'avg', field: 'type' } })[0].message).toMatch(/needs a number field/);
  });

  it.each([
    ['an unknown field', { field: 'colour', operator: 'eq', value: 1 }, 'where[0].field', /unknown field/],
    ['SQL in a field name', { field: 'type; DROP TABLE events', operator: 'eq', value: 1 }, 'where[0].field', /unknown field/],
    ['an Object.prototype name as the root', { field: 'constructor.name', operator: 'eq', value: 1 }, 'where[0].field', /unknown field/],
    ['SQL in a path', { field: "data.a') OR 1=1 --", operator: 'eq', value: 1 }, 'where[0].field', /path key/],
    ['a path too deep', { field: `data.${Array(20).fill('a').join('.')}`, operator: 'eq', value: 1 }, 'where[0].field', /deeper/],
    ['a nested array where a scalar belongs', { field: 'type', operator: 'eq', value: [['a']] }, 'where[0].value', /must be a string/],
    ['an object for a JSON value', { field: 'data.a', operator: 'eq', value: { $gt: 1 } }, 'where[0].value', /not an object/],
    ['a string for an integer field', { field: 'version', operator: 'gt', value: '1' }, 'where[0].value', /integer/],
    ['a bad date', { field: 'occurredAt', operator: 'gt', value: '2024-02-30T00:00:00Z' }, 'where[0].value', /RFC 3339/],
    ['contains on a number field', { field: 'version', operator: 'contains', value: 1 }, 'where[0].value', /contains applies/],
    ['an empty in list', { field: 'type', operator: 'in', value: [] }, 'where[0].value', /non-empty/],
    ['a 10,000-item in list', { field: 'type', operator: 'in', value: Array(10000).fill('a') }, 'where[0].value', /at most 1000/],
    ['between with one bound', { field: 'version', operator: 'between', value: [1] }, 'where[0].value', /\[low, high\]/],
    ['a missing value', { field: 'type', operator: 'eq' }, 'where[0].value', /needs a value/],
    ['exists with a string', { field: 'type', operator: 'exists', value: 'yes' }, 'where[0].value', /exists takes/],
    ['a NUL character', { field: 'type', operator: 'eq', value: 'a\u0000b' }, 'where[0].value', /NUL/],
    ['data compared as a whole', { field: 'data', operator: 'eq', value: 1 }, 'where[0].value', /as a whole/],
  ])('refuses %s, naming the field', (_, condition, field, message) => {
    const problems = problemsOf({ where: [condition] });
    expect(problems[0].field).toBe(field);
    expect(problems[0].message).toMatch(message);
  });

  it('reports every problem of a query at once', () => {
    const problems = problemsOf({
      where: [{ field: 'nope', operator: 'eq', value: 1 }],
      select: ['also.nope'],
      orderBy: { field: 'data' },
      limit: 5000,
    });
    expect(problems.map((p) => p.field).sort()).toEqual(['limit', 'orderBy.field', 'select[0]', 'where[0].field']);
  });
});
