import type { GraphQLPlanAuthRule, GraphQLPlanModel } from '@forte/protocol';
import { callerGroups, ownerCandidates } from './auth-rules.js';
import type { Caller } from './caller.js';
import type { ExpressionBuilder } from './expression-builder.js';

/**
 * The auth filter of a list under owner or dynamic group rules (AppSync's `authFilter`): only the
 * caller's items come back, as a filter, never as an error.
 */
export function authFilterText(b: ExpressionBuilder, caller: Caller, model: GraphQLPlanModel, rules: readonly GraphQLPlanAuthRule[]): string {
  const alternatives: string[] = [];
  const isList = (field: string): boolean => model.fields.find((f) => f.name === field)?.isList === true;
  for (const rule of rules) {
    const field = rule.strategy === 'owner' ? (rule.ownerField ?? 'owner') : rule.groupsField!;
    const values = rule.strategy === 'owner' ? ownerCandidates(caller, rule) : callerGroups(caller, rule);
    const path = b.name(field);
    for (const value of values) alternatives.push(isList(field) ? `contains(${path}, ${b.value(value)})` : `${path} = ${b.value(value)}`);
  }
  if (alternatives.length > 0) return `(${alternatives.join(' OR ')})`;
  // operationAccess only hands over rules the caller has a value for; should none reach here, nothing matches.
  const path = b.name(model.primaryKey.partitionField);
  return `(attribute_exists(${path}) AND attribute_not_exists(${path}))`;
}
