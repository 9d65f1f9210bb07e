import { valueFromASTUntyped, type GraphQLField } from 'graphql';
import type { AppSyncAuthenticationType, AppSyncAuthProvider, GraphQLPlanModel } from '@forte/protocol';
import { accessByRules, isAdmin, modelRules, ownerCandidates, providerOf } from './auth-rules.js';
import type { Caller } from './caller.js';

const DIRECTIVE_OF_MODE: Record<Caller['mode'], string> = {
  apiKey: 'aws_api_key',
  userPools: 'aws_cognito_user_pools',
  oidc: 'aws_oidc',
  iam: 'aws_iam',
  function: 'aws_lambda',
};
const MODE_OF_TYPE: Partial<Record<AppSyncAuthenticationType, Caller['mode']>> = {
  API_KEY: 'apiKey',
  AMAZON_COGNITO_USER_POOLS: 'userPools',
  OPENID_CONNECT: 'oidc',
  AWS_IAM: 'iam',
  AWS_LAMBDA: 'function',
};
const AUTH_DIRECTIVES = new Set(['aws_api_key', 'aws_cognito_user_pools', 'aws_oidc', 'aws_iam', 'aws_lambda', 'aws_auth']);

const stringList = (value: unknown): string[] => (Array.isArray(value) ? value : [value]).filter((v): v is string => typeof v === 'string');

/**
 * AppSync's type-level check of a Subscription field: its `@aws_*` directives name the auth modes that may
 * use it (a field without any is open to the API's default mode only); `cognito_groups` on
 * `@aws_cognito_user_pools` / `@aws_auth` also needs one of those groups. Admin IAM keys may use any field.
 */
export function fieldAllowsCaller(field: GraphQLField<unknown, unknown>, caller: Caller, authProviders: readonly AppSyncAuthProvider[]): boolean {
  if (isAdmin(caller)) return true;
  const directives = (field.astNode?.directives ?? []).filter((d) => AUTH_DIRECTIVES.has(d.name.value));
  if (directives.length === 0) {
    const defaultType = authProviders[0]?.AuthenticationType;
    return defaultType !== undefined && MODE_OF_TYPE[defaultType] === caller.mode;
  }
  const wanted = DIRECTIVE_OF_MODE[caller.mode];
  return directives.some((d) => {
    const name = d.name.value === 'aws_auth' ? 'aws_cognito_user_pools' : d.name.value;
    if (name !== wanted) return false;
    const groupsArgument = d.arguments?.find((a) => a.name.value === 'cognito_groups');
    if (!groupsArgument) return true;
    const groups = stringList(valueFromASTUntyped(groupsArgument.value));
    return groups.some((g) => caller.groups.includes(g));
  });
}

/**
 * Whether any of the model's rules lets the caller's auth mode listen at all (owner and dynamic group
 * rules are then checked per item). Sandbox models with no rules are public to API keys; models with
 * neither rules nor sandbox are for admin IAM keys only.
 */
export function modelMayListen(model: GraphQLPlanModel, caller: Caller): boolean {
  if (model.operations.subscriptionLevel === 'public') return true;
  // The same decision as any other operation: static rules (a public iam rule admits the guest role only),
  // or owner / dynamic group rules the caller has a value for, checked per event.
  return accessByRules(caller, modelRules(model), 'listen').kind !== 'none';
}

/**
 * Amplify's check of a subscription's owner arguments (`onCreateTodo(owner: …)`, named after each owner
 * rule's field): a caller whom no static rule (public, private, a static group) lets read every item may
 * only name themselves, by any of the values the rule stores for them (`<sub>::<username>`, sub or
 * username by default). Arguments left out are fine: each event is then checked against its item.
 */
export function ownerArgumentsAllowCaller(model: GraphQLPlanModel, caller: Caller, args: Record<string, unknown>): boolean {
  if (model.operations.subscriptionLevel === 'public') return true;
  const rules = modelRules(model);
  if (accessByRules(caller, rules, 'listen').kind === 'all') return true;
  const ownerRules = rules.filter((r) => r.strategy === 'owner' && r.operations.includes('listen'));
  const ownerFields = new Set(ownerRules.map((r) => r.ownerField ?? 'owner'));
  return [...ownerFields].every((field) => {
    const named = args[field];
    if (named === undefined || named === null) return true;
    return ownerRules.some(
      (r) => (r.ownerField ?? 'owner') === field && r.provider === providerOf(caller) && ownerCandidates(caller, r).includes(named as string),
    );
  });
}
