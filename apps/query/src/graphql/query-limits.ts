import {
  ASTNode,
  DocumentNode,
  FieldNode,
  FragmentDefinitionNode,
  getNamedType,
  GraphQLError,
  GraphQLNamedType,
  GraphQLSchema,
  isInterfaceType,
  isObjectType,
  Kind,
  SelectionSetNode,
} from 'graphql';
import { QUERY_LIMITS } from '@eventlog/contracts';

/** What one GraphQL operation may ask for; refused before validation, and so before anything runs. */
export const GRAPHQL_LIMITS = {
  /** Nested field levels (fragments are transparent). */
  maxDepth: 15,
  /** Aliased fields, counted once per place a fragment is spread. */
  maxAliases: 100,
  /** Field selections, counted the same way. */
  maxFields: 500,
  /** Top-level fields, each one service call (one SQL statement or two). */
  maxRootFields: 20,
  /** Fields resolved, each counted once per item of the pages that contain it (see listSize). */
  maxCost: 50_000,
  /** Lexical tokens in a document: a hostile one is refused while it is parsed. */
  maxTokens: 5_000,
} as const;

/**
 * How many items a field's list holds, for the cost: a connection's `first`, a stream read's
 * `limit` (their defaults when absent, their maximum when given as a variable, since validation
 * runs before variables are known). Out-of-range literals count as the maximum: argument
 * validation then names them.
 */
const LIST_SIZES: Record<string, { arg: string; default: number; max: number }> = {
  'Query.events': { arg: 'first', default: QUERY_LIMITS.defaultPageSize, max: QUERY_LIMITS.maxPageSize },
  'Query.stream': { arg: 'limit', default: QUERY_LIMITS.defaultStreamRead, max: QUERY_LIMITS.maxStreamRead },
};

interface Measure {
  depth: number;
  aliases: number;
  fields: number;
  cost: number;
}

const refusal = (message: string, node: ASTNode) =>
  new GraphQLError(message, { nodes: node, extensions: { code: 'QUERY_TOO_COMPLEX', limits: GRAPHQL_LIMITS } });

/**
 * What in a document exceeds the limits: depth, aliases, fields, top-level fields and cost, per
 * operation. Run before the specification's validation rules (some of which take time quadratic
 * in the fields of a selection), so a hostile document costs one walk. Fragments are measured
 * once each (memoised), so fragments spread into each other cannot make the walk exponential,
 * and a fragment cycle measures as empty (validation then refuses it).
 */
export function queryLimitErrors(schema: GraphQLSchema, document: DocumentNode, limits: typeof GRAPHQL_LIMITS = GRAPHQL_LIMITS): GraphQLError[] {
  const definitions = new Map<string, FragmentDefinitionNode>();
  for (const d of document.definitions) if (d.kind === Kind.FRAGMENT_DEFINITION) definitions.set(d.name.value, d);
  const fragments = new Map<string, Measure>();
  const measuring = new Set<string>();

  const fragmentMeasure = (fragment: FragmentDefinitionNode): Measure => {
    const name = fragment.name.value;
    const known = fragments.get(name);
    if (known) return known;
    if (measuring.has(name)) return { depth: 0, aliases: 0, fields: 0, cost: 0 };
    measuring.add(name);
    const measure = selectionMeasure(fragment.selectionSet, schema.getType(fragment.typeCondition.name.value));
    measuring.delete(name);
    fragments.set(name, measure);
    return measure;
  };

  const selectionMeasure = (set: SelectionSetNode, parent: GraphQLNamedType | undefined | null): Measure => {
    const total: Measure = { depth: 0, aliases: 0, fields: 0, cost: 0 };
    const add = (m: Measure) => {
      total.depth = Math.max(total.depth, m.depth);
      total.aliases += m.aliases;
      total.fields += m.fields;
      total.cost += m.cost;
    };
    for (const selection of set.selections) {
      if (selection.kind === Kind.FRAGMENT_SPREAD) {
        const fragment = definitions.get(selection.name.value);
        if (fragment) add(fragmentMeasure(fragment));
      } else if (selection.kind === Kind.INLINE_FRAGMENT) {
        add(selectionMeasure(selection.selectionSet, selection.typeCondition ? schema.getType(selection.typeCondition.name.value) : parent));
      } else {
        const fields = parent && (isObjectType(parent) || isInterfaceType(parent)) ? parent.getFields() : undefined;
        const definition = fields?.[selection.name.value];
        const own: Measure = { depth: 1, aliases: selection.alias ? 1 : 0, fields: 1, cost: 1 };
        if (selection.selectionSet) {
          const inner = selectionMeasure(selection.selectionSet, definition && getNamedType(definition.type));
          own.depth += inner.depth;
          own.aliases += inner.aliases;
          own.fields += inner.fields;
          own.cost += inner.cost * listSize(`${parent?.name}.${selection.name.value}`, selection);
        }
        add(own);
      }
    }
    return total;
  };

  /** Fields of a selection set, through its fragments, leaving out introspection (`__schema`). */
  const rootFieldCount = (set: SelectionSetNode, spread: Set<string>): number => {
    let count = 0;
    for (const selection of set.selections) {
      if (selection.kind === Kind.FIELD) count += selection.name.value.startsWith('__') ? 0 : 1;
      else if (selection.kind === Kind.INLINE_FRAGMENT) count += rootFieldCount(selection.selectionSet, spread);
      else if (!spread.has(selection.name.value)) {
        spread.add(selection.name.value);
        const fragment = definitions.get(selection.name.value);
        if (fragment) count += rootFieldCount(fragment.selectionSet, spread);
      }
    }
    return count;
  };

  const errors: GraphQLError[] = [];
  for (const operation of document.definitions) {
    if (operation.kind !== Kind.OPERATION_DEFINITION) continue;
    const measure = selectionMeasure(operation.selectionSet, schema.getRootType(operation.operation));
    const name = operation.name ? `operation ${operation.name.value}` : 'the query';
    const rootFields = rootFieldCount(operation.selectionSet, new Set());
    const refuse = (message: string) => errors.push(refusal(message, operation));
    if (measure.depth > limits.maxDepth) refuse(`${name} is ${measure.depth} fields deep; at most ${limits.maxDepth} are allowed`);
    if (measure.aliases > limits.maxAliases) refuse(`${name} has ${measure.aliases} aliases; at most ${limits.maxAliases} are allowed`);
    if (measure.fields > limits.maxFields) refuse(`${name} selects ${measure.fields} fields; at most ${limits.maxFields} are allowed`);
    if (rootFields > limits.maxRootFields) refuse(`${name} has ${rootFields} top-level fields; at most ${limits.maxRootFields} are allowed`);
    if (measure.cost > limits.maxCost) {
      refuse(`${name} costs ${measure.cost}; at most ${limits.maxCost} is allowed (a field costs 1 for each item of the events(first) and stream(limit) pages that hold it)`);
    }
  }
  return errors;
}

function listSize(field: string, node: FieldNode): number {
  const size = LIST_SIZES[field];
  if (!size) return 1;
  const arg = node.arguments?.find((a) => a.name.value === size.arg);
  if (!arg) return size.default;
  if (arg.value.kind !== Kind.INT) return size.max; // a variable, or a wrong type that validation names
  const n = Number(arg.value.value);
  return n >= 0 && n <= size.max ? Math.max(n, 1) : size.max;
}
