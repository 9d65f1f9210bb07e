import type { GraphQLPlanAuthRule, GraphQLPlanModel } from '@forte/protocol';
import { callerGroups, ownerCandidates } from './auth-rules.js';
import type { Caller } from './caller.js';
import type { ExpressionBuilder } from './expression-builder.js';

/** An equality every item read is known to meet: a key query's partition (`field` holds the string `value`). */
export interface KnownEquality {
  field: string;
  value: string;
}

/**
 * The auth filter of a list under owner or dynamic group rules (AppSync's `authFilter`): only the
 * caller's items come back, as a filter, never as an error.
 *
 * With `known` (the partition of a key query: every item read holds that string in that field), an
 * alternative that compares the same single-valued field with the same value holds for every item read, and
 * so does the whole filter: the answer is then undefined (no filter), and the items are not evaluated one by
 * one for what the key condition already decided (listing "my items" through an index on the owner).
 */
export function authFilterText(
  b: ExpressionBuilder,
  caller: Caller,
  model: GraphQLPlanModel,
  rules: readonly GraphQLPlanAuthRule[],
  known?: KnownEquality,
): string | undefined {
  const alternatives: string[] = [];
  const isList = (field: string): boolean => model.fields.find((f) => f.name === field)?.isList === true;
  for (const rule of rules) {
    const field = rule.strategy === 'owner' ? (rule.ownerField ?? 'owner') : rule.groupsField!;
    const values = rule.strategy === 'owner' ? ownerCandidates(caller, rule) : callerGroups(caller, rule);
    const list = isList(field);
    if (known && !list && known.field === field && values.includes(known.value)) return undefined;
    const path = b.name(field);
    for (const value of values) alternatives.push(list ? `contains(${path}, ${b.value(value)})` : `${path} = ${b.value(value)}`);
  }
  if (alternatives.length > 0) return `(${alternatives.join(' OR ')})`;
  // operationAccess only hands over rules the caller has a value for; should none reach here, nothing matches.
  const path = b.name(model.primaryKey.partitionField);
  return `(attribute_exists(${path}) AND attribute_not_exists(${path}))`;
}
