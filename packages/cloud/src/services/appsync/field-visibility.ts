import type { GraphQLPlanAuthRule, GraphQLPlanModel } from '@forte/protocol';
import { authFilterText } from './auth-filter.js';
import { accessByRules, itemRuleAllows, type OperationAccess } from './auth-rules.js';
import type { Caller } from './caller.js';
import type { ExpressionBuilder } from './expression-builder.js';
import { AppSyncFieldError } from './field-error.js';

/**
 * The refusal of fields the caller may not use, worded as Amplify's field-level auth refuses mutation input
 * fields (`$util.error("Unauthorized on ${deniedFields}", "Unauthorized")`, a list printed `[a, b]`).
 */
export const unauthorizedOn = (fields: readonly string[]): AppSyncFieldError => new AppSyncFieldError('Unauthorized', `Unauthorized on [${fields.join(', ')}]`);

/**
 * Whether the caller may read `field` on every item, only on the items some owner or dynamic group rules
 * accept, or never: the decision of the field's resolver, made before any item is known. Fields without
 * field-level rules are read on every item the model's rules let through.
 */
export function fieldReadAccess(caller: Caller, model: GraphQLPlanModel, field: string): OperationAccess {
  const rules = model.fieldAuthRules[field];
  if (!rules) return { kind: 'all' };
  return accessByRules(caller, rules, 'get');
}

/** The fields a filter or condition names, at any depth of `and` / `or` / `not` (entries set to null name nothing). */
export function filterFields(filter: unknown, into: Set<string> = new Set()): Set<string> {
  if (typeof filter !== 'object' || filter === null) return into;
  for (const [key, value] of Object.entries(filter as Record<string, unknown>)) {
    if (value === undefined || value === null) continue;
    if (key === 'and' || key === 'or') for (const part of Array.isArray(value) ? value : [value]) filterFields(part, into);
    else if (key === 'not') filterFields(value, into);
    else into.add(key);
  }
  return into;
}

/**
 * Says, for each field a filter, condition or key uses, under which condition an item lets the caller read
 * it: `undefined` on every item, else DynamoDB condition text (the field-level owner / group rules as an
 * auth filter) built with the expression's own placeholders.
 */
export type ReadableWhen = (field: string) => string | undefined;

/** For conditions the caller cannot use to learn anything: the service's own, or those that only ever meet a missing item. */
export const EVERY_ITEM: ReadableWhen = () => undefined;

export interface FieldUse {
  caller: Caller;
  model: GraphQLPlanModel;
  /** The fields used: named in a filter or condition, or keys that order the answer. */
  fields: Iterable<string>;
  /** The one item the use is about (a conditional update or delete): fields it does not let the caller read are refused. */
  item?: Record<string, unknown>;
}

/**
 * The one gate between a caller's filter, condition or key condition and the table: a field the caller may
 * never read is refused (`Unauthorized on [field]`, before anything is read or written), as its values would
 * otherwise be learned from which items match, how many, or whether a write's condition held. A field
 * readable on some items only (a field-level owner or dynamic group rule) is allowed, and `readableWhen`
 * then confines each of its conditions to the items that let the caller read it, so items whose value is
 * hidden answer the same whatever that value is.
 */
export function checkFieldUse(use: FieldUse): (b: ExpressionBuilder) => ReadableWhen {
  const refused: string[] = [];
  const perItem = new Map<string, readonly GraphQLPlanAuthRule[]>();
  for (const field of new Set(use.fields)) {
    const access = fieldReadAccess(use.caller, use.model, field);
    if (access.kind === 'all') continue;
    if (access.kind === 'none' || (use.item && !access.rules.some((r) => itemRuleAllows(use.caller, r, use.item!)))) refused.push(field);
    else perItem.set(field, access.rules);
  }
  if (refused.length > 0) throw unauthorizedOn(refused);
  return (b) => (field) => {
    const rules = perItem.get(field);
    return rules ? authFilterText(b, use.caller, use.model, rules) : undefined;
  };
}
