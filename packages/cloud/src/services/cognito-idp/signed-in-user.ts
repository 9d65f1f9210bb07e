import { randomUUID } from 'node:crypto';
import { cognitoError, invalidParameter } from './cognito-error.js';
import { issuerOf, type CognitoState } from './cognito-state.js';
import type { StoredClient, StoredPool } from './pool-store.js';
import { issueTokens, verifyTokenSignature } from './tokens.js';
import type { StoredUser } from './user-store.js';

/** Issues ID, access and refresh tokens for a finished sign-in. */
export async function completeSignIn(state: CognitoState, pool: StoredPool, client: StoredClient, user: StoredUser): Promise<Record<string, unknown>> {
  state.limiter.succeed(`${pool.id}/${user.username}`);
  const authTime = Math.floor(Date.now() / 1000);
  const originJti = randomUUID();
  const RefreshToken = await state.users.addRefreshToken({
    poolId: pool.id, clientId: client.id, username: user.username, originJti, authTime, expiresAt: Date.now() + client.refreshTokenValidityDays * 86_400_000,
  });
  const groups = await state.users.groupsOf(pool.id, user.username);
  const groupRoles = await state.users.groupRolesOf(pool.id, user.username);
  const tokens = await issueTokens({ keys: state.keys, issuer: issuerOf(state, pool.id), clientId: client.id, user, groups, groupRoles, originJti, authTime, accessTokenSeconds: client.accessTokenSeconds, idTokenSeconds: client.idTokenSeconds });
  return { AuthenticationResult: { ...tokens, RefreshToken }, ChallengeParameters: {} };
}

/**
 * The user behind an access token: signature, expiry, issuing pool, a live sign-in session and an
 * enabled user are all required.
 */
export async function userFromAccessToken(state: CognitoState, token: unknown): Promise<{ pool: StoredPool; user: StoredUser; claims: Record<string, unknown> }> {
  const denied = cognitoError('NotAuthorizedException', 'Invalid Access Token');
  if (typeof token !== 'string') throw invalidParameter('AccessToken is required.');
  const unverified = decodePayload(token);
  const iss = typeof unverified?.iss === 'string' ? unverified.iss : '';
  const poolId = iss.slice(iss.lastIndexOf('/') + 1);
  const pool = await state.pools.getPool(poolId);
  if (!pool) throw denied;
  const claims = await verifyTokenSignature(state.keys, token, issuerOf(state, pool.id), 'access');
  if (!claims || typeof claims.username !== 'string') throw denied;
  if (!(await state.users.originLive(String(claims.origin_jti)))) throw cognitoError('NotAuthorizedException', 'Access Token has been revoked');
  const user = await state.users.get(pool.id, claims.username);
  if (!user || user.sub !== claims.sub) throw cognitoError('NotAuthorizedException', 'Access Token has been revoked');
  if (!user.enabled) throw cognitoError('NotAuthorizedException', 'User is disabled.');
  return { pool, user, claims };
}

export function decodePayload(token: string): Record<string, unknown> | undefined {
  try {
    const part = token.split('.')[1];
    return part === undefined ? undefined : (JSON.parse(Buffer.from(part, 'base64url').toString('utf8')) as Record<string, unknown>);
  } catch {
    return undefined;
  }
}
