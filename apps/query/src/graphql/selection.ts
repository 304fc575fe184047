import { createParamDecorator, ExecutionContext } from '@nestjs/common';
import { FieldNode, GraphQLResolveInfo, Kind, SelectionSetNode } from 'graphql';

/**
 * Whether the query asks this field for `name` directly below it (through fragments too), so a
 * resolver does only the work that is asked for: a connection counts its total only when
 * `totalCount` is selected.
 */
export const Selects = createParamDecorator((name: string, context: ExecutionContext): boolean => {
  const info = context.getArgByIndex<GraphQLResolveInfo>(3);
  return info.fieldNodes.some((node: FieldNode) => node.selectionSet !== undefined && selects(node.selectionSet, name, info, new Set()));
});

function selects(set: SelectionSetNode, name: string, info: GraphQLResolveInfo, spread: Set<string>): boolean {
  return set.selections.some((s) => {
    if (s.kind === Kind.FIELD) return s.name.value === name;
    if (s.kind === Kind.INLINE_FRAGMENT) return selects(s.selectionSet, name, info, spread);
    if (spread.has(s.name.value)) return false;
    spread.add(s.name.value);
    const fragment = info.fragments[s.name.value];
    return fragment !== undefined && selects(fragment.selectionSet, name, info, spread);
  });
}
