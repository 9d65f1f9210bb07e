import { evaluateConditions, globMatch, type ConditionContext } from './iam-conditions.js';
import { JSON_API_ERRORS, S3_KERNEL_ERRORS } from './api-errors.js';
import type { DenyCode, PolicyDocument, PolicyStatement, Principal, RoleTrustRequest, TrustPolicySource } from './types.js';

/** A role's name: the last part of its ARN (`arn:aws:iam::<account>:role/<path/>name`). */
export const roleNameOf = (roleArn: string): string => roleArn.slice(roleArn.lastIndexOf('/') + 1);

export type PolicySource = (principal: Principal) => Promise<PolicyDocument[]>;

/** Values of the policy variables a principal provides (`${cognito-identity.amazonaws.com:sub}`, `${aws:userid}`). */
export function policyVariables(principal: Principal): Record<string, string> {
  if (principal.kind !== 'role') return {};
  const vars: Record<string, string> = { 'aws:userid': principal.identityId ?? principal.accessKeyId };
  if (principal.identityId !== undefined) vars['cognito-identity.amazonaws.com:sub'] = principal.identityId;
  if (principal.identityPoolId !== undefined) vars['cognito-identity.amazonaws.com:aud'] = principal.identityPoolId;
  return vars;
}

/**
 * The condition keys a principal brings to every request: `aws:userid`, and for identity pool credentials
 * `cognito-identity.amazonaws.com:sub` (identity id), `:aud` (identity pool id) and `:amr` (multivalued:
 * `authenticated` plus the login provider, or `unauthenticated`).
 */
export function conditionContext(principal: Principal): ConditionContext {
  const context: Record<string, string | readonly string[]> = { ...policyVariables(principal) };
  if (principal.kind === 'role' && principal.amr !== undefined) context['cognito-identity.amazonaws.com:amr'] = principal.amr;
  return context;
}

/** What a policy is evaluated for: the action, the resource, policy variables and condition keys. */
export interface PolicyRequest {
  action: string;
  resource: string;
  variables: Record<string, string>;
  /** Condition keys of the request; the variables are condition keys too. */
  context?: ConditionContext;
}

/**
 * IAM evaluation logic, subset: an explicit Deny wins, else any Allow, else the implicit deny.
 * Actions match case-insensitively (as IAM); resources case-sensitively. `*` and `?` are wildcards.
 * Conditions are evaluated (iam-conditions.ts); a condition with an operator Forte does not evaluate
 * makes an Allow grant nothing and a Deny apply.
 */
export function evaluatePolicies(documents: readonly PolicyDocument[], request: PolicyRequest): 'allow' | 'deny' {
  let allowed = false;
  const context = { ...request.variables, ...request.context };
  for (const document of documents) {
    for (const statement of document.Statement) {
      if (!statementMatches(statement, request)) continue;
      const holds = statement.Condition === undefined ? true : evaluateConditions(statement.Condition, context, request.variables);
      if (statement.Effect === 'Deny' && holds !== false) return 'deny';
      if (statement.Effect === 'Allow' && holds === true) allowed = true;
    }
  }
  return allowed ? 'allow' : 'deny';
}

/** Action and resource of a statement against the request (its conditions aside). */
function statementMatches(statement: PolicyStatement, request: PolicyRequest): boolean {
  const actions = Array.isArray(statement.Action) ? statement.Action : [statement.Action];
  const resources = Array.isArray(statement.Resource) ? statement.Resource : [statement.Resource];
  const actionMatches = actions.some((pattern) => wildcardMatch(pattern.toLowerCase(), request.action.toLowerCase()));
  if (!actionMatches) return false;
  return resources.some((pattern) => {
    const resolved = substituteVariables(pattern, request.variables);
    return resolved !== undefined && wildcardMatch(resolved, request.resource);
  });
}

/**
 * Replaces `${name}` with its value, escaped so a value is never a wildcard. `${*}`, `${?}`, `${$}` are
 * the literal characters. Answers undefined when a variable is unknown: the statement then does not apply.
 */
export function substituteVariables(pattern: string, variables: Record<string, string>): string | undefined {
  let unresolved = false;
  const out = pattern.replace(/\$\{([^}]*)\}/g, (_whole, name: string) => {
    if (name === '*' || name === '?' || name === '$') return `\\${name}`;
    const value = Object.hasOwn(variables, name) ? variables[name] : undefined;
    if (value === undefined) {
      unresolved = true;
      return '';
    }
    return value.replace(/[*?\\]/g, (c) => `\\${c}`);
  });
  return unresolved ? undefined : out;
}

/** Glob match: `*` any run of characters, `?` one character, `\x` the literal x. Whole string. */
export const wildcardMatch = globMatch;

/** The kernel's `authorize`: admin may do anything, anonymous nothing, roles what their policies allow. */
export function createAuthorizer(sources: readonly PolicySource[]) {
  return async (principal: Principal, action: string, resource: string, denyCode: DenyCode = 'AccessDenied', context?: ConditionContext): Promise<void> => {
    if (principal.kind === 'admin') return;
    if (principal.kind === 'role') {
      const documents = (await Promise.all(sources.map((source) => source(principal)))).flat();
      // The principal's own keys win: a request cannot pass itself off as another identity.
      const keys = { ...context, ...conditionContext(principal) };
      if (evaluatePolicies(documents, { action, resource, variables: policyVariables(principal), context: keys }) === 'allow') return;
    }
    const who = principal.kind === 'anonymous' ? 'Anonymous callers are' : `${principal.roleArn} is`;
    const message = `${who} not authorized to perform ${action} on ${resource}.`;
    throw denyCode === 'AccessDenied' ? S3_KERNEL_ERRORS.error(denyCode, message) : JSON_API_ERRORS.error(denyCode, message);
  };
}

/**
 * Evaluates a role's trust policy for a federated principal or an AWS service: an Allow statement must
 * name the principal (`"Principal": "*"`, `{"Federated": ...}` or `{"Service": ...}`), match the action,
 * and have its conditions hold; an explicit Deny that matches wins. Answers the reason of a refusal, or
 * undefined when the role may be assumed.
 */
export function evaluateTrust(document: PolicyDocument | undefined, request: RoleTrustRequest): string | undefined {
  if (!document) return `role ${request.roleArn} has no trust policy (AssumeRolePolicyDocument)`;
  const federated = 'federatedPrincipal' in request;
  const kind = federated ? 'Federated' : 'Service';
  const who = federated ? request.federatedPrincipal : request.servicePrincipal;
  const action = request.action ?? 'sts:AssumeRole';
  const context = request.context ?? {};
  const variables = Object.fromEntries(Object.entries(context).filter((e): e is [string, string] => typeof e[1] === 'string'));
  let allowed = false;
  for (const statement of document.Statement) {
    if (!namesPrincipal(statement, kind, who)) continue;
    const actions = Array.isArray(statement.Action) ? statement.Action : [statement.Action];
    if (!actions.some((pattern) => wildcardMatch(pattern.toLowerCase(), action.toLowerCase()))) continue;
    const holds = statement.Condition === undefined ? true : evaluateConditions(statement.Condition, context, variables);
    if (statement.Effect === 'Deny' && holds !== false) return `the trust policy of role ${request.roleArn} denies ${who}`;
    if (statement.Effect === 'Allow' && holds === true) allowed = true;
  }
  if (allowed) return undefined;
  // Forte kept no Principal of a trust policy before trust policies were evaluated: such a role cannot be
  // assumed until it is deployed again, which keeps the whole policy.
  if (document.Statement.length > 0 && document.Statement.every((s) => s.Principal === undefined)) {
    return `the trust policy of role ${request.roleArn} names no principal (it was stored by an earlier Forte, which dropped them): deploy the environment again with \`forte push --force\``;
  }
  return federated
    ? `the trust policy of role ${request.roleArn} does not allow ${who} to ${action} for this identity pool and identity`
    : `the trust policy of role ${request.roleArn} does not allow the service ${who} to ${action} (its AssumeRolePolicyDocument must name {"Service": "${who}"})`;
}

function namesPrincipal(statement: PolicyStatement, kind: 'Federated' | 'Service', name: string): boolean {
  const principal = statement.Principal;
  if (principal === '*') return true;
  if (principal === undefined) return false;
  const names = principal[kind];
  if (names === undefined) return false;
  // No wildcard here: IAM accepts `"Principal": "*"` for everyone, but a Federated or Service principal is named exactly.
  return (Array.isArray(names) ? names : [names]).includes(name);
}

/** The kernel's `checkRoleTrust`: the first source that owns the role answers its trust policy. */
export function createTrustChecker(sources: readonly TrustPolicySource[]) {
  return async (request: RoleTrustRequest): Promise<string | undefined> => {
    for (const source of sources) {
      const found = await source(request.roleArn);
      if (found) return evaluateTrust(found.document, request);
    }
    return `role ${request.roleArn} does not exist`;
  };
}
