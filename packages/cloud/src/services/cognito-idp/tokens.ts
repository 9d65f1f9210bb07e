import { randomUUID, verify, type KeyObject } from 'node:crypto';
import { SignJWT, type JWTPayload } from 'jose';
import { readableAttributes, STANDARD_ATTRIBUTES, VERIFIED_FLAGS } from './attribute-schema.js';
import type { StoredClient, StoredPool } from './pool-store.js';
import type { TokenKeys } from './token-keys.js';
import type { StoredUser } from './user-store.js';

/** The scope of every API sign-in's access token, and what Cognito's user operations require of one. */
export const ACCESS_SCOPE = 'aws.cognito.signin.user.admin';

export interface IssuedTokens {
  AccessToken: string;
  IdToken: string;
  ExpiresIn: number;
  TokenType: 'Bearer';
}

/** What PreTokenGeneration changes in the tokens of one sign-in or refresh (trigger-steps.ts). */
export interface TokenOverrides {
  id?: { add: Record<string, unknown>; suppress: string[] };
  /** V2 events only. */
  access?: { add: Record<string, unknown>; suppress: string[]; scopesToAdd: string[]; scopesToSuppress: string[] };
  /** `cognito:groups` of both tokens; `cognito:roles` and `cognito:preferred_role` of the ID token. */
  groups?: string[];
  roles?: string[];
  preferredRole?: string;
}

/**
 * Claims a trigger can neither add nor suppress: the pool's own (identity, lifetime, client) and the group
 * claims, which only `groupOverrideDetails` changes. Cognito ignores such entries; so does Forte.
 */
const PROTECTED_CLAIMS = new Set([
  'acr',
  'amr',
  'aud',
  'at_hash',
  'auth_time',
  'azp',
  'client_id',
  'cognito:groups',
  'cognito:preferred_role',
  'cognito:roles',
  'cognito:username',
  'device_key',
  'event_id',
  'exp',
  'iat',
  'identities',
  'iss',
  'jti',
  'nbf',
  'nonce',
  'origin_jti',
  'scope',
  'sub',
  'token_use',
  'username',
]);

/** Applies a trigger's claims to a token's payload: suppressed ones go, added ones win; protected claims stay as they are. */
function applyClaims(payload: Record<string, unknown>, change: { add: Record<string, unknown>; suppress: string[] } | undefined): void {
  if (!change) return;
  for (const name of change.suppress) if (!PROTECTED_CLAIMS.has(name)) delete payload[name];
  for (const [name, value] of Object.entries(change.add)) if (!PROTECTED_CLAIMS.has(name)) payload[name] = value;
}

/**
 * Whether an attribute may become an ID token claim: standard attributes, `custom:*` and the verification
 * flags. Everything else (`cognito:*`, `dev:custom:*`, `aud`, `token_use`, ... stored by any means) never does.
 */
export function isTokenAttribute(name: string): boolean {
  return STANDARD_ATTRIBUTES.has(name) || VERIFIED_FLAGS.has(name) || (name.startsWith('custom:') && name.length > 'custom:'.length);
}

/**
 * Issues ID and access tokens with Cognito's claims, signed with the active key. The ID token carries the
 * user's attributes that the client reads (`ReadAttributes`, when `pool` is given) and that may be claims
 * (isTokenAttribute); Cognito's own claims are set last, and `cognito:groups`, `cognito:roles`,
 * `cognito:preferred_role` come only from `groups` / `groupRoles` (the user pool's groups).
 */
export async function issueTokens(options: {
  keys: TokenKeys;
  issuer: string;
  clientId: string;
  user: StoredUser;
  groups: string[];
  originJti: string;
  authTime: number;
  /** The user's pool and the client: which attributes the client reads. */
  pool?: StoredPool;
  client?: StoredClient;
  /** Role ARNs of the user's groups, highest precedence first: `cognito:roles` and `cognito:preferred_role`. */
  groupRoles?: string[];
  /** Lifetimes; default one hour. */
  accessTokenSeconds?: number;
  idTokenSeconds?: number;
  /** What the pool's PreTokenGeneration trigger answered. */
  overrides?: TokenOverrides | undefined;
  /** The OAuth scopes granted by the hosted UI; default: an API sign-in's (`aws.cognito.signin.user.admin`). */
  scopes?: readonly string[] | undefined;
  /** The hosted UI's `nonce`, which the ID token carries back to the client. */
  nonce?: string | undefined;
}): Promise<IssuedTokens> {
  const { keys, issuer, clientId, user, groups, originJti, authTime } = options;
  const accessTtl = options.accessTokenSeconds ?? 3600;
  const idTtl = options.idTokenSeconds ?? 3600;
  const { kid, key } = await keys.signingKey();
  const now = Math.floor(Date.now() / 1000);
  const overrides = options.overrides;
  const finalGroups = overrides?.groups ?? groups;
  const groupClaim = finalGroups.length > 0 ? { 'cognito:groups': finalGroups } : {};
  const roles = overrides?.roles ?? options.groupRoles ?? [];
  const preferredRole = overrides?.preferredRole ?? roles[0];
  // Identity pools pick a group's role from these (ID token only, as in Cognito).
  const roleClaims = {
    ...(roles.length > 0 ? { 'cognito:roles': roles } : {}),
    ...(preferredRole !== undefined ? { 'cognito:preferred_role': preferredRole } : {}),
  };
  const eventId = randomUUID();
  const attributes: Record<string, unknown> = {};
  const readable = options.pool ? readableAttributes(options.pool, options.client, user) : Object.entries(user.attributes);
  for (const [name, value] of readable) {
    if (!isTokenAttribute(name)) continue;
    attributes[name] = VERIFIED_FLAGS.has(name) ? value === 'true' : value;
  }
  // A federated user's providers, as a list (Cognito stores the attribute as JSON text and puts the list in the ID token).
  const identities = user.attributes.identities;
  if (identities !== undefined) attributes.identities = JSON.parse(identities) as unknown;
  const sign = (payload: JWTPayload, ttl: number): Promise<string> =>
    new SignJWT(payload)
      .setProtectedHeader({ alg: 'RS256', kid })
      .setIssuer(issuer)
      .setSubject(user.sub)
      .setIssuedAt(now)
      .setExpirationTime(now + ttl)
      .setJti(randomUUID())
      .sign(key);
  applyClaims(attributes, overrides?.id);
  const scopes = [...(options.scopes ?? [ACCESS_SCOPE]), ...(overrides?.access?.scopesToAdd ?? [])].filter(
    (scope) => !(overrides?.access?.scopesToSuppress ?? []).includes(scope),
  );
  const accessExtra: Record<string, unknown> = {};
  applyClaims(accessExtra, overrides?.access);
  const IdToken = await sign(
    {
      ...attributes,
      ...groupClaim,
      ...roleClaims,
      aud: clientId,
      'cognito:username': user.username,
      origin_jti: originJti,
      event_id: eventId,
      token_use: 'id',
      auth_time: authTime,
      ...(options.nonce !== undefined ? { nonce: options.nonce } : {}),
    },
    idTtl,
  );
  const AccessToken = await sign(
    {
      ...accessExtra,
      ...groupClaim,
      client_id: clientId,
      origin_jti: originJti,
      event_id: eventId,
      token_use: 'access',
      scope: [...new Set(scopes)].join(' '),
      auth_time: authTime,
      username: user.username,
      // Hosted-UI access tokens carry Cognito's `version: 2`.
      ...(options.scopes !== undefined ? { version: 2 } : {}),
    },
    accessTtl,
  );
  return { AccessToken, IdToken, ExpiresIn: accessTtl, TokenType: 'Bearer' };
}

/** Seconds a token's `iat` may lie ahead of this clock (a clock stepped back after issuing). */
const CLOCK_SKEW_SECONDS = 60;

const BASE64URL = /^[A-Za-z0-9_-]+$/;

/** A base64url part of a compact JWS as a JSON object, or undefined. */
function jsonPart(part: string): Record<string, unknown> | undefined {
  if (!BASE64URL.test(part)) return undefined;
  try {
    const value: unknown = JSON.parse(Buffer.from(part, 'base64url').toString('utf8'));
    return typeof value === 'object' && value !== null && !Array.isArray(value) ? (value as Record<string, unknown>) : undefined;
  } catch {
    return undefined;
  }
}

/** An RS256 (RSASSA-PKCS1-v1_5, SHA-256) signature check that answers false rather than throwing. */
function signedBy(key: KeyObject, signingInput: string, signature: Buffer): boolean {
  try {
    return verify('sha256', Buffer.from(signingInput, 'latin1'), key, signature);
  } catch {
    return false;
  }
}

/**
 * Verifies a token synchronously with node:crypto: header `alg` RS256 exactly (so `alg: none`, HS256 and
 * others fail) with a `kid` this cloud published and no `crit`; the RSA signature over the first two parts
 * with that key; then `iss`, `exp` (required, in the future), `iat` (required, not ahead of this clock),
 * `nbf` when present, `token_use`, `sub`, `origin_jti`, and the client (`client_id` of access tokens,
 * `aud` of ID tokens). Answers the claims, or undefined.
 */
export function verifyToken(keys: TokenKeys, token: unknown, issuer: string, use: 'id' | 'access'): JWTPayload | undefined {
  if (typeof token !== 'string') return undefined;
  const parts = token.split('.');
  if (parts.length !== 3) return undefined;
  const [headerPart = '', payloadPart = '', signaturePart = ''] = parts;
  const header = jsonPart(headerPart);
  if (!header || header.alg !== 'RS256' || typeof header.kid !== 'string' || header.crit !== undefined || header.b64 !== undefined) return undefined;
  const key = keys.verificationKey(header.kid);
  // Both parts are checked to be base64url before the signature is: the signed bytes are their ASCII.
  const payload = jsonPart(payloadPart) as JWTPayload | undefined;
  if (!key || !payload || !BASE64URL.test(signaturePart)) return undefined;
  const signature = Buffer.from(signaturePart, 'base64url');
  // One spelling per signature: no second token string for the same token.
  if (signature.toString('base64url') !== signaturePart) return undefined;
  if (!signedBy(key, `${headerPart}.${payloadPart}`, signature)) return undefined;
  if (payload.iss !== issuer) return undefined;
  const now = Math.floor(Date.now() / 1000);
  if (typeof payload.exp !== 'number' || payload.exp <= now) return undefined;
  if (typeof payload.iat !== 'number' || payload.iat > now + CLOCK_SKEW_SECONDS) return undefined;
  if (payload.nbf !== undefined && (typeof payload.nbf !== 'number' || payload.nbf > now)) return undefined;
  if (payload.token_use !== use || typeof payload.sub !== 'string' || typeof payload.origin_jti !== 'string') return undefined;
  if (typeof (use === 'access' ? payload.client_id : payload.aud) !== 'string') return undefined;
  return payload;
}

/** verifyToken for callers that await it. */
export function verifyTokenSignature(keys: TokenKeys, token: string, issuer: string, use: 'id' | 'access'): Promise<JWTPayload | undefined> {
  return Promise.resolve(verifyToken(keys, token, issuer, use));
}
