import { GraphQLError, GraphQLScalarType, Kind, ValueNode } from 'graphql';

/**
 * Any JSON value: an event's `data` and `metadata`, a DSL query, a DSL group's key and value. A
 * literal is read as the JSON it spells; an integer literal past 2^53 is refused rather than
 * rounded, and object keys become own properties (`__proto__` too), which validation then judges.
 */
export const JsonScalar = new GraphQLScalarType({
  name: 'JSON',
  description: 'Any JSON value',
  serialize: (value) => value,
  parseValue: (value) => value,
  parseLiteral: (ast, variables) => jsonOf(ast, variables ?? undefined),
});

function jsonOf(ast: ValueNode, variables: Record<string, unknown> | undefined): unknown {
  switch (ast.kind) {
    case Kind.STRING:
    case Kind.BOOLEAN:
    case Kind.ENUM:
      return ast.value;
    case Kind.INT:
    case Kind.FLOAT: {
      const number = Number(ast.value);
      if (!Number.isFinite(number) || (ast.kind === Kind.INT && !Number.isSafeInteger(number))) {
        throw new GraphQLError(`JSON number ${ast.value} is not exact as a 64-bit float; send it as a string`, { nodes: ast });
      }
      return number;
    }
    case Kind.NULL:
      return null;
    case Kind.LIST:
      return ast.values.map((v) => jsonOf(v, variables));
    case Kind.OBJECT:
      return Object.fromEntries(ast.fields.map((f) => [f.name.value, jsonOf(f.value, variables)]));
    case Kind.VARIABLE:
      return variables?.[ast.name.value];
  }
}

/** An integer a JSON number holds exactly (|n| ≤ 2^53 − 1): positions, counts, offsets. */
export const SafeIntScalar = new GraphQLScalarType({
  name: 'SafeInt',
  description: 'An integer of at most 53 bits (positions, counts and offsets outgrow GraphQL Int)',
  serialize: (value) => {
    if (typeof value !== 'number' || !Number.isSafeInteger(value)) throw new GraphQLError(`SafeInt cannot represent ${String(value)}`);
    return value;
  },
  parseValue: (value) => {
    if (typeof value !== 'number' || !Number.isSafeInteger(value)) throw new GraphQLError(`SafeInt cannot represent ${JSON.stringify(value)}`);
    return value;
  },
  parseLiteral: (ast) => {
    const number = ast.kind === Kind.INT ? Number(ast.value) : NaN;
    if (!Number.isSafeInteger(number)) throw new GraphQLError('SafeInt must be an integer of at most 53 bits', { nodes: ast });
    return number;
  },
});
