import 'reflect-metadata';
import fc from 'fast-check';
import { ApiError } from '../errors/api-error';
import { createValidationPipe } from '../validation/validation.pipe';
import { DSL_INTERVALS, DSL_OPERATORS, DSL_REDUCERS, DslQueryDto, InvalidQueryError } from '@eventlog/contracts';
import { CompiledDsl, compileDsl, EVENT_FIELDS } from '@eventlog/store';

/*
 * The query DSL under generated input (issue 5, item 3): the body goes through the query app's
 * ValidationPipe, then compileDsl. Every input is either compiled or refused with problems that name
 * a field (a 400); nothing else may be thrown (a 500). Whatever compiles carries its input only as
 * bound parameters: no generated value, path key, tenant or stream reaches the SQL text.
 */

const RUNS = 1000;
const pipe = createValidationPipe();

type Outcome = { ok: true; compiled: CompiledDsl } | { ok: false; fields: string[] };

async function run(body: unknown): Promise<Outcome> {
  let dto: DslQueryDto;
  try {
    dto = (await pipe.transform(body, { type: 'body', metatype: DslQueryDto, data: undefined })) as DslQueryDto;
  } catch (err) {
    if (err instanceof ApiError && err.body.statusCode === 400) return { ok: false, fields: err.body.details.map((d) => d.field) };
    throw err;
  }
  try {
    return { ok: true, compiled: compileDsl(dto.from?.tenant ?? 'default', dto) };
  } catch (err) {
    if (err instanceof InvalidQueryError) return { ok: false, fields: err.problems.map((p) => p.field) };
    throw err;
  }
}

// ── generators ───────────────────────────────────────────────────────────────────────────────

const TOP_FIELDS = Object.keys(EVENT_FIELDS);
const HOSTILE_KEYS = ['__proto__', 'constructor', 'prototype', 'hasOwnProperty', 'toString'];
const asciiChar = fc.string({ minLength: 1, maxLength: 1 });
const loneSurrogate = fc.integer({ min: 0xd800, max: 0xdfff }).map((c) => String.fromCharCode(c));
const controlChar = fc.integer({ min: 0, max: 0x1f }).map((c) => String.fromCharCode(c));
const hostileString = fc.oneof(
  fc.string({ maxLength: 30 }),
  fc.string({ unit: fc.oneof(asciiChar, controlChar, loneSurrogate, fc.constantFrom('😀', "'", '"', '\\', '%', '_', '$', ';', '\u0000')), maxLength: 30 }),
  fc.constantFrom("' OR '1'='1", "'; DROP TABLE events; --", '$1', '$$x$$', 'e.tenant', ') OR (1=1', '\\', '%_%', ...HOSTILE_KEYS),
  fc.tuple(fc.constantFrom('x', "'", '😀'), fc.integer({ min: 100, max: 5000 })).map(([c, n]) => c.repeat(n)),
);
const pathKey = fc.oneof({ weight: 4, arbitrary: fc.stringMatching(/^[A-Za-z0-9_-]{1,12}$/) }, { weight: 1, arbitrary: hostileString });
const path = fc.array(pathKey, { minLength: 1, maxLength: 18 }).map((keys) => keys.join('.'));
const field = fc.oneof(
  { weight: 3, arbitrary: fc.constantFrom(...TOP_FIELDS) },
  { weight: 4, arbitrary: fc.tuple(fc.constantFrom('data', 'metadata', 'payload'), path).map(([root, p]) => `${root}.${p}`) },
  { weight: 1, arbitrary: hostileString },
);
const time = fc.oneof(
  fc.integer({ min: 0, max: 253402300799999 }).map((ms) => new Date(ms).toISOString()),
  fc.integer({ min: -5, max: 253402300800005 }),
  fc.constantFrom('2024-02-30T00:00:00Z', '2024-05-01T10:00:00+02:00', '0050-01-01T00:00:00Z', 'yesterday', '9999-12-31T23:59:59-23:59'),
);
/** Deep nesting: JSON.parse copes with it; recursive code may not. */
const deep = fc.tuple(fc.integer({ min: 1, max: 20000 }), fc.boolean()).map(([depth, asArray]) => {
  let v: unknown = 1;
  for (let i = 0; i < depth; i++) v = asArray ? [v] : { a: v };
  // fast-check would print it recursively: say what it is instead.
  Object.defineProperty(v, fc.toStringMethod, { enumerable: false, value: () => `/* ${depth} nested ${asArray ? 'arrays' : 'objects'} around 1 */` });
  return v;
});
const scalar = fc.oneof(hostileString, fc.double({ noNaN: true, noDefaultInfinity: true }), fc.integer(), fc.boolean(), fc.constant(null), time);
const shallowValue = fc.oneof(
  { weight: 5, arbitrary: scalar },
  { weight: 2, arbitrary: fc.array(scalar, { maxLength: 5 }) },
  { weight: 1, arbitrary: fc.jsonValue({ maxDepth: 3 }) },
  { weight: 1, arbitrary: fc.dictionary(fc.oneof(pathKey, fc.constantFrom(...HOSTILE_KEYS)), scalar, { maxKeys: 3 }) },
  { weight: 1, arbitrary: fc.constant(undefined) },
);
const value = fc.oneof(
  { weight: 5, arbitrary: scalar },
  { weight: 2, arbitrary: fc.array(scalar, { maxLength: 5 }) },
  { weight: 1, arbitrary: fc.jsonValue({ maxDepth: 3 }) },
  { weight: 1, arbitrary: fc.dictionary(fc.oneof(pathKey, fc.constantFrom(...HOSTILE_KEYS)), scalar, { maxKeys: 3 }) },
  { weight: 1, arbitrary: fc.constant(undefined) },
  { weight: 1, arbitrary: deep },
);
const operator = fc.oneof({ weight: 9, arbitrary: fc.constantFrom(...DSL_OPERATORS) }, { weight: 1, arbitrary: hostileString });
const conditionOf = (v: fc.Arbitrary<unknown>) => fc.record({ field, operator, value: v }, { requiredKeys: ['field', 'operator'] });
const junk = fc.oneof(fc.jsonValue({ maxDepth: 2 }), hostileString);
const maybe = <T>(arb: fc.Arbitrary<T>) => fc.oneof({ weight: 8, arbitrary: arb as fc.Arbitrary<unknown> }, { weight: 1, arbitrary: junk });

/** A DSL body: mostly well-shaped, so that the compiler is reached, with wrong types and hostile text mixed in. */
const dslBodyOf = (condition: fc.Arbitrary<unknown>) => fc.record(
  {
    from: maybe(fc.record({ tenant: hostileString, stream: hostileString, streamPrefix: hostileString }, { requiredKeys: [] })),
    where: maybe(fc.array(maybe(condition), { maxLength: 4 })),
    select: maybe(fc.array(maybe(field), { maxLength: 4 })),
    orderBy: maybe(fc.record({ field, direction: fc.oneof(fc.constantFrom('asc', 'desc'), hostileString) }, { requiredKeys: ['field'] })),
    limit: maybe(fc.oneof(fc.integer({ min: -5, max: 20000 }), fc.double())),
    offset: maybe(fc.oneof(fc.integer({ min: -5, max: 10_000_005 }), fc.double())),
    includeTotal: maybe(fc.boolean()),
    reduce: maybe(
      fc.record(
        {
          type: fc.oneof({ weight: 9, arbitrary: fc.constantFrom(...DSL_REDUCERS) }, { weight: 1, arbitrary: hostileString }),
          field,
          groupBy: fc.array(field, { maxLength: 6 }),
          interval: fc.oneof({ weight: 9, arbitrary: fc.constantFrom(...DSL_INTERVALS) }, { weight: 1, arbitrary: hostileString }),
          limit: fc.integer({ min: -1, max: 1001 }),
        },
        { requiredKeys: ['type'] },
      ),
    ),
  },
  { requiredKeys: [] },
);
const dslBody = dslBodyOf(conditionOf(value));
/** Values nested at most a few levels: for the SQL-text property, whose own bookkeeping is recursive. */
const shallowDslBody = dslBodyOf(conditionOf(shallowValue));
/*
 * Valid DSL bodies full of SQL-looking text, so that most of them compile: tenants, streams, values
 * and path keys like `'; DROP TABLE events; --`, `e.tenant`, `$1`, `%_`, quotes and backslashes.
 */
const SQLISH = ["' OR '1'='1", "'; DROP TABLE events; --", '$1', '$$x$$', 'e.tenant', ') OR (1=1', '\\', "\\'", '%_%', 'SELECT pg_sleep(10)', '/* x */', 'E\'\\x41\''];
const sqlishText = fc.oneof(
  fc.constantFrom(...SQLISH),
  fc.string({ unit: fc.oneof(asciiChar, fc.constantFrom('😀', 'é', "'", '"', '\\', '$', ';')), minLength: 1, maxLength: 40 }),
);
const sqlishKey = fc.oneof(fc.constantFrom('DROP', 'select', 'e', 'events', 'amount--', '1-1', 'tenant', 'pg_sleep', '__proto__x'), fc.stringMatching(/^[A-Za-z0-9_-]{1,12}$/));
const jsonField = fc.tuple(fc.constantFrom('data', 'metadata', 'payload'), fc.array(sqlishKey, { minLength: 1, maxLength: 5 })).map(([r, keys]) => `${r}.${keys.join('.')}`);
const fieldsOf = (kind: string) => TOP_FIELDS.filter((f) => EVENT_FIELDS[f].kind === kind);
const iso = fc.integer({ min: 0, max: 253402300799999 }).map((ms) => new Date(ms).toISOString());
const validCondition = fc.oneof(
  fc.record({ field: fc.constantFrom(...fieldsOf('text')), operator: fc.constantFrom('eq', 'neq', 'gt', 'lte', 'contains'), value: sqlishText }),
  fc.record({ field: fc.constantFrom(...fieldsOf('text')), operator: fc.constant('in'), value: fc.array(sqlishText, { minLength: 1, maxLength: 4 }) }),
  fc.record({ field: fc.constantFrom(...fieldsOf('int')), operator: fc.constantFrom('eq', 'gte', 'lt'), value: fc.integer() }),
  fc.record({ field: fc.constantFrom(...fieldsOf('time')), operator: fc.constant('between'), value: fc.tuple(iso, iso) }),
  fc.record({ field: jsonField, operator: fc.constantFrom('eq', 'neq', 'gt', 'contains'), value: fc.oneof(sqlishText, fc.integer(), fc.boolean()) }),
  fc.record({ field: jsonField, operator: fc.constant('in'), value: fc.array(fc.oneof(sqlishText, fc.integer()), { minLength: 1, maxLength: 4 }) }),
  fc.record({ field: fc.oneof(jsonField, fc.constantFrom(...TOP_FIELDS)), operator: fc.constant('exists'), value: fc.boolean() }),
  fc.record({ field: fc.constantFrom('data', 'metadata'), operator: fc.constant('contains'), value: fc.dictionary(sqlishKey, fc.oneof(sqlishText, fc.integer()), { maxKeys: 3 }) }),
);
const orderable = fc.oneof(jsonField, fc.constantFrom(...TOP_FIELDS.filter((f) => EVENT_FIELDS[f].kind !== 'object')));
const sqlishFrom = fc.record({ tenant: fc.constantFrom(...SQLISH.slice(0, 9)), stream: sqlishText, streamPrefix: sqlishText }, { requiredKeys: [] });
const validEventsBody = fc.record(
  {
    from: sqlishFrom,
    where: fc.array(validCondition, { maxLength: 5 }),
    select: fc.array(fc.oneof(jsonField, fc.constantFrom(...TOP_FIELDS)), { maxLength: 3 }),
    orderBy: fc.record({ field: orderable, direction: fc.constantFrom('asc', 'desc') }),
    limit: fc.integer({ min: 1, max: 1000 }),
    offset: fc.integer({ min: 0, max: 1000 }),
    includeTotal: fc.boolean(),
  },
  { requiredKeys: [] },
);
const validGroupsBody = fc.record(
  {
    from: sqlishFrom,
    where: fc.array(validCondition, { maxLength: 5 }),
    reduce: fc.record(
      {
        type: fc.constantFrom('count', 'sum', 'avg', 'min', 'max', 'collect'),
        field: fc.oneof(jsonField, fc.constantFrom(...fieldsOf('int'))),
        groupBy: fc.array(orderable, { maxLength: 5 }),
        interval: fc.constantFrom(...DSL_INTERVALS),
        limit: fc.integer({ min: 1, max: 1000 }),
      },
      { requiredKeys: ['type', 'field'] },
    ),
    limit: fc.integer({ min: 1, max: 10000 }),
  },
  { requiredKeys: ['reduce'] },
);

/** Plus keys the DSL does not know, set as own properties (as JSON.parse does, `__proto__` included). */
const withExtraKeys = fc.tuple(dslBody, fc.array(fc.tuple(fc.oneof(hostileString, fc.constantFrom('having', 'join', ...HOSTILE_KEYS)), junk), { maxLength: 1 })).map(([body, extra]) => {
  const copy: Record<string, unknown> = { ...body };
  for (const [k, v] of extra) Object.defineProperty(copy, k, { value: v, enumerable: true, writable: true, configurable: true });
  return copy;
});

// ── what no SQL text may contain ─────────────────────────────────────────────────────────────

/** Every string the caller wrote: values, path keys, tenant, stream, prefix, field names. */
function writtenStrings(body: any): string[] {
  const out: string[] = [];
  const walk = (v: unknown) => {
    if (typeof v === 'string') out.push(v, ...v.split('.'));
    else if (Array.isArray(v)) v.forEach(walk);
    else if (v && typeof v === 'object') Object.entries(v).forEach(([k, x]) => (out.push(k), walk(x)));
  };
  walk(body?.from);
  walk(body?.where);
  walk(body?.select);
  walk(body?.orderBy);
  walk(body?.reduce);
  return out;
}

/**
 * The identifiers and keywords compiled SQL is made of: whatever a query with the same shape but
 * neutral text (every written string replaced by `zq<n>`, times by one fixed time) produces. A
 * written string found in the real SQL must be one of these, i.e. come from the compiler's own text.
 */
function neutralSql(body: any): string {
  let n = 0;
  const neutralField = (f: unknown) => {
    if (typeof f !== 'string') return f;
    const dot = f.indexOf('.');
    if (dot < 0) return f;
    return `${f.slice(0, dot)}.${f.slice(dot + 1).split('.').map(() => `zq${n++}`).join('.')}`;
  };
  const neutralValue = (v: unknown, kind: string | undefined): unknown => {
    if (Array.isArray(v)) return v.map((x) => neutralValue(x, kind));
    if (typeof v === 'string') return kind === 'time' ? '2000-01-01T00:00:00Z' : `zq${n++}`;
    if (v && typeof v === 'object') return Object.fromEntries(Object.entries(v).map(([, x]) => [`zq${n++}`, neutralValue(x, kind)]));
    return v;
  };
  const copy = JSON.parse(JSON.stringify(body));
  if (copy.from) for (const k of Object.keys(copy.from)) copy.from[k] = `zq${n++}`;
  for (const c of copy.where ?? []) {
    c.value = neutralValue(c.value, EVENT_FIELDS[c.field]?.kind);
    c.field = neutralField(c.field);
  }
  if (copy.orderBy) copy.orderBy.field = neutralField(copy.orderBy.field);
  if (copy.reduce) {
    copy.reduce.field = neutralField(copy.reduce.field);
    copy.reduce.groupBy = copy.reduce.groupBy?.map(neutralField);
  }
  const c = compileDsl((copy as DslQueryDto).from?.tenant ?? 'default', copy as DslQueryDto);
  return [c.sql, c.kind === 'events' ? c.countSql ?? '' : ''].join('\n');
}

const placeholders = (sql: string) => [...sql.matchAll(/\$(\d+)/g)].map((m) => Number(m[1]));

describe('the DSL under generated input (fast-check)', () => {
  it(`any body: compiled, or a 400 whose problems name a field; never another error (${RUNS} cases)`, async () => {
    await fc.assert(
      fc.asyncProperty(withExtraKeys, async (body) => {
        const outcome = await run(body);
        if (!outcome.ok) {
          expect(outcome.fields.length).toBeGreaterThan(0);
          for (const f of outcome.fields) expect(f.length).toBeGreaterThan(0);
        }
      }),
      { numRuns: RUNS },
    );
  });

  it(`whatever compiles binds every written string: none of length ≥ 3 appears in the SQL text (${RUNS} cases)`, async () => {
    let compiled = 0;
    await fc.assert(
      fc.asyncProperty(fc.oneof(validEventsBody, validGroupsBody, shallowDslBody), async (body) => {
        const outcome = await run(body);
        if (!outcome.ok) return;
        compiled++;
        const c = outcome.compiled;
        const texts = c.kind === 'events' ? [c.sql, c.countSql ?? ''] : [c.sql];
        const skeleton = neutralSql(body);
        for (const s of writtenStrings(body).filter((x) => x.length >= 3)) {
          for (const sql of texts) {
            if (sql.includes(s) && !skeleton.includes(s)) throw new Error(`written text ${JSON.stringify(s)} reached the SQL:\n${sql}`);
          }
        }
        // Placeholders and bound values agree: every $n has a value.
        expect(Math.max(0, ...placeholders(c.sql))).toBeLessThanOrEqual(c.values.length);
        if (c.kind === 'events' && c.countSql) expect(Math.max(0, ...placeholders(c.countSql))).toBeLessThanOrEqual(c.countValues.length);
      }),
      { numRuns: RUNS },
    );
    // The property means something only if most of the bodies got through.
    expect(compiled).toBeGreaterThan(RUNS / 2);
  });

  it(`a well-formed condition on a real field with a value of the wrong type is refused naming where[i].value (${RUNS} cases)`, async () => {
    const WRONG: Record<string, unknown[]> = {
      text: [1, true, { a: 1 }, [['x']], 'x'.repeat(4097), 'a\u0000b'],
      int: ['1', 1.5, true, { a: 1 }, 2 ** 60],
      time: ['yesterday', '2024-02-30T00:00:00Z', -1, true, { a: 1 }],
      json: [{ a: 1 }, [[1]], 'a\u0000b', 'x'.repeat(4097)],
    };
    const fields = [...TOP_FIELDS.filter((f) => EVENT_FIELDS[f].kind !== 'object'), 'data.amount', 'metadata.a.b'];
    const kindOf = (f: string) => EVENT_FIELDS[f]?.kind ?? 'json';
    const arb = fc.tuple(fc.constantFrom(...fields), fc.constantFrom('eq', 'neq', 'gt', 'lte'), fc.nat({ max: 3 })).chain(([f, op, at]) =>
      fc.tuple(fc.constant(f), fc.constant(op), fc.constantFrom(...WRONG[kindOf(f)]), fc.constant(at)),
    );
    await fc.assert(
      fc.asyncProperty(arb, async ([f, op, wrong, at]) => {
        const where = [...Array.from({ length: at }, () => ({ field: 'type', operator: 'eq', value: 'ok' })), { field: f, operator: op, value: wrong }];
        const outcome = await run({ where });
        expect(outcome).toEqual({ ok: false, fields: [`where[${at}].value`] });
      }),
      { numRuns: RUNS },
    );
  });
});
