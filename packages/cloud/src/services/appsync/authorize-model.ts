import type { GraphQLPlanModel } from '@forte/protocol';
import type { Caller } from './caller.js';
import { fieldRulesAllow, itemRulesAllow, modelRules } from './auth-rules.js';

/**
 * Whether `caller` may read `item` of `model` through `operation` (`get` for queries and mutation results,
 * `listen` for subscriptions): the model's rules for that operation, including owner and dynamic group
 * rules checked against the item (custom rules admit the callers the Lambda authorizer let in).
 */
export function canReadItem(caller: Caller, model: GraphQLPlanModel, item: Record<string, unknown>, operation: 'listen' | 'get'): boolean {
  return itemRulesAllow(caller, modelRules(model), item, operation);
}

/** Fields of `item` that `caller` may not read (field-level `@auth`): they are answered null with an error. */
export function unreadableFields(caller: Caller, model: GraphQLPlanModel, item: Record<string, unknown>): string[] {
  return Object.keys(model.fieldAuthRules).filter((field) => !fieldRulesAllow(caller, model, field, item, 'get'));
}
