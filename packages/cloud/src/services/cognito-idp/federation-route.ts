import { createHash, createPrivateKey, randomBytes } from 'node:crypto';
import { createRemoteJWKSet, jwtVerify, SignJWT, type JWTVerifyGetKey } from 'jose';
import { fetchOutboundJson, OutboundFetchError, type OutboundRequest } from '../../kernel/outbound-fetch.js';
import type { RequestContext } from '../../kernel/types.js';
import { checkAuthorizeRequest, redirectWith, type AuthorizeRequest } from './authorize-request.js';
import { federatedUser, subjectOf } from './federated-user.js';
import { readForm, sendPage, sendRedirect, userFacingMessage } from './hosted-ui-http.js';
import type { DomainContext } from './hosted-ui-route.js';
import { effectiveDetails, type StoredIdentityProvider } from './identity-providers.js';
import type { CognitoState } from './cognito-state.js';
import { errorPage } from './login-page.js';
import type { StoredUser } from './user-store.js';
import { sha256 } from './user-store.js';
import { startSamlFederation } from './saml-federation.js';

/** How long a sign-in waits for the provider to send the user back. */
const STATE_TTL_MS = 10 * 60_000;
/** How long the cloud waits for a provider's discovery, token and user-info answers. */
const PROVIDER_TIMEOUT_MS = 10_000;
/** Largest answer read from a provider. */
const MAX_PROVIDER_BYTES = 256 * 1024;

/** What the route does with a proven user: starts the hosted-UI session and answers the original authorize request. */
export type SignedInHandler = (ctx: RequestContext, dc: DomainContext, request: AuthorizeRequest, user: StoredUser) => Promise<void>;

/** A provider's endpoints, after discovery when the provider names only its issuer. */
interface Endpoints {
  authorize: string;
  token: string;
  attributes: string | undefined;
  jwks: string | undefined;
  issuer: string | undefined;
}

class ProviderFailure extends Error {}

/** At most this many sign-ins wait for their provider (expired ones go first, then the oldest). */
const MAX_WAITING = 100_000;

/** The providers' key sets, fetched again by jose when a token names an unknown key; at most 100 are kept. */
const jwksCache = new Map<string, JWTVerifyGetKey>();
const MAX_KEY_SETS = 100;

/** Reads a provider's JSON answer, bounded in time and size; a redirect is not followed. */
async function providerJson(
  url: string,
  init: Pick<OutboundRequest, 'method' | 'headers' | 'body'> = {},
): Promise<{ status: number; body: Record<string, unknown> }> {
  const origin = new URL(url).origin;
  let answer: { status: number; json: unknown };
  try {
    answer = await fetchOutboundJson(url, { ...init, timeoutMs: PROVIDER_TIMEOUT_MS, maxBytes: MAX_PROVIDER_BYTES, redirect: 'error' });
  } catch (error) {
    if (!(error instanceof OutboundFetchError)) throw error;
    if (error.reason === 'too-large') throw new ProviderFailure(`${origin} answered more than ${MAX_PROVIDER_BYTES} bytes.`);
    if (error.reason === 'not-json') throw new ProviderFailure(`${origin} answered ${error.status} without a JSON object.`);
    throw new ProviderFailure(`${origin} did not answer (${error.cause instanceof Error ? error.cause.name : error.reason}).`);
  }
  const body = answer.json;
  if (typeof body !== 'object' || body === null || Array.isArray(body)) throw new ProviderFailure(`${origin} answered ${answer.status} without a JSON object.`);
  return { status: answer.status, body: body as Record<string, unknown> };
}

/** The provider's endpoints: its details (the type's real ones by default), the missing ones from OIDC discovery. */
async function endpointsOf(provider: StoredIdentityProvider): Promise<Endpoints> {
  const details = effectiveDetails(provider);
  let discovered: Record<string, unknown> = {};
  const issuer = details.oidc_issuer;
  if (issuer && (!details.authorize_url || !details.token_url || !details.jwks_uri)) {
    const { status, body } = await providerJson(`${issuer.replace(/\/$/, '')}/.well-known/openid-configuration`);
    if (status !== 200) throw new ProviderFailure(`The discovery document of ${issuer} answered ${status}.`);
    discovered = body;
  }
  const pick = (own: string | undefined, found: unknown): string | undefined => own ?? (typeof found === 'string' ? found : undefined);
  const authorize = pick(details.authorize_url, discovered.authorization_endpoint);
  const token = pick(details.token_url, discovered.token_endpoint);
  if (!authorize || !token) throw new ProviderFailure(`The provider ${provider.name} has no authorize or token endpoint.`);
  return {
    authorize,
    token,
    attributes: pick(details.attributes_url, discovered.userinfo_endpoint),
    jwks: pick(details.jwks_uri, discovered.jwks_uri),
    issuer: pick(issuer, discovered.issuer),
  };
}

/** The provider with every detail filled in: its own, over the cloud's settings for its type, over the real endpoints. */
const configured = (state: CognitoState, provider: StoredIdentityProvider): StoredIdentityProvider => ({
  ...provider,
  details: effectiveDetails(provider, state.providerEndpoints),
});

/** Sign in with Apple's client secret: a short ES256 JWT signed with the team's key. */
async function appleClientSecret(details: Record<string, string>): Promise<string> {
  const key = createPrivateKey(details.private_key ?? '');
  return new SignJWT({})
    .setProtectedHeader({ alg: 'ES256', kid: details.key_id ?? '' })
    .setIssuer(details.team_id ?? '')
    .setSubject(details.client_id ?? '')
    .setAudience('https://appleid.apple.com')
    .setIssuedAt()
    .setExpirationTime('5m')
    .sign(key);
}

/**
 * Sends the browser to the provider for an authorize request that names it (`identity_provider`, `idp_identifier`,
 * or a button of the login page), with a fresh state, nonce and PKCE challenge kept (hashed) for its answer.
 */
/**
 * Keeps a sign-in waiting for its provider (the authorize request, and what checks the answer: the nonce or SAML
 * request id, the PKCE verifier) under the hash of a fresh state, which it answers; at most MAX_WAITING wait.
 */
export async function saveFederationState(
  dc: DomainContext,
  provider: string,
  carried: Record<string, string>,
  nonce: string,
  verifier: string,
): Promise<string> {
  const state = randomBytes(32).toString('base64url');
  const sql = dc.state.kernel.sql;
  await sql.run('DELETE FROM cognito_federation_states WHERE expires_at < ?', [Date.now()]);
  const waiting = Number((await sql.get<{ n: number }>('SELECT COUNT(*) AS n FROM cognito_federation_states'))?.n ?? 0);
  if (waiting >= MAX_WAITING)
    await sql.run('DELETE FROM cognito_federation_states WHERE state_hash IN (SELECT state_hash FROM cognito_federation_states ORDER BY expires_at LIMIT ?)', [
      waiting - MAX_WAITING + 1,
    ]);
  const { identity_provider: _provider, idp_identifier: _identifier, ...kept } = carried;
  await sql.run(
    'INSERT INTO cognito_federation_states (state_hash, pool_id, provider, request, nonce, code_verifier, expires_at) VALUES (?, ?, ?, ?, ?, ?, ?)',
    [sha256(state), dc.pool.id, provider, JSON.stringify(kept), nonce, verifier, Date.now() + STATE_TTL_MS],
  );
  return state;
}

/** A waiting sign-in, taken once: undefined when unknown, already taken, expired or of another pool. */
export interface FederationState {
  pool_id: string;
  provider: string;
  request: string;
  nonce: string;
  code_verifier: string;
  expires_at: number;
}

export async function takeFederationState(dc: DomainContext, stateValue: string): Promise<FederationState | undefined> {
  return dc.state.kernel.sql.transaction(async (tx) => {
    const found = await tx.get<FederationState>('SELECT * FROM cognito_federation_states WHERE state_hash = ?', [sha256(stateValue)]);
    if (!found) return undefined;
    const { changes } = await tx.run('DELETE FROM cognito_federation_states WHERE state_hash = ?', [sha256(stateValue)]);
    return changes === 1 && Number(found.expires_at) >= Date.now() && found.pool_id === dc.pool.id ? found : undefined;
  });
}

export async function startFederation(
  ctx: RequestContext,
  dc: DomainContext,
  request: AuthorizeRequest,
  stored: StoredIdentityProvider,
  carried: Record<string, string>,
): Promise<void> {
  if (stored.type === 'SAML') return startSamlFederation(ctx, dc, request, stored, carried);
  const provider = configured(dc.state, stored);
  let endpoints: Endpoints;
  try {
    endpoints = await endpointsOf(provider);
  } catch (error) {
    if (!(error instanceof ProviderFailure)) throw error;
    dc.state.kernel.log.warn('an identity provider could not be reached', { userPoolId: dc.pool.id, provider: provider.name, reason: error.message });
    return sendRedirect(
      ctx,
      redirectWith(request.redirectUri, request.responseType, { error: 'server_error', error_description: error.message, state: request.state }),
    );
  }
  const nonce = randomBytes(24).toString('base64url');
  const verifier = randomBytes(48).toString('base64url');
  const state = await saveFederationState(dc, provider.name, carried, nonce, verifier);
  const details = effectiveDetails(provider);
  const url = new URL(endpoints.authorize);
  url.searchParams.set('client_id', details.client_id ?? '');
  url.searchParams.set('redirect_uri', `${dc.base}/oauth2/idpresponse`);
  url.searchParams.set('response_type', 'code');
  url.searchParams.set(
    'scope',
    (details.authorize_scopes ?? '')
      .split(/[\s,]+/)
      .filter(Boolean)
      .join(provider.type === 'Facebook' ? ',' : ' '),
  );
  url.searchParams.set('state', state);
  url.searchParams.set('nonce', nonce);
  url.searchParams.set('code_challenge', createHash('sha256').update(verifier).digest('base64url'));
  url.searchParams.set('code_challenge_method', 'S256');
  // Apple sends the user's name and email only with a form post.
  if (provider.type === 'SignInWithApple' && /\b(name|email)\b/.test(details.authorize_scopes ?? '')) url.searchParams.set('response_mode', 'form_post');
  sendRedirect(ctx, url.toString());
}

/** The provider's answer to the code: its token endpoint's JSON. */
async function exchangeCode(
  provider: StoredIdentityProvider,
  endpoints: Endpoints,
  code: string,
  redirectUri: string,
  verifier: string,
): Promise<Record<string, unknown>> {
  const details = effectiveDetails(provider);
  const secret = provider.type === 'SignInWithApple' ? await appleClientSecret(details) : details.client_secret;
  const form = new URLSearchParams({
    grant_type: 'authorization_code',
    code,
    redirect_uri: redirectUri,
    client_id: details.client_id ?? '',
    code_verifier: verifier,
  });
  if (secret) form.set('client_secret', secret);
  const answer =
    details.token_request_method === 'GET'
      ? await providerJson(`${endpoints.token}${endpoints.token.includes('?') ? '&' : '?'}${form.toString()}`)
      : await providerJson(endpoints.token, {
          method: 'POST',
          headers: { 'content-type': 'application/x-www-form-urlencoded', accept: 'application/json' },
          body: form,
        });
  if (answer.status !== 200) {
    const error = typeof answer.body.error === 'string' ? answer.body.error.slice(0, 100) : `status ${answer.status}`;
    throw new ProviderFailure(`The identity provider ${provider.name} refused the code (${error}).`);
  }
  return answer.body;
}

/** The provider user's claims: the verified ID token's, and the user-info endpoint's for what it does not hold. */
async function claimsOf(
  provider: StoredIdentityProvider,
  endpoints: Endpoints,
  tokens: Record<string, unknown>,
  nonce: string,
): Promise<Record<string, unknown>> {
  const details = effectiveDetails(provider);
  let claims: Record<string, unknown> = {};
  const idToken = tokens.id_token;
  const oidc = provider.type === 'OIDC' || provider.type === 'Google' || provider.type === 'SignInWithApple';
  if (oidc) {
    if (typeof idToken !== 'string') throw new ProviderFailure(`The identity provider ${provider.name} answered no ID token.`);
    if (!endpoints.jwks) throw new ProviderFailure(`The identity provider ${provider.name} has no jwks_uri.`);
    let keys = jwksCache.get(endpoints.jwks);
    if (!keys) {
      keys = createRemoteJWKSet(new URL(endpoints.jwks), { timeoutDuration: PROVIDER_TIMEOUT_MS });
      if (jwksCache.size >= MAX_KEY_SETS) jwksCache.delete(jwksCache.keys().next().value ?? '');
      jwksCache.set(endpoints.jwks, keys);
    }
    try {
      const { payload } = await jwtVerify(idToken, keys, {
        audience: details.client_id ?? '',
        ...(endpoints.issuer ? { issuer: endpoints.issuer } : {}),
        clockTolerance: 60,
      });
      claims = payload as Record<string, unknown>;
    } catch (error) {
      const code = typeof (error as { code?: unknown }).code === 'string' ? (error as { code: string }).code : 'ERR_JWT_INVALID';
      throw new ProviderFailure(`The ID token of ${provider.name} was refused (${code}: ${error instanceof Error ? error.message : 'invalid'}).`);
    }
    if (claims.nonce !== nonce) throw new ProviderFailure(`The ID token of ${provider.name} does not carry this sign-in's nonce.`);
  }
  const accessToken = tokens.access_token;
  // Facebook and Login with Amazon have no ID token; a generic OIDC provider's user info completes its claims.
  const wantsInfo = !oidc || provider.type === 'OIDC';
  if (wantsInfo && endpoints.attributes && typeof accessToken === 'string') {
    let url = endpoints.attributes;
    if (details.attributes_url_add_attributes === 'true') {
      const fields = [...new Set(['id', ...Object.values(provider.attributeMapping)])];
      url = `${url}${fields.join(',')}`;
    }
    const method = details.attributes_request_method === 'POST' ? 'POST' : 'GET';
    const info = await providerJson(url, { method, headers: { authorization: `Bearer ${accessToken}`, accept: 'application/json' } });
    if (info.status !== 200) throw new ProviderFailure(`The user info of ${provider.name} answered ${info.status}.`);
    if (oidc && info.body.sub !== undefined && info.body.sub !== claims.sub) throw new ProviderFailure(`The user info of ${provider.name} is of another user.`);
    claims = { ...info.body, ...claims };
  }
  return claims;
}

/**
 * `/oauth2/idpresponse`: the provider sends the browser back with a code (or an error) and the state. The state
 * is taken once; the code is exchanged (PKCE, the client secret), the ID token verified (signature, issuer,
 * audience, expiry, nonce) or the user info read; the pool's user is found or made (federated-user.ts), and the
 * original authorize request is answered. A failure goes back to the app as an OAuth error.
 */
export async function idpResponse(ctx: RequestContext, dc: DomainContext, onSignedIn: SignedInHandler): Promise<void> {
  const params = ctx.req.method === 'POST' ? await readForm(ctx) : ctx.url.searchParams;
  const page = (status: number, error: string, description: string): void =>
    sendPage(ctx, status, errorPage({ cssHref: `${dc.path}/hosted-ui.css`, error, description }));
  if (!params) return page(400, 'invalid_request', 'The provider answer must be a query or a form.');
  const stateValue = params.get('state');
  if (!stateValue || stateValue.length > 512) return page(400, 'invalid_request', 'The state is missing: go back to the app and sign in again.');
  const row = await takeFederationState(dc, stateValue);
  if (!row) return page(400, 'invalid_request', 'This sign-in expired or was already used (unknown state): go back to the app and sign in again.');
  const checked = await checkAuthorizeRequest(dc.state, dc.pool, new URLSearchParams(JSON.parse(row.request) as Record<string, string>));
  if (!checked.ok) return page(400, 'invalid_request', 'The app client changed during this sign-in: go back to the app and sign in again.');
  const { request } = checked;
  const back = (error: string, description: string): void =>
    sendRedirect(ctx, redirectWith(request.redirectUri, request.responseType, { error, error_description: description, state: request.state }));
  const stored = await dc.state.providers.get(dc.pool.id, row.provider);
  if (!stored) return back('invalid_request', `The identity provider ${row.provider} was removed from the user pool.`);
  if (stored.type === 'SAML') return back('invalid_request', `The SAML identity provider ${stored.name} answers at /saml2/idpresponse, not here.`);
  const provider = configured(dc.state, stored);
  const providerError = params.get('error');
  if (providerError) return back('access_denied', `The identity provider ${provider.name} answered ${providerError.slice(0, 100)}.`);
  const code = params.get('code');
  if (!code || code.length > 4096) return back('invalid_request', `The identity provider ${provider.name} sent no code.`);
  let user: StoredUser | undefined;
  try {
    const endpoints = await endpointsOf(provider);
    const tokens = await exchangeCode(provider, endpoints, code, `${dc.base}/oauth2/idpresponse`, row.code_verifier);
    const claims = await claimsOf(provider, endpoints, tokens, row.nonce);
    const subject = subjectOf(provider, claims);
    if (!subject)
      throw new ProviderFailure(`The identity provider ${provider.name} named no user (no ${provider.attributeMapping.username ?? 'subject'} claim).`);
    user = await federatedUser(dc.state, dc.pool, request.client, provider, claims, subject);
  } catch (error) {
    if (error instanceof ProviderFailure) {
      dc.state.kernel.log.warn('a federated sign-in was refused', { userPoolId: dc.pool.id, provider: provider.name, reason: error.message });
      return back('invalid_request', error.message);
    }
    // A trigger's refusal (PreSignUp) is the app's to show.
    return back('invalid_request', userFacingMessage(error));
  }
  if (!user) return back('invalid_request', 'User is disabled.');
  await onSignedIn(ctx, dc, request, user);
}
