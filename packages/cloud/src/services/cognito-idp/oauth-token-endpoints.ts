import { createHash, timingSafeEqual } from 'node:crypto';
import type { RequestContext } from '../../kernel/types.js';
import { readableAttributes } from './attribute-schema.js';
import { clientCredentialsGrant } from './client-credentials.js';
import type { DomainContext } from './hosted-ui-route.js';
import { OAuthError, readForm, sendJson, sendOAuthError, userFacingMessage } from './hosted-ui-http.js';
import type { StoredClient } from './pool-store.js';
import { clientOfAccessToken, completeSignIn, userFromAccessToken } from './signed-in-user.js';
import { refreshTokens } from './token-refresh.js';

/** Which attributes each OIDC scope opens on the userInfo endpoint (with `openid` alone: all the client reads). */
const SCOPE_CLAIMS: Record<string, readonly string[]> = {
  email: ['email', 'email_verified'],
  phone: ['phone_number', 'phone_number_verified'],
  profile: [
    'name',
    'family_name',
    'given_name',
    'middle_name',
    'nickname',
    'preferred_username',
    'profile',
    'picture',
    'website',
    'gender',
    'birthdate',
    'zoneinfo',
    'locale',
    'updated_at',
    'address',
  ],
};

const VERIFIER = /^[A-Za-z0-9._~-]{43,128}$/;

function same(a: string, b: string): boolean {
  const left = Buffer.from(a);
  const right = Buffer.from(b);
  return left.length === right.length && timingSafeEqual(left, right);
}

/**
 * The client of a token or revoke request: HTTP Basic (`client_id:client_secret`, form-encoded as RFC 6749
 * says) or `client_id` (and `client_secret`) in the form. A client with a secret must prove it; one without
 * must not send one.
 */
async function authenticateClient(ctx: RequestContext, dc: DomainContext, form: URLSearchParams): Promise<StoredClient> {
  const header = ctx.req.headers.authorization;
  let id = form.get('client_id') ?? undefined;
  let secret = form.get('client_secret') ?? undefined;
  const basic = header !== undefined && /^basic /i.test(header);
  if (basic) {
    const decoded = Buffer.from(header.slice(6).trim(), 'base64').toString('utf8');
    const colon = decoded.indexOf(':');
    if (colon < 0) throw new OAuthError('invalid_client', 'The Authorization header must be Basic base64(client_id:client_secret).', 401);
    const decode = (value: string): string => {
      try {
        return decodeURIComponent(value.replace(/\+/g, ' '));
      } catch {
        return value;
      }
    };
    const headerId = decode(decoded.slice(0, colon));
    if (id !== undefined && id !== headerId) throw new OAuthError('invalid_client', 'client_id differs from the Authorization header.', 401);
    id = headerId;
    secret = decode(decoded.slice(colon + 1));
  }
  const status = basic ? 401 : 400;
  if (!id) throw new OAuthError('invalid_client', 'client_id is missing.', status);
  const client = await dc.state.pools.getClient(id);
  if (!client || client.poolId !== dc.pool.id) throw new OAuthError('invalid_client', `No app client ${id} in this user pool.`, status);
  if (client.secret !== undefined ? secret === undefined || !same(secret, client.secret) : secret !== undefined && secret !== '')
    throw new OAuthError(
      'invalid_client',
      client.secret !== undefined ? 'The client secret is missing or wrong.' : 'This app client has no secret: send none.',
      status,
    );
  if (!client.oauth?.AllowedOAuthFlowsUserPoolClient)
    throw new OAuthError('unauthorized_client', `The app client ${id} is not allowed to use the OAuth endpoints (AllowedOAuthFlowsUserPoolClient).`);
  return client;
}

async function tokenResponse(dc: DomainContext, client: StoredClient, form: URLSearchParams): Promise<Record<string, unknown>> {
  const grantType = form.get('grant_type');
  if (grantType === 'authorization_code') {
    const code = form.get('code');
    if (!code) throw new OAuthError('invalid_request', 'code is missing.');
    // Taken before anything else is checked: a code is spent by its first redemption, right or wrong.
    const grant = await dc.grants.takeCode(code);
    if (!grant || grant.clientId !== client.id || grant.poolId !== dc.pool.id)
      throw new OAuthError('invalid_grant', 'The code is unknown, expired, already used, or was issued to another client.');
    if (form.get('redirect_uri') !== grant.redirectUri) throw new OAuthError('invalid_grant', 'redirect_uri differs from the one the code was issued for.');
    if (grant.codeChallenge !== undefined) {
      const verifier = form.get('code_verifier') ?? '';
      if (!VERIFIER.test(verifier)) throw new OAuthError('invalid_grant', 'code_verifier is missing or malformed (43 to 128 characters).');
      if (!same(createHash('sha256').update(verifier).digest('base64url'), grant.codeChallenge))
        throw new OAuthError('invalid_grant', 'code_verifier does not match the code challenge.');
    }
    const user = await dc.state.users.get(dc.pool.id, grant.username);
    if (!user?.enabled) throw new OAuthError('invalid_grant', 'The user can no longer sign in.');
    let result: { AuthenticationResult: { AccessToken: string; IdToken: string; RefreshToken: string; ExpiresIn: number } };
    try {
      result = (await completeSignIn(dc.state, dc.pool, client, user, {
        oauth: { scopes: grant.scopes, nonce: grant.nonce, authTime: grant.authTime },
      })) as typeof result;
    } catch (error) {
      throw new OAuthError('invalid_request', userFacingMessage(error));
    }
    const t = result.AuthenticationResult;
    return {
      ...(grant.scopes.includes('openid') ? { id_token: t.IdToken } : {}),
      access_token: t.AccessToken,
      refresh_token: t.RefreshToken,
      expires_in: t.ExpiresIn,
      token_type: 'Bearer',
    };
  }
  if (grantType === 'refresh_token') {
    const token = form.get('refresh_token');
    if (!token) throw new OAuthError('invalid_request', 'refresh_token is missing.');
    let refreshed: Awaited<ReturnType<typeof refreshTokens>>;
    try {
      refreshed = await refreshTokens(dc.state, client, dc.pool, token, () => undefined, undefined);
    } catch (error) {
      throw new OAuthError('invalid_grant', userFacingMessage(error));
    }
    const { tokens, scopes } = refreshed;
    return {
      ...(scopes === undefined || scopes.includes('openid') ? { id_token: tokens.IdToken } : {}),
      access_token: tokens.AccessToken,
      expires_in: tokens.ExpiresIn,
      token_type: 'Bearer',
    };
  }
  if (grantType === 'client_credentials') return clientCredentialsGrant(dc, client, form);
  throw new OAuthError('unsupported_grant_type', 'grant_type must be authorization_code, refresh_token or client_credentials.');
}

/** `POST /oauth2/token`: an authorization code (with PKCE, and the client's secret when it has one) or a refresh token for tokens. */
export async function handleToken(ctx: RequestContext, dc: DomainContext): Promise<void> {
  try {
    const form = await readForm(ctx);
    if (!form) throw new OAuthError('invalid_request', 'The body must be application/x-www-form-urlencoded.');
    const client = await authenticateClient(ctx, dc, form);
    sendJson(ctx, 200, await tokenResponse(dc, client, form));
  } catch (error) {
    if (!(error instanceof OAuthError)) throw error;
    sendOAuthError(ctx, error);
  }
}

/** `POST /oauth2/revoke`: ends the sign-in of a refresh token issued to this client (its access and ID tokens stop working). */
export async function handleRevoke(ctx: RequestContext, dc: DomainContext): Promise<void> {
  try {
    const form = await readForm(ctx);
    if (!form) throw new OAuthError('invalid_request', 'The body must be application/x-www-form-urlencoded.');
    const client = await authenticateClient(ctx, dc, form);
    const token = form.get('token');
    if (!token) throw new OAuthError('invalid_request', 'token is missing.');
    const entry = await dc.state.users.getRefreshToken(token);
    // An unknown token is answered as a revoked one (RFC 7009); another client's is left alone.
    if (entry && entry.clientId === client.id) await dc.state.users.revokeOrigin(entry.originJti);
    sendJson(ctx, 200, {});
  } catch (error) {
    if (!(error instanceof OAuthError)) throw error;
    sendOAuthError(ctx, error);
  }
}

/** `GET|POST /oauth2/userInfo`: the user's attributes that the access token's scopes open (it needs `openid`). */
export async function handleUserInfo(ctx: RequestContext, dc: DomainContext): Promise<void> {
  try {
    const header = ctx.req.headers.authorization ?? '';
    if (!/^bearer /i.test(header)) throw new OAuthError('invalid_token', 'Send the access token as Authorization: Bearer <token>.', 401);
    let found: Awaited<ReturnType<typeof userFromAccessToken>>;
    try {
      found = await userFromAccessToken(dc.state, header.slice(7).trim(), ctx, 'openid');
    } catch (error) {
      throw new OAuthError('invalid_token', userFacingMessage(error), 401);
    }
    if (found.pool.id !== dc.pool.id) throw new OAuthError('invalid_token', 'The access token was issued by another user pool.', 401);
    const client = await clientOfAccessToken(dc.state, found.clientId);
    const opened = Object.keys(SCOPE_CLAIMS).filter((s) => found.scopes.includes(s));
    const allowed = new Set(opened.flatMap((s) => SCOPE_CLAIMS[s] ?? []));
    const claims: Record<string, string> = { sub: found.user.sub };
    for (const [name, value] of readableAttributes(found.pool, client, found.user)) {
      const custom = name.startsWith('custom:');
      if (opened.length === 0 || allowed.has(name) || (custom && opened.includes('profile'))) claims[name] = value;
    }
    claims.username = found.user.username;
    sendJson(ctx, 200, claims);
  } catch (error) {
    if (!(error instanceof OAuthError)) throw error;
    sendOAuthError(ctx, error);
  }
}
