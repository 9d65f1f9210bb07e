import type { GraphQLResolveInfo, SelectionSetNode } from 'graphql';
import { AppSyncFieldError } from './field-error.js';

/**
 * The names of the fields selected directly under the field being resolved, through fragments and inline
 * fragments alike: what AppSync keeps of a value it answers outside the field resolvers (a conflict's
 * server item in errors[].data).
 */
export function selectedFieldNames(info: Pick<GraphQLResolveInfo, 'fieldNodes' | 'fragments'>): Set<string> {
  const names = new Set<string>();
  const seen = new Set<string>();
  const visit = (set: SelectionSetNode | undefined): void => {
    for (const selection of set?.selections ?? []) {
      if (selection.kind === 'Field') names.add(selection.name.value);
      else if (selection.kind === 'InlineFragment') visit(selection.selectionSet);
      else if (!seen.has(selection.name.value)) {
        seen.add(selection.name.value);
        visit(info.fragments[selection.name.value]?.selectionSet);
      }
    }
  };
  for (const node of info.fieldNodes) visit(node.selectionSet);
  return names;
}

/**
 * A conflict's server item cut to the fields the mutation selected, a selected field the item lacks being
 * null as in any answer (except the fields `hidden` names, which stay out); any other error as it is.
 */
export function withSelectedData(
  error: unknown,
  info: Pick<GraphQLResolveInfo, 'fieldNodes' | 'fragments'>,
  hidden: (item: Record<string, unknown>) => readonly string[],
): unknown {
  if (!(error instanceof AppSyncFieldError) || error.errorType !== 'ConflictUnhandled' || typeof error.data !== 'object' || error.data === null) return error;
  const item = error.data as Record<string, unknown>;
  const left = new Set(hidden(item));
  const data: Record<string, unknown> = {};
  for (const name of selectedFieldNames(info)) if (!left.has(name)) data[name] = item[name] ?? null;
  return new AppSyncFieldError(error.errorType, error.message, { cause: error, data });
}
