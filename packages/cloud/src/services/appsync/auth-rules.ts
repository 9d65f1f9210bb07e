import type { GraphQLAuthProvider, GraphQLModelOperation, GraphQLPlanAuthRule, GraphQLPlanModel } from '@forte/protocol';
import type { Caller } from './caller.js';

/** The `@auth` provider a caller's auth mode stands for. */
export const providerOf = (caller: Caller): GraphQLAuthProvider => caller.mode;

/** IAM admin credentials may do everything (AppSync's admin roles bypass `@auth`). */
export const isAdmin = (caller: Caller): boolean => caller.mode === 'iam' && caller.iamRole === 'admin';

const ALL_OPERATIONS: GraphQLModelOperation[] = ['create', 'update', 'delete', 'get', 'list', 'sync', 'listen', 'search'];

/** The model's rules; the sandbox's global rule (public API key) for a model without any. */
export function modelRules(model: GraphQLPlanModel): GraphQLPlanAuthRule[] {
  if (model.authRules.length === 0 && model.sandbox) return [{ strategy: 'public', provider: 'apiKey', operations: ALL_OPERATIONS }];
  return model.authRules;
}

/** Rules that decide without looking at an item: public, private and static groups. */
function staticallyAllows(caller: Caller, rule: GraphQLPlanAuthRule): boolean {
  if (rule.provider !== providerOf(caller)) return false;
  switch (rule.strategy) {
    case 'public':
      return rule.provider === 'apiKey' || (rule.provider === 'iam' && caller.iamRole === 'unauth');
    case 'private':
      return rule.provider === 'iam' ? caller.iamRole === 'auth' : true;
    case 'groups':
      return rule.groups !== undefined && rule.groupsField === undefined && callerGroups(caller, rule).some((g) => rule.groups!.includes(g));
    case 'custom':
      // The Lambda authorizer already decided: whoever it let in passes every custom rule.
      return caller.mode === 'function';
    case 'owner':
      return false;
  }
}

const isItemRule = (rule: GraphQLPlanAuthRule): boolean => rule.strategy === 'owner' || (rule.strategy === 'groups' && rule.groupsField !== undefined);

/** The caller's groups, read from the rule's group claim. */
export function callerGroups(caller: Caller, rule: GraphQLPlanAuthRule): string[] {
  const claim = rule.groupClaim ?? 'cognito:groups';
  if (claim === 'cognito:groups') return caller.groups;
  const value = caller.claims[claim];
  if (Array.isArray(value)) return value.filter((v): v is string => typeof v === 'string');
  return typeof value === 'string'
    ? value
        .split(',')
        .map((v) => v.trim())
        .filter(Boolean)
    : [];
}

/**
 * The values a stored owner may hold for this caller, as Amplify's VTL compares them: with
 * `sub::username`, the stored `<sub>::<username>`, or `sub`, or `username` alone.
 */
export function ownerCandidates(caller: Caller, rule: GraphQLPlanAuthRule): string[] {
  if (caller.mode !== 'userPools' && caller.mode !== 'oidc') return [];
  const claim = rule.identityClaim ?? 'sub::username';
  const username =
    caller.username ??
    (typeof caller.claims['cognito:username'] === 'string'
      ? caller.claims['cognito:username']
      : typeof caller.claims.username === 'string'
        ? caller.claims.username
        : undefined);
  if (claim === 'sub::username') {
    if (!caller.sub || !username) return [caller.sub, username].filter((v): v is string => v !== undefined);
    return [`${caller.sub}::${username}`, caller.sub, username];
  }
  if (claim === 'username' || claim === 'cognito:username') return username ? [username] : [];
  if (claim === 'sub') return caller.sub ? [caller.sub] : [];
  const value = caller.claims[claim];
  return typeof value === 'string' ? [value] : [];
}

/** What an owner rule writes into the owner field for this caller on create (`<sub>::<username>` by default). */
export function ownerValue(caller: Caller, rule: GraphQLPlanAuthRule): string | undefined {
  return ownerCandidates(caller, rule)[0];
}

const asList = (value: unknown): string[] =>
  Array.isArray(value) ? value.filter((v): v is string => typeof v === 'string') : typeof value === 'string' ? [value] : [];

/** Whether an owner or dynamic group rule lets the caller at this item. */
export function itemRuleAllows(caller: Caller, rule: GraphQLPlanAuthRule, item: Record<string, unknown>): boolean {
  if (rule.provider !== providerOf(caller)) return false;
  if (rule.strategy === 'owner') {
    const candidates = ownerCandidates(caller, rule);
    return asList(item[rule.ownerField ?? 'owner']).some((o) => candidates.includes(o));
  }
  if (rule.strategy === 'groups' && rule.groupsField !== undefined) {
    const groups = callerGroups(caller, rule);
    return asList(item[rule.groupsField]).some((g) => groups.includes(g));
  }
  return false;
}

/** How an operation is allowed: for every item, only for items some rules accept, or not at all. */
export type OperationAccess = { kind: 'all' } | { kind: 'items'; rules: GraphQLPlanAuthRule[] } | { kind: 'none' };

/**
 * Decides an operation from the rules alone (before any item is known), never refusing by throwing: rules
 * of the `custom` strategy (AWS_LAMBDA) admit every caller the API's Lambda authorizer let in. For
 * field-level rules, per-item checks and subscriptions, where a refusal is all there is to say; an
 * operation's resolver uses `operationAccess`.
 */
export function accessByRules(caller: Caller, rules: readonly GraphQLPlanAuthRule[], operation: GraphQLModelOperation): OperationAccess {
  if (isAdmin(caller)) return { kind: 'all' };
  const applicable = rules.filter((r) => r.operations.includes(operation));
  if (applicable.some((r) => staticallyAllows(caller, r))) return { kind: 'all' };
  // Amplify builds an owner / dynamic group filter only from rules the caller has a value for (an identity
  // claim, at least one group); with none, the operation is unauthorized rather than an empty answer.
  const itemRules = applicable.filter(
    (r) => isItemRule(r) && r.provider === providerOf(caller) && (r.strategy === 'owner' ? ownerCandidates(caller, r) : callerGroups(caller, r)).length > 0,
  );
  if (itemRules.length > 0) return { kind: 'items', rules: itemRules };
  return { kind: 'none' };
}

/** `accessByRules` for an operation's resolver (the resolvers call it so; refusals are theirs to word). */
export function operationAccess(caller: Caller, rules: readonly GraphQLPlanAuthRule[], operation: GraphQLModelOperation): OperationAccess {
  return accessByRules(caller, rules, operation);
}

/** Whether `rules` let the caller do `operation` on `item`. */
export function itemRulesAllow(
  caller: Caller,
  rules: readonly GraphQLPlanAuthRule[],
  item: Record<string, unknown>,
  operation: GraphQLModelOperation,
): boolean {
  const access = accessByRules(caller, rules, operation);
  if (access.kind === 'all') return true;
  if (access.kind === 'none') return false;
  return access.rules.some((r) => itemRuleAllows(caller, r, item));
}

/** Field-level rules: whether the caller may do `operation` on `field` of `item` (fields without rules: yes). */
export function fieldRulesAllow(
  caller: Caller,
  model: GraphQLPlanModel,
  field: string,
  item: Record<string, unknown>,
  operation: GraphQLModelOperation,
): boolean {
  const rules = model.fieldAuthRules[field];
  return rules ? itemRulesAllow(caller, rules, item, operation) : true;
}
