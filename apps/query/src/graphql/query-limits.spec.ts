import { buildSchema, parse } from 'graphql';
import { GRAPHQL_LIMITS, queryLimitErrors } from './query-limits';

// The shape that matters to the limits: a connection with `first`, a stream read with `limit`, a tree.
const schema = buildSchema(`
  type Query { events(first: Int): Connection  stream(name: String!, limit: Int): Stream  trace(requestId: String!): Trace  stats: Stats }
  type Connection { totalCount: Int  nodes: [Event!]! }
  type Stream { version: Int  events: [Event!]! }
  type Trace { status: String  nodes: [Node!]! }
  type Node { nodeId: String  children: [Node!]! }
  type Stats { totalCount: Int }
  type Event { id: String  type: String  a: Int  b: Int  c: Int  d: Int  e: Int  f: Int  g: Int }
`);
const messages = (query: string) => queryLimitErrors(schema, parse(query)).map((e) => e.message);
const nested = (levels: number) => `{ trace(requestId: "r") { nodes { ${'children { '.repeat(levels)}nodeId${' }'.repeat(levels)} } } }`;

describe('queryLimitErrors', () => {
  it('passes an ordinary query', () => {
    expect(messages('{ events(first: 50) { totalCount nodes { id type } } stats { totalCount } }')).toEqual([]);
  });

  it('refuses a query deeper than the limit, and counts depth through fragments', () => {
    expect(messages(nested(GRAPHQL_LIMITS.maxDepth - 3))).toEqual([]);
    expect(messages(nested(50))).toEqual([`the query is 53 fields deep; at most ${GRAPHQL_LIMITS.maxDepth} are allowed`]);
    const viaFragments = `query Deep { trace(requestId: "r") { nodes { ...N } } } fragment N on Node { ${'children { '.repeat(20)}nodeId${' }'.repeat(20)} }`;
    expect(messages(viaFragments)).toEqual([`operation Deep is 23 fields deep; at most ${GRAPHQL_LIMITS.maxDepth} are allowed`]);
  });

  it('refuses 10,000 aliases, also when a fragment multiplies them', () => {
    const aliases = Array.from({ length: 10_000 }, (_, i) => `a${i}: __typename`).join(' ');
    expect(messages(`{ ${aliases} }`)).toContain(`the query has 10000 aliases; at most ${GRAPHQL_LIMITS.maxAliases} are allowed`);
    const spread = Array.from({ length: 100 }, () => '...F').join(' ');
    expect(messages(`{ ${spread} } fragment F on Query { x: __typename y: __typename }`)).toContain(
      `the query has 200 aliases; at most ${GRAPHQL_LIMITS.maxAliases} are allowed`,
    );
  });

  it('measures a fragment bomb without expanding it (2^40 spreads)', () => {
    const fragments = Array.from({ length: 40 }, (_, i) => `fragment F${i} on Query { ...F${i + 1} ...F${i + 1} }`).join(' ');
    const started = Date.now();
    const found = messages(`{ ...F0 } ${fragments} fragment F40 on Query { stats { totalCount } }`);
    expect(Date.now() - started).toBeLessThan(1000);
    expect(found.some((m) => /selects \d+ fields; at most 500/.test(m))).toBe(true);
  });

  it('ends on a fragment cycle (left to the specification rule to refuse)', () => {
    expect(messages('{ ...A } fragment A on Query { ...B } fragment B on Query { ...A stats { totalCount } }')).toEqual([]);
  });

  it('refuses more top-level fields than the limit, counted through fragments', () => {
    const fields = (n: number) => Array.from({ length: n }, (_, i) => `s${i}: stats { totalCount }`).join(' ');
    expect(messages(`{ ${fields(GRAPHQL_LIMITS.maxRootFields)} }`)).toEqual([]);
    expect(messages(`{ ...R } fragment R on Query { ${fields(GRAPHQL_LIMITS.maxRootFields + 1)} }`)).toEqual([
      `the query has ${GRAPHQL_LIMITS.maxRootFields + 1} top-level fields; at most ${GRAPHQL_LIMITS.maxRootFields} are allowed`,
    ]);
  });

  it('costs what a page holds: first (or its maximum when a variable) times the fields inside', () => {
    const page = (first: string) => `events(first: ${first}) { nodes { id type a b c d e f g } }`;
    // 1 + 1000 × (1 + 9) = 10,001 per page: four fit; six, one of them sized by a variable, do not.
    expect(messages(`{ ${[1, 2, 3, 4].map((i) => `p${i}: ${page('1000')}`).join(' ')} }`)).toEqual([]);
    const six = `query Six($n: Int) { ${[1, 2, 3, 4, 5].map((i) => `p${i}: ${page('1000')}`).join(' ')} p6: ${page('$n')} }`;
    expect(messages(six)).toEqual([expect.stringMatching(/^operation Six costs 60006; at most 50000 is allowed/)]);
    // An out-of-range literal counts as the maximum, so argument validation (not the cost) names it.
    expect(messages(`{ ${page('5000000')} }`)).toEqual([]);
    // stream(limit) multiplies its events the same way.
    expect(messages(`{ ${Array.from({ length: 6 }, (_, i) => `s${i}: stream(name: "s", limit: 1000) { events { id type a b c d e f g } }`).join(' ')} }`)).toEqual([
      expect.stringMatching(/costs 60006/),
    ]);
  });
});
