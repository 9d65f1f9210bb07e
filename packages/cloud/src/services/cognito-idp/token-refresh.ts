import { cognitoError } from './cognito-error.js';
import { issuerOf, type CognitoState } from './cognito-state.js';
import type { StoredClient, StoredPool } from './pool-store.js';
import { issueTokens, type IssuedTokens } from './tokens.js';
import { runTokenTriggers } from './trigger-steps.js';

/**
 * New ID and access tokens for a live refresh token of this client (REFRESH_TOKEN_AUTH,
 * GetTokensFromRefreshToken, the token endpoint's `refresh_token` grant), with the scopes its sign-in was
 * granted. `proveSecret` checks the client's secret once the user is known (SECRET_HASH names them).
 */
export async function refreshTokens(
  state: CognitoState,
  client: StoredClient,
  pool: StoredPool,
  token: string,
  proveSecret: (username: string) => void,
  clientMetadata: Record<string, string> | undefined,
): Promise<{ tokens: IssuedTokens; scopes: string[] | undefined }> {
  const entry = await state.users.getRefreshToken(token);
  if (!entry || entry.clientId !== client.id || entry.revoked || entry.expiresAt < Date.now())
    throw cognitoError('NotAuthorizedException', 'Invalid Refresh Token');
  const user = await state.users.get(pool.id, entry.username);
  if (!user) throw cognitoError('NotAuthorizedException', 'Invalid Refresh Token');
  proveSecret(user.username);
  if (!user.enabled) throw cognitoError('NotAuthorizedException', 'User is disabled.');
  const { groups, roles: groupRoles } = await state.users.groupsAndRolesOf(pool.id, user.username);
  const overrides = pool.config.LambdaConfig
    ? await runTokenTriggers(state, pool, user, { clientId: client.id, source: 'TokenGeneration_RefreshTokens', groups, roles: groupRoles, clientMetadata })
    : undefined;
  const scopes = entry.scope?.split(' ');
  const tokens = await issueTokens({
    keys: state.keys,
    issuer: issuerOf(state, pool.id),
    clientId: client.id,
    pool,
    client,
    user,
    groups,
    groupRoles,
    originJti: entry.originJti,
    authTime: entry.authTime,
    accessTokenSeconds: client.accessTokenSeconds,
    idTokenSeconds: client.idTokenSeconds,
    overrides,
    scopes,
  });
  return { tokens, scopes };
}

/** refreshTokens answered as the user pools API does (InitiateAuth, GetTokensFromRefreshToken). */
export async function refreshSignIn(...args: Parameters<typeof refreshTokens>): Promise<Record<string, unknown>> {
  const { tokens } = await refreshTokens(...args);
  return { AuthenticationResult: tokens, ChallengeParameters: {} };
}
