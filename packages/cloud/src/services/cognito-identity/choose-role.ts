import { ServiceError } from '../../kernel/types.js';
import type { StoredIdentityPool } from './identity-store.js';
import type { VerifiedLogin } from './verify-logins.js';

/**
 * The role credentials are issued for: the unauthenticated role for guests; for a signed-in user a
 * `CustomRoleArn` the token lists in `cognito:roles`, else the token's `cognito:preferred_role` (the
 * role of the user's highest-precedence group, as the user pool puts it in the ID token), else the
 * pool's authenticated role.
 */
export function chooseRole(pool: StoredIdentityPool, logins: readonly VerifiedLogin[], customRoleArn: string | undefined): string {
  const first = logins[0];
  if (!first) {
    if (!pool.unauthenticatedRole) {
      throw new ServiceError('InvalidIdentityPoolConfigurationException', `Identity pool ${pool.poolId} has no unauthenticated role: set Roles.unauthenticated to give guests credentials.`, 400);
    }
    return pool.unauthenticatedRole;
  }
  const claims = first.token.claims;
  const allowed = Array.isArray(claims['cognito:roles']) ? claims['cognito:roles'].filter((r): r is string => typeof r === 'string') : [];
  if (customRoleArn !== undefined) {
    if (customRoleArn === pool.authenticatedRole || allowed.includes(customRoleArn)) return customRoleArn;
    throw new ServiceError('NotAuthorizedException', `CustomRoleArn ${customRoleArn} is not a role this user may assume: it must be the pool's authenticated role or listed in the token's cognito:roles.`, 400);
  }
  const preferred = claims['cognito:preferred_role'];
  return typeof preferred === 'string' && preferred !== '' ? preferred : pool.authenticatedRole;
}
