import type { ForteError, IdentityPoolMappingRule, IdentityPoolRoleMapping } from '@forte/protocol';
import type { StoredIdentityPool } from './identity-store.js';
import type { VerifiedLogin } from './verify-logins.js';
import { COGNITO_IDENTITY_ERRORS } from './identity-errors.js';

const notAuthorized = (message: string): ForteError => COGNITO_IDENTITY_ERRORS.error('NotAuthorizedException', message);

/**
 * The role credentials are issued for, by the identity pool's rules (as Cognito):
 * - guests: the unauthenticated role;
 * - a signed-in user whose login provider (`<userPoolProvider>:<clientId>`) has no role mapping: the
 *   authenticated role. The token's `cognito:preferred_role` / `cognito:roles` are ignored then;
 * - `Type: Token`: the token's `cognito:preferred_role` (the user pool sets it from the user's groups
 *   only), or with `CustomRoleArn` one of the token's `cognito:roles`;
 * - `Type: Rules`: the first rule whose claim matches;
 * - nothing chosen: `AmbiguousRoleResolution` (`AuthenticatedRole`, or `Deny`: refused).
 * `CustomRoleArn` is accepted only when it is the role these rules choose or, with a Token mapping, one of
 * the token's roles. The role chosen must still trust the pool (checked by the caller).
 */
export function chooseRole(pool: StoredIdentityPool, logins: readonly VerifiedLogin[], customRoleArn: string | undefined): string {
  const first = logins[0];
  if (!first) {
    if (!pool.unauthenticatedRole) {
      throw COGNITO_IDENTITY_ERRORS.error(
        'InvalidIdentityPoolConfigurationException',
        `Identity pool ${pool.poolId} has no unauthenticated role: set Roles.unauthenticated to give guests credentials.`,
      );
    }
    if (customRoleArn !== undefined && customRoleArn !== pool.unauthenticatedRole)
      throw notAuthorized(`CustomRoleArn ${customRoleArn} is not a role guests of this identity pool may assume.`);
    return pool.unauthenticatedRole;
  }
  const claims = first.token.claims;
  const mapping = mappingFor(pool, first);
  const chosen = mapping ? mappedRole(mapping, claims) : pool.authenticatedRole;
  if (customRoleArn !== undefined) {
    const tokenRoles = mapping?.Type === 'Token' ? stringList(claims['cognito:roles']) : [];
    if (customRoleArn === chosen || tokenRoles.includes(customRoleArn)) return customRoleArn;
    throw notAuthorized(
      `CustomRoleArn ${customRoleArn} is not a role this user may assume: with a Token role mapping it must be one of the token's cognito:roles (the roles of the user's groups).`,
    );
  }
  if (chosen !== undefined) return chosen;
  if (mapping?.AmbiguousRoleResolution === 'Deny') {
    // Cognito's words, then which setting decided it.
    throw notAuthorized(`The ambiguous role mapping rules for: ${first.provider} denied this request (no role matched and AmbiguousRoleResolution is Deny).`);
  }
  return pool.authenticatedRole;
}

/** The pool's mapping for the login's provider and app client (the token's `aud`), if any. */
function mappingFor(pool: StoredIdentityPool, login: VerifiedLogin): IdentityPoolRoleMapping | undefined {
  const audiences = stringList(login.token.claims.aud);
  for (const clientId of audiences) {
    const key = `${login.provider}:${clientId}`;
    if (Object.hasOwn(pool.roleMappings, key)) return pool.roleMappings[key];
  }
  return undefined;
}

/** The role a mapping gives, or undefined when it gives none (ambiguous). */
function mappedRole(mapping: IdentityPoolRoleMapping, claims: Record<string, unknown>): string | undefined {
  if (mapping.Type === 'Token') {
    const preferred = claims['cognito:preferred_role'];
    return typeof preferred === 'string' && preferred !== '' ? preferred : undefined;
  }
  return (mapping.RulesConfiguration?.Rules ?? []).find((rule) => ruleMatches(rule, claims[rule.Claim]))?.RoleARN;
}

/**
 * A rule against a claim's value. A list claim (`cognito:groups`) matches `Equals`, `Contains` and
 * `StartsWith` when one of its values does, and `NotEqual` when none equals the value. A missing claim
 * matches nothing, not even `NotEqual`.
 */
export function ruleMatches(rule: IdentityPoolMappingRule, claim: unknown): boolean {
  const values = Array.isArray(claim) ? claim.map(scalar) : claim === undefined || claim === null ? [] : [scalar(claim)];
  const present = values.filter((v): v is string => v !== undefined);
  if (present.length === 0) return false;
  switch (rule.MatchType) {
    case 'Equals':
      return present.some((v) => v === rule.Value);
    case 'Contains':
      return present.some((v) => v.includes(rule.Value));
    case 'StartsWith':
      return present.some((v) => v.startsWith(rule.Value));
    case 'NotEqual':
      return present.every((v) => v !== rule.Value);
  }
}

function scalar(value: unknown): string | undefined {
  return typeof value === 'string' || typeof value === 'number' || typeof value === 'boolean' ? String(value) : undefined;
}

function stringList(value: unknown): string[] {
  if (typeof value === 'string') return [value];
  return Array.isArray(value) ? value.filter((v): v is string => typeof v === 'string') : [];
}
