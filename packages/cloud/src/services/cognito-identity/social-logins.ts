import { createRemoteJWKSet, jwtVerify, type JWTVerifyGetKey } from 'jose';
import { fetchOutboundJson, OutboundFetchError } from '../../kernel/outbound-fetch.js';

/**
 * The public providers an identity pool federates with directly (`SupportedLoginProviders`), by the login
 * key aws-sdk's `Logins` uses, each with the app id(s) the pool accepts (Google and Apple: client ids,
 * comma separated; Facebook: the app id; Login with Amazon: the app id).
 */
export const SOCIAL_LOGIN_PROVIDERS = ['accounts.google.com', 'graph.facebook.com', 'www.amazon.com', 'appleid.apple.com'] as const;
export type SocialLoginProvider = (typeof SOCIAL_LOGIN_PROVIDERS)[number];

export const isSocialLoginProvider = (key: string): key is SocialLoginProvider => (SOCIAL_LOGIN_PROVIDERS as readonly string[]).includes(key);

/**
 * Where the providers answer, when not at their real addresses (config.json's `identityProviders`, shared with
 * the user pools' federation): Google's and Apple's `jwks_uri` and `oidc_issuer`, Facebook's `graph_url`,
 * Login with Amazon's `tokeninfo_url`.
 */
export type SocialLoginEndpoints = Partial<Record<'Google' | 'Facebook' | 'LoginWithAmazon' | 'SignInWithApple', Record<string, string>>>;

const GOOGLE = { jwks: 'https://www.googleapis.com/oauth2/v3/certs', issuers: ['https://accounts.google.com', 'accounts.google.com'] };
const APPLE = { jwks: 'https://appleid.apple.com/auth/keys', issuers: ['https://appleid.apple.com'] };
const FACEBOOK_GRAPH = 'https://graph.facebook.com';
const AMAZON_TOKENINFO = 'https://api.amazon.com/auth/o2/tokeninfo';
/** A provider that does not answer in this time is a failed login, not a held request. */
const PROVIDER_TIMEOUT_MS = 5000;
const MAX_ANSWER_BYTES = 64 * 1024;
const MAX_KEY_SETS = 32;

/** The login could not be verified; the message says why (without the token). */
export class SocialLoginRefused extends Error {}

const keySets = new Map<string, JWTVerifyGetKey>();
function keysAt(url: string): JWTVerifyGetKey {
  let keys = keySets.get(url);
  if (!keys) {
    keys = createRemoteJWKSet(new URL(url), { timeoutDuration: PROVIDER_TIMEOUT_MS });
    if (keySets.size >= MAX_KEY_SETS) keySets.delete(keySets.keys().next().value ?? '');
    keySets.set(url, keys);
  }
  return keys;
}

const appIdsOf = (configured: string): string[] =>
  configured
    .split(',')
    .map((id) => id.trim())
    .filter(Boolean);

async function providerJson(url: string, what: string): Promise<Record<string, unknown>> {
  let answer: { status: number; json: unknown };
  try {
    answer = await fetchOutboundJson(url, {
      headers: { accept: 'application/json' },
      timeoutMs: PROVIDER_TIMEOUT_MS,
      maxBytes: MAX_ANSWER_BYTES,
      redirect: 'error',
    });
  } catch (error) {
    if (!(error instanceof OutboundFetchError)) throw error;
    if (error.reason === 'too-large') throw new SocialLoginRefused(`${what} answered more than a token check.`);
    if (error.reason === 'not-json') throw new SocialLoginRefused(`${what} did not answer JSON.`);
    throw new SocialLoginRefused(`${what} could not be reached to check the token.`);
  }
  const { status, json: body } = answer;
  if (status < 200 || status > 299 || typeof body !== 'object' || body === null) throw new SocialLoginRefused(`${what} refused the token (status ${status}).`);
  return body as Record<string, unknown>;
}

/**
 * Verifies a provider's token as Cognito does for an identity pool's `Logins` and answers the provider's user id:
 * Google and Apple send an ID token (signature by the provider's keys, issuer, expiry, audience among the app ids);
 * Facebook and Login with Amazon an access token, checked with the provider (the app it was issued to must be the
 * pool's app).
 */
export async function verifySocialLogin(
  provider: SocialLoginProvider,
  configuredAppIds: string,
  token: string,
  endpoints: SocialLoginEndpoints,
): Promise<{ subject: string; claims: Record<string, unknown> }> {
  const appIds = appIdsOf(configuredAppIds);
  if (provider === 'accounts.google.com' || provider === 'appleid.apple.com') {
    const settings = provider === 'accounts.google.com' ? endpoints.Google : endpoints.SignInWithApple;
    const defaults = provider === 'accounts.google.com' ? GOOGLE : APPLE;
    const issuers = settings?.oidc_issuer ? [settings.oidc_issuer] : defaults.issuers;
    try {
      const { payload } = await jwtVerify(token, keysAt(settings?.jwks_uri ?? defaults.jwks), { issuer: issuers, audience: appIds, clockTolerance: 60 });
      if (typeof payload.sub !== 'string' || payload.sub === '') throw new SocialLoginRefused('The ID token has no subject.');
      return { subject: payload.sub, claims: payload as Record<string, unknown> };
    } catch (error) {
      if (error instanceof SocialLoginRefused) throw error;
      const code = typeof (error as { code?: unknown }).code === 'string' ? (error as { code: string }).code : 'ERR_JWT_INVALID';
      throw new SocialLoginRefused(`The ${provider} ID token was refused (${code}).`);
    }
  }
  const query = (url: string): string => `${url}${url.includes('?') ? '&' : '?'}access_token=${encodeURIComponent(token)}`;
  if (provider === 'graph.facebook.com') {
    const graph = (endpoints.Facebook?.graph_url ?? FACEBOOK_GRAPH).replace(/\/$/, '');
    const app = await providerJson(query(`${graph}/app`), 'Facebook');
    if (typeof app.id !== 'string' || !appIds.includes(app.id)) throw new SocialLoginRefused('The Facebook access token was issued to another app.');
    const me = await providerJson(query(`${graph}/me?fields=id`), 'Facebook');
    if (typeof me.id !== 'string' || me.id === '') throw new SocialLoginRefused('Facebook answered no user for the access token.');
    return { subject: me.id, claims: { sub: me.id, aud: app.id } };
  }
  const info = await providerJson(query(endpoints.LoginWithAmazon?.tokeninfo_url ?? AMAZON_TOKENINFO), 'Login with Amazon');
  const issuedTo = [info.app_id, info.aud].filter((id): id is string => typeof id === 'string');
  if (!issuedTo.some((id) => appIds.includes(id))) throw new SocialLoginRefused('The Login with Amazon access token was issued to another app.');
  if (typeof info.exp === 'number' && info.exp <= 0) throw new SocialLoginRefused('The Login with Amazon access token has expired.');
  if (typeof info.user_id !== 'string' || info.user_id === '') throw new SocialLoginRefused('Login with Amazon answered no user for the access token.');
  return { subject: info.user_id, claims: { sub: info.user_id, aud: issuedTo[0] } };
}
