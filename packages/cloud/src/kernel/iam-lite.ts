import { ServiceError, type PolicyDocument, type PolicyStatement, type Principal } from './types.js';

export type PolicySource = (principal: Principal) => Promise<PolicyDocument[]>;

/** Values of the policy variables a principal provides (`${cognito-identity.amazonaws.com:sub}`, `${aws:userid}`). */
export function policyVariables(principal: Principal): Record<string, string> {
  if (principal.kind !== 'role') return {};
  const vars: Record<string, string> = { 'aws:userid': principal.identityId ?? principal.accessKeyId };
  if (principal.identityId !== undefined) vars['cognito-identity.amazonaws.com:sub'] = principal.identityId;
  return vars;
}

/**
 * IAM evaluation logic, subset: an explicit Deny wins, else any Allow, else the implicit deny.
 * Actions match case-insensitively (as IAM); resources case-sensitively. `*` and `?` are wildcards.
 */
export function evaluatePolicies(
  documents: readonly PolicyDocument[],
  request: { action: string; resource: string; variables: Record<string, string> },
): 'allow' | 'deny' {
  let allowed = false;
  for (const document of documents) {
    for (const statement of document.Statement) {
      const applies = statementMatches(statement, request);
      if (statement.Effect === 'Deny' && (applies || (statement.Condition !== undefined && statementMatches({ ...statement, Condition: undefined }, request)))) {
        return 'deny';
      }
      if (statement.Effect === 'Allow' && applies) allowed = true;
    }
  }
  return allowed ? 'allow' : 'deny';
}

function statementMatches(statement: PolicyStatement, request: { action: string; resource: string; variables: Record<string, string> }): boolean {
  // Conditions are not evaluated, so a conditional Allow must not grant anything.
  if (statement.Condition !== undefined) return false;
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
export function wildcardMatch(pattern: string, value: string): boolean {
  let source = '';
  for (let i = 0; i < pattern.length; i++) {
    const c = pattern[i]!;
    if (c === '\\' && i + 1 < pattern.length) source += escapeRegExp(pattern[++i]!);
    else if (c === '*') source += '.*';
    else if (c === '?') source += '.';
    else source += escapeRegExp(c);
  }
  return new RegExp(`^${source}$`, 'su').test(value);
}

function escapeRegExp(c: string): string {
  return c.replace(/[.*+?^${}()|[\]\\/]/g, '\\$&');
}

/** The kernel's `authorize`: admin may do anything, anonymous nothing, roles what their policies allow. */
export function createAuthorizer(sources: readonly PolicySource[]) {
  return async (principal: Principal, action: string, resource: string, denyCode?: string): Promise<void> => {
    if (principal.kind === 'admin') return;
    if (principal.kind === 'role') {
      const documents = (await Promise.all(sources.map((source) => source(principal)))).flat();
      if (evaluatePolicies(documents, { action, resource, variables: policyVariables(principal) }) === 'allow') return;
    }
    const who = principal.kind === 'anonymous' ? 'Anonymous callers are' : `${principal.roleArn} is`;
    throw new ServiceError(denyCode ?? 'AccessDenied', `${who} not authorized to perform ${action} on ${resource}.`, 403);
  };
}
