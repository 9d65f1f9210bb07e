import { Kind, type DocumentNode, type FragmentDefinitionNode, type SelectionSetNode } from 'graphql';

/** Default largest query text accepted, in bytes (AppSync documents a 1 MB request; a query over this is abuse). */
export const MAX_QUERY_BYTES = 100 * 1024;
/** Default deepest field nesting accepted (a field inside a field inside … counts each level). */
export const MAX_QUERY_DEPTH = 15;

/** The deepest field nesting of any operation of the document, following fragment spreads. */
export function queryDepth(document: DocumentNode, stopAbove: number = MAX_QUERY_DEPTH): number {
  const fragments = new Map<string, FragmentDefinitionNode>();
  for (const d of document.definitions) if (d.kind === Kind.FRAGMENT_DEFINITION) fragments.set(d.name.value, d);
  const depthOf = (set: SelectionSetNode | undefined, seen: ReadonlySet<string>): number => {
    if (!set) return 0;
    let max = 0;
    for (const selection of set.selections) {
      if (selection.kind === Kind.FIELD) {
        max = Math.max(max, selection.selectionSet ? 1 + depthOf(selection.selectionSet, seen) : 1);
      } else if (selection.kind === Kind.INLINE_FRAGMENT) {
        max = Math.max(max, depthOf(selection.selectionSet, seen));
      } else {
        const name = selection.name.value;
        const fragment = fragments.get(name);
        if (fragment && !seen.has(name)) max = Math.max(max, depthOf(fragment.selectionSet, new Set([...seen, name])));
      }
      if (max > stopAbove) return max; // deep enough to refuse: stop walking
    }
    return max;
  };
  let deepest = 0;
  for (const d of document.definitions) if (d.kind === Kind.OPERATION_DEFINITION) deepest = Math.max(deepest, depthOf(d.selectionSet, new Set()));
  return deepest;
}
