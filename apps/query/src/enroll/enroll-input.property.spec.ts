import 'reflect-metadata';
import fc from 'fast-check';
import { DSL_OPERATORS, EnrollDto, InvalidQueryError } from '@eventlog/contracts';
import { compileEnrollSearch, EnrollSearch, EVENT_FIELDS } from '@eventlog/store';
import { ApiError } from '../errors/api-error';
import { createValidationPipe } from '../validation/validation.pipe';

/*
 * The enroll body under generated input: through the query app's ValidationPipe, then the claim
 * search's compiler. Every body is either compiled or refused with problems naming a field (a 400);
 * nothing else is thrown. Whatever compiles carries the caller's text only as bound parameters.
 */

const RUNS = 500;
const pipe = createValidationPipe();

type Outcome = { ok: true; search: EnrollSearch } | { ok: false; fields: string[] };

async function run(body: unknown): Promise<Outcome> {
  let dto: EnrollDto;
  try {
    dto = (await pipe.transform(body, { type: 'body', metatype: EnrollDto, data: undefined })) as EnrollDto;
  } catch (err) {
    if (err instanceof ApiError && err.body.statusCode === 400) return { ok: false, fields: err.body.details.map((d) => d.field) };
    throw err;
  }
  try {
    const query = { sourceType: dto.sourceType, targetType: dto.targetType, filter: dto.filter, maxRetries: dto.maxRetries ?? 0 };
    return { ok: true, search: compileEnrollSearch(dto.tenant ?? 'default', query) };
  } catch (err) {
    if (err instanceof InvalidQueryError) return { ok: false, fields: err.problems.map((p) => p.field) };
    throw err;
  }
}

const SQLISH = ["' OR '1'='1", "'; DROP TABLE events; --", '$1', '$$x$$', 'e.tenant', ') OR (1=1', '\\', '%_%', 'pg_sleep(10)'];
const text = fc.oneof(
  fc.constantFrom(...SQLISH),
  fc.string({ unit: fc.oneof(fc.string({ minLength: 1, maxLength: 1 }), fc.constantFrom('😀', "'", '"', '\\', '$', ';', '\ud800', '\u0000', '\u0001')), maxLength: 40 }),
);
const junk = fc.oneof(fc.jsonValue({ maxDepth: 2 }), text);
const maybe = <T>(arb: fc.Arbitrary<T>) => fc.oneof({ weight: 6, arbitrary: arb as fc.Arbitrary<unknown> }, { weight: 1, arbitrary: junk });
const pathKey = fc.oneof(fc.stringMatching(/^[A-Za-z0-9_-]{1,10}$/), text);
const field = fc.oneof(
  fc.constantFrom(...Object.keys(EVENT_FIELDS)),
  fc.tuple(fc.constantFrom('data', 'metadata', 'payload'), fc.array(pathKey, { minLength: 1, maxLength: 4 })).map(([r, keys]) => `${r}.${keys.join('.')}`),
  text,
);
const condition = fc.record(
  { field: maybe(field), operator: maybe(fc.constantFrom(...DSL_OPERATORS)), value: fc.oneof(junk, fc.array(junk, { maxLength: 3 }), fc.integer(), fc.constant(null)) },
  { requiredKeys: ['field', 'operator'] },
);
const body = fc.record(
  {
    tenant: maybe(text),
    sourceType: maybe(text),
    targetType: maybe(text),
    sender: maybe(text),
    description: maybe(text),
    sequential: maybe(fc.boolean()),
    maxRetries: maybe(fc.integer({ min: -2, max: 102 })),
    filter: maybe(fc.array(maybe(condition), { maxLength: 4 })),
  },
  { requiredKeys: [] },
);

/** Every string the caller wrote, and the keys of data/metadata paths. */
function written(b: any): string[] {
  const out: string[] = [];
  const walk = (v: unknown) => {
    if (typeof v === 'string') out.push(v, ...v.split('.'));
    else if (Array.isArray(v)) v.forEach(walk);
    else if (v && typeof v === 'object') Object.entries(v).forEach(([k, x]) => (out.push(k), walk(x)));
  };
  walk(b);
  return out;
}

/** The SQL a body with the same shape but neutral text compiles to: the words the compiler itself wrote. */
const skeleton = compileEnrollSearch('zq', { sourceType: 'zq', targetType: 'zq', maxRetries: 0 });
const compilerWords = `${skeleton.sql}\n${Object.keys(EVENT_FIELDS).join(' ')} data metadata`;

describe('the enroll body under generated input (fast-check)', () => {
  it(`any body: compiled, or a 400 whose problems name a field; never another error (${RUNS} cases)`, async () => {
    await fc.assert(
      fc.asyncProperty(body, async (b) => {
        const outcome = await run(b);
        if (!outcome.ok) {
          expect(outcome.fields.length).toBeGreaterThan(0);
          outcome.fields.forEach((f) => expect(f.length).toBeGreaterThan(0));
        }
      }),
      { numRuns: RUNS },
    );
  });

  it(`whatever compiles binds the caller's text: none of length ≥ 3 appears in the SQL (${RUNS} cases)`, async () => {
    let compiled = 0;
    const valid = fc.record({
      tenant: fc.constantFrom(...SQLISH.slice(0, 6)),
      sourceType: fc.constantFrom(...SQLISH),
      targetType: fc.constantFrom(...SQLISH),
      sender: fc.constantFrom(...SQLISH),
      filter: fc.array(
        fc.oneof(
          fc.record({ field: fc.constantFrom('type', 'source', 'message', 'stream'), operator: fc.constantFrom('eq', 'neq', 'contains'), value: fc.constantFrom(...SQLISH) }),
          fc.record({
            field: fc.tuple(fc.constantFrom('data', 'metadata'), fc.constantFrom('DROP', 'select', 'pg_sleep', 'amount--', 'tenant')).map(([r, k]) => `${r}.${k}`),
            operator: fc.constantFrom('eq', 'in', 'contains', 'gt'),
            value: fc.oneof(fc.constantFrom(...SQLISH), fc.array(fc.constantFrom(...SQLISH), { minLength: 1, maxLength: 3 })),
          }),
        ),
        { maxLength: 4 },
      ),
    });
    await fc.assert(
      fc.asyncProperty(fc.oneof(valid, body), async (b) => {
        const outcome = await run(b);
        if (!outcome.ok) return;
        compiled++;
        for (const s of written(b).filter((x) => x.length >= 3 && !compilerWords.includes(x))) {
          expect(outcome.search.sql).not.toContain(s);
        }
      }),
      { numRuns: RUNS },
    );
    expect(compiled).toBeGreaterThan(RUNS / 4);
  });
});
