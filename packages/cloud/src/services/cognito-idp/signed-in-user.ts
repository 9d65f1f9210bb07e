import { randomUUID } from 'node:crypto';
import { cognitoError, invalidParameter } from './cognito-error.js';
import { issuerOf, type CognitoState } from './cognito-state.js';
import type { StoredClient, StoredPool } from './pool-store.js';
import { ACCESS_SCOPE, issueTokens, verifyToken } from './tokens.js';
import type { StoredUser } from './user-store.js';
import type { RequestContext } from '../../kernel/types.js';
import { runTokenTriggers, type TokenGenerationSource } from './trigger-steps.js';

/** What a finished sign-in tells its triggers: how it ended and the request's ClientMetadata. */
export interface SignInContext {
  source?: TokenGenerationSource;
  clientMetadata?: Record<string, string> | undefined;
  /** A hosted-UI sign-in: the scopes granted and the client's nonce. */
  oauth?: { scopes: string[]; nonce?: string | undefined; authTime: number } | undefined;
}

/**
 * Issues ID, access and refresh tokens for a finished sign-in, after the pool's PostAuthentication and
 * PreTokenGeneration triggers (a failure of either issues nothing).
 */
export async function completeSignIn(
  state: CognitoState,
  pool: StoredPool,
  client: StoredClient,
  user: StoredUser,
  context: SignInContext = {},
): Promise<Record<string, unknown>> {
  await state.limiter.succeed(`${pool.id}/${user.username}`);
  const { groups, roles: groupRoles } = await state.users.groupsAndRolesOf(pool.id, user.username);
  const overrides = pool.config.LambdaConfig
    ? await runTokenTriggers(state, pool, user, {
        clientId: client.id,
        // A hosted-UI sign-in (the login form or an identity provider) is HostedAuth, as in Cognito.
        source: context.source ?? (context.oauth ? 'TokenGeneration_HostedAuth' : 'TokenGeneration_Authentication'),
        groups,
        roles: groupRoles,
        clientMetadata: context.clientMetadata,
      })
    : undefined;
  const authTime = context.oauth?.authTime ?? Math.floor(Date.now() / 1000);
  const originJti = randomUUID();
  const RefreshToken = await state.users.addRefreshToken({
    poolId: pool.id,
    clientId: client.id,
    username: user.username,
    originJti,
    authTime,
    expiresAt: Date.now() + client.refreshTokenValidityDays * 86_400_000,
    scope: context.oauth?.scopes.join(' '),
  });
  const tokens = await issueTokens({
    keys: state.keys,
    issuer: issuerOf(state, pool.id),
    clientId: client.id,
    pool,
    client,
    user,
    groups,
    groupRoles,
    originJti,
    authTime,
    accessTokenSeconds: client.accessTokenSeconds,
    idTokenSeconds: client.idTokenSeconds,
    overrides,
    scopes: context.oauth?.scopes,
    nonce: context.oauth?.nonce,
  });
  return { AuthenticationResult: { ...tokens, RefreshToken }, ChallengeParameters: {} };
}

/**
 * The user behind an access token: signature, expiry, issuing pool, a live sign-in session of that pool,
 * client and user, and an enabled user are all required. The token's own checks are remembered until it
 * expires (verified-tokens.ts); the rest is one SQL query, remembered only until the next write to the
 * database (user-store `signedIn`), so revocation is immediate.
 */
export async function userFromAccessToken(
  state: CognitoState,
  token: unknown,
  ctx?: RequestContext,
  requiredScope: string = ACCESS_SCOPE,
): Promise<{ pool: StoredPool; user: StoredUser; clientId: string; scopes: string[] }> {
  if (typeof token !== 'string') throw invalidParameter('AccessToken is required.');
  const claims = state.verifiedTokens.claims(token, () => {
    const iss = decodePayload(token)?.iss;
    return typeof iss === 'string' ? verifyToken(state.keys, token, issuerOf(state, poolIdOf(iss)), 'access') : undefined;
  });
  // The issuer is the cloud's URL and the pool: checked on every call, as the URL is the cloud's to change.
  const iss = typeof claims?.iss === 'string' ? claims.iss : '';
  const poolId = poolIdOf(iss);
  if (
    !claims ||
    iss !== issuerOf(state, poolId) ||
    claims.token_use !== 'access' ||
    typeof claims.username !== 'string' ||
    typeof claims.client_id !== 'string'
  )
    throw cognitoError('NotAuthorizedException', 'Invalid Access Token');
  // A hosted-UI token granted without aws.cognito.signin.user.admin may not call the user operations
  // (nor one without openid the userInfo endpoint).
  const scopes = typeof claims.scope === 'string' ? claims.scope.split(' ') : [];
  if (!scopes.includes(requiredScope)) throw cognitoError('NotAuthorizedException', 'Access Token does not have required scopes');
  const found = await state.users.signedIn(poolId, claims.username, String(claims.origin_jti));
  if (!found) throw cognitoError('NotAuthorizedException', 'Invalid Access Token');
  const { pool, user, origin } = found;
  const live =
    origin !== undefined && !origin.revoked && origin.poolId === pool.id && origin.clientId === claims.client_id && origin.username === claims.username;
  if (!live || !user || user.sub !== claims.sub) throw cognitoError('NotAuthorizedException', 'Access Token has been revoked');
  if (!user.enabled) throw cognitoError('NotAuthorizedException', 'User is disabled.');
  // The request log names the token's user (`ctx` is the request's, when the call is one).
  ctx?.noteCaller({ kind: 'user-pool', user: user.username });
  return { pool, user, clientId: claims.client_id, scopes };
}

/** The app client an access token was issued to: its ReadAttributes and WriteAttributes apply to the call. */
export async function clientOfAccessToken(state: CognitoState, clientId: string): Promise<StoredClient> {
  const client = await state.pools.getClient(clientId);
  if (!client) throw cognitoError('NotAuthorizedException', 'Access Token has been revoked');
  return client;
}

/** The pool of an issuer `<cloud URL>/<userPoolId>`. */
function poolIdOf(issuer: string): string {
  return issuer.slice(issuer.lastIndexOf('/') + 1);
}

export function decodePayload(token: string): Record<string, unknown> | undefined {
  try {
    const part = token.split('.')[1];
    return part === undefined ? undefined : (JSON.parse(Buffer.from(part, 'base64url').toString('utf8')) as Record<string, unknown>);
  } catch {
    return undefined;
  }
}
