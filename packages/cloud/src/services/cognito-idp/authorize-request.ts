import type { CognitoState } from './cognito-state.js';
import type { StoredIdentityProvider } from './identity-providers.js';
import type { StoredClient, StoredPool } from './pool-store.js';

/** An `/oauth2/authorize` (or `/login`) request that passed Cognito's checks. */
export interface AuthorizeRequest {
  client: StoredClient;
  redirectUri: string;
  responseType: 'code' | 'token';
  scopes: string[];
  state: string | undefined;
  nonce: string | undefined;
  codeChallenge: string | undefined;
  prompt: string | undefined;
  /** The federated identity provider the request names (`identity_provider` or `idp_identifier`), if any. */
  provider?: StoredIdentityProvider | undefined;
}

/**
 * Why a request cannot go on. `page`: no trustworthy redirect URI (unknown client, a redirect URI that is not one
 * of the client's), so the error is shown on the hosted UI and nobody is redirected. `redirect`: an OAuth error
 * sent back to the client's redirect URI with the state.
 */
export type AuthorizeRefusal =
  | { kind: 'page'; error: string; description: string }
  | { kind: 'redirect'; redirectUri: string; responseType: 'code' | 'token'; error: string; description: string; state: string | undefined };

/** The authorize parameters carried from `/oauth2/authorize` to `/login` and through its form. */
export const AUTHORIZE_PARAMETERS = [
  'client_id',
  'redirect_uri',
  'response_type',
  'scope',
  'state',
  'nonce',
  'code_challenge',
  'code_challenge_method',
  'identity_provider',
  'idp_identifier',
  'prompt',
] as const;

const MAX_PARAMETER = 2048;

/**
 * Cognito's rules for an authorization request: a client of this pool that may use the hosted UI, a
 * `redirect_uri` (required) that is exactly one of its CallbackURLs, `response_type`
 * `code` or `token` among its flows, scopes among its allowed ones (none given: all of them), PKCE with S256
 * only, and an identity provider of the pool that the client supports (the pool's own users by default).
 */
export async function checkAuthorizeRequest(
  state: CognitoState,
  pool: StoredPool,
  params: URLSearchParams,
): Promise<{ ok: true; request: AuthorizeRequest } | { ok: false; refusal: AuthorizeRefusal }> {
  const get = (name: string): string | undefined => {
    const value = params.get(name);
    return value === null || value === '' ? undefined : value;
  };
  const page = (error: string, description: string) => ({ ok: false as const, refusal: { kind: 'page' as const, error, description } });
  for (const name of AUTHORIZE_PARAMETERS) {
    if (params.getAll(name).length > 1) return page('invalid_request', `The parameter ${name} was given more than once.`);
    if ((get(name)?.length ?? 0) > MAX_PARAMETER) return page('invalid_request', `The parameter ${name} is longer than ${MAX_PARAMETER} characters.`);
  }
  const clientId = get('client_id');
  if (!clientId) return page('invalid_request', 'client_id is missing: the app must name its app client.');
  const client = await state.pools.getClient(clientId);
  if (!client || client.poolId !== pool.id) return page('invalid_client', `No app client ${clientId} in this user pool.`);
  const oauth = client.oauth;
  if (!oauth?.AllowedOAuthFlowsUserPoolClient)
    return page(
      'unauthorized_client',
      `The app client ${clientId} is not allowed to use the hosted UI: set AllowedOAuthFlowsUserPoolClient, its flows, scopes and callback URLs.`,
    );
  // Required, as in Cognito (DefaultRedirectURI does not stand in for it).
  const redirectUri = get('redirect_uri');
  if (!redirectUri) return page('invalid_request', "redirect_uri is missing: name one of the app client's callback URLs.");
  if (!oauth.CallbackURLs.includes(redirectUri))
    return page('redirect_mismatch', `redirect_uri ${redirectUri} is not one of the app client's callback URLs; add it to CallbackURLs or use one of them.`);
  const rawType = get('response_type');
  const responseType: 'code' | 'token' = rawType === 'token' ? 'token' : 'code';
  const state_ = get('state');
  const back = (error: string, description: string) => ({
    ok: false as const,
    refusal: { kind: 'redirect' as const, redirectUri, responseType, error, description, state: state_ },
  });
  if (rawType !== 'code' && rawType !== 'token') return back('unsupported_response_type', 'response_type must be code or token.');
  if (!oauth.AllowedOAuthFlows.includes(rawType === 'code' ? 'code' : 'implicit'))
    return back('unauthorized_client', `The app client does not allow the ${rawType === 'code' ? 'code' : 'implicit'} flow.`);
  const requested = get('scope')?.split(/[ +]+/).filter(Boolean);
  const scopes = requested ?? oauth.AllowedOAuthScopes;
  const refused = scopes.filter((s) => !oauth.AllowedOAuthScopes.includes(s));
  if (refused.length > 0) return back('invalid_scope', `${refused.join(', ')} ${refused.length === 1 ? 'is' : 'are'} not allowed for this app client.`);
  if (scopes.some((s) => s !== 'openid' && s !== 'aws.cognito.signin.user.admin') && !scopes.includes('openid'))
    return back('invalid_scope', 'email, phone and profile need openid.');
  const codeChallenge = get('code_challenge');
  const method = get('code_challenge_method');
  if (codeChallenge !== undefined || method !== undefined) {
    if (method !== 'S256') return back('invalid_request', 'code_challenge_method must be S256 (plain is not accepted).');
    if (!codeChallenge || !/^[A-Za-z0-9_-]{43}$/.test(codeChallenge))
      return back('invalid_request', 'code_challenge must be the base64url SHA-256 of the code verifier.');
    if (rawType !== 'code') return back('invalid_request', 'PKCE applies to the code flow only.');
  }
  const providerName = get('identity_provider');
  const identifier = get('idp_identifier');
  let provider: StoredIdentityProvider | undefined;
  if (providerName !== undefined && providerName !== 'COGNITO') {
    provider = await state.providers.get(pool.id, providerName);
    if (!provider) return back('invalid_request', `identity_provider ${providerName} is not an identity provider of this user pool (CreateIdentityProvider).`);
  } else if (providerName === undefined && identifier !== undefined) {
    provider = await state.providers.byIdentifier(pool.id, identifier);
    if (!provider) return back('invalid_request', `No identity provider of this user pool has the identifier ${identifier} (IdpIdentifiers).`);
  }
  if (provider && !oauth.SupportedIdentityProviders.includes(provider.name))
    return back('unauthorized_client', `The app client does not allow the identity provider ${provider.name}: add it to its SupportedIdentityProviders.`);
  const prompt = get('prompt');
  if (prompt !== undefined && !['none', 'login', 'select_account', 'consent'].includes(prompt))
    return back('invalid_request', 'prompt must be none, login, select_account or consent.');
  return {
    ok: true,
    request: { client, redirectUri, responseType: rawType, scopes: [...new Set(scopes)], state: state_, nonce: get('nonce'), codeChallenge, prompt, provider },
  };
}

/** Where an OAuth answer goes: the code flow's in the query, the implicit flow's in the fragment. */
export function redirectWith(redirectUri: string, responseType: 'code' | 'token', values: Record<string, string | undefined>): string {
  const params = new URLSearchParams();
  for (const [name, value] of Object.entries(values)) if (value !== undefined) params.set(name, value);
  if (responseType === 'token') return `${redirectUri.split('#')[0]}#${params.toString()}`;
  const url = new URL(redirectUri);
  for (const [name, value] of params) url.searchParams.set(name, value);
  return url.toString();
}

/**
 * Whether the client signs in the pool's own users with a password on the hosted UI: COGNITO among its
 * SupportedIdentityProviders (or none named). A client of social providers only gets their buttons, no form.
 */
export function clientTakesPasswords(client: StoredClient | undefined): boolean {
  const supported = client?.oauth?.SupportedIdentityProviders ?? [];
  return supported.length === 0 || supported.includes('COGNITO');
}
