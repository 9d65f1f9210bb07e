import { randomUUID } from 'node:crypto';
import { SignJWT, jwtVerify, type JWTPayload } from 'jose';
import type { TokenKeys } from './token-keys.js';
import type { StoredUser } from './user-store.js';

const ACCESS_SCOPE = 'aws.cognito.signin.user.admin';

export interface IssuedTokens {
  AccessToken: string;
  IdToken: string;
  ExpiresIn: number;
  TokenType: 'Bearer';
}

/** Issues ID and access tokens with Cognito's claims, signed with the active key. */
export async function issueTokens(options: {
  keys: TokenKeys; issuer: string; clientId: string; user: StoredUser; groups: string[]; originJti: string; authTime: number;
  /** Role ARNs of the user's groups, highest precedence first: `cognito:roles` and `cognito:preferred_role`. */
  groupRoles?: string[];
  /** Lifetimes; default one hour. */
  accessTokenSeconds?: number; idTokenSeconds?: number;
}): Promise<IssuedTokens> {
  const { keys, issuer, clientId, user, groups, originJti, authTime } = options;
  const accessTtl = options.accessTokenSeconds ?? 3600;
  const idTtl = options.idTokenSeconds ?? 3600;
  const { kid, key } = await keys.signingKey();
  const now = Math.floor(Date.now() / 1000);
  const groupClaim = groups.length > 0 ? { 'cognito:groups': groups } : {};
  const roles = options.groupRoles ?? [];
  // Identity pools pick a group's role from these (ID token only, as in Cognito).
  const roleClaims = roles.length > 0 ? { 'cognito:roles': roles, 'cognito:preferred_role': roles[0] } : {};
  const eventId = randomUUID();
  const attributes: Record<string, unknown> = {};
  for (const [name, value] of Object.entries(user.attributes)) {
    if (name === 'sub') continue;
    attributes[name] = name.endsWith('_verified') ? value === 'true' : value;
  }
  const sign = (payload: JWTPayload, ttl: number): Promise<string> =>
    new SignJWT(payload).setProtectedHeader({ alg: 'RS256', kid }).setIssuer(issuer).setSubject(user.sub).setIssuedAt(now).setExpirationTime(now + ttl).setJti(randomUUID()).sign(key);
  const IdToken = await sign({
    ...attributes, ...groupClaim, ...roleClaims, aud: clientId, 'cognito:username': user.username, origin_jti: originJti, event_id: eventId, token_use: 'id', auth_time: authTime,
  }, idTtl);
  const AccessToken = await sign({
    ...groupClaim, client_id: clientId, origin_jti: originJti, event_id: eventId, token_use: 'access', scope: ACCESS_SCOPE, auth_time: authTime, username: user.username,
  }, accessTtl);
  return { AccessToken, IdToken, ExpiresIn: accessTtl, TokenType: 'Bearer' };
}

/**
 * Verifies signature (RS256 with a published key only, so `alg: none` and foreign keys fail), issuer,
 * expiry and token use. Answers the claims, or undefined.
 */
export async function verifyTokenSignature(keys: TokenKeys, token: string, issuer: string, use: 'id' | 'access'): Promise<JWTPayload | undefined> {
  try {
    const { payload } = await jwtVerify(token, keys.keySet(), { algorithms: ['RS256'], issuer });
    if (payload.token_use !== use || typeof payload.sub !== 'string' || typeof payload.origin_jti !== 'string') return undefined;
    return payload;
  } catch {
    return undefined;
  }
}
