import type { ForteError } from '@forte/protocol';
import { verifyIdentityToken } from '../../kernel/identity-tokens.js';
import type { Kernel, VerifiedIdentityToken } from '../../kernel/types.js';
import type { StoredIdentityPool } from './identity-store.js';
import { COGNITO_IDENTITY_ERRORS } from './identity-errors.js';
import { isSocialLoginProvider, SocialLoginRefused, verifySocialLogin, type SocialLoginEndpoints } from './social-logins.js';

/** One login of a GetId / GetCredentialsForIdentity call, verified against the pool's providers. */
export interface VerifiedLogin {
  /** The pool's provider name (`cognito-idp.<region>.amazonaws.com/<userPoolId>`), whatever key the client used. */
  provider: string;
  subject: string;
  token: VerifiedIdentityToken;
  /** A public provider of the pool's SupportedLoginProviders (Google, Facebook, Amazon, Apple), not a user pool. */
  social?: boolean;
}

const notAuthorized = (message: string): ForteError => COGNITO_IDENTITY_ERRORS.error('NotAuthorizedException', message);

/**
 * Verifies every entry of `Logins`. A key is either a provider name of the pool or the token issuer
 * without its scheme (what aws-amplify sends: `127.0.0.1:20002/cognito-idp/us-east-1_abc`); both name
 * the user pool by its last path segment. The token must verify with the user pool that issued it and
 * be an ID token for the pool's client.
 */
export async function verifyLogins(
  kernel: Pick<Kernel, 'capability'>,
  pool: StoredIdentityPool,
  logins: Record<string, string>,
  endpoints: SocialLoginEndpoints = {},
): Promise<VerifiedLogin[]> {
  const verified: VerifiedLogin[] = [];
  for (const [key, token] of Object.entries(logins)) {
    // A public provider the pool federates with directly: its token is checked with the provider.
    const appIds = isSocialLoginProvider(key) ? pool.loginProviders[key] : undefined;
    if (isSocialLoginProvider(key) && appIds !== undefined) {
      try {
        const { subject, claims } = await verifySocialLogin(key, appIds, token, endpoints);
        verified.push({ provider: key, subject, token: { sub: subject, username: subject, groups: [], claims }, social: true });
      } catch (error) {
        if (error instanceof SocialLoginRefused) throw notAuthorized(`Invalid login token. ${error.message}`);
        throw error;
      }
      continue;
    }
    // A user pool is usually listed once per app client (Amplify lists the native and the web client).
    const candidates = providersForKey(pool, key);
    const provider = candidates[0];
    if (!provider) {
      throw notAuthorized(
        `Invalid login token. The login provider ${key} is not configured for identity pool ${pool.poolId}: add its user pool client to the pool's CognitoIdentityProviders${isSocialLoginProvider(key) ? `, or ${key} to its SupportedLoginProviders` : ''}.`,
      );
    }
    const result = await verifyIdentityToken(kernel, provider.ProviderName, token);
    if (!result) throw notAuthorized('Invalid login token. The token is not valid, has expired or was revoked: sign in again.');
    if (result.claims.token_use !== undefined && result.claims.token_use !== 'id') {
      throw notAuthorized('Invalid login token. Send the ID token, not the access token.');
    }
    const audience = result.claims.aud;
    const audiences = Array.isArray(audience) ? audience : [audience];
    if (!candidates.some((p) => audiences.includes(p.ClientId))) {
      throw notAuthorized('Invalid login token. Incorrect token audience: the token was issued to a client this identity pool does not accept.');
    }
    if (key !== provider.ProviderName) {
      const issuer = typeof result.claims.iss === 'string' ? result.claims.iss.replace(/^\w+:\/\//, '') : undefined;
      if (issuer !== key) throw notAuthorized(`Invalid login token. The token's issuer does not match the login key ${key}.`);
    }
    verified.push({ provider: provider.ProviderName, subject: result.sub, token: result });
  }
  return verified;
}

function providersForKey(pool: StoredIdentityPool, key: string): StoredIdentityPool['providers'] {
  const exact = pool.providers.filter((p) => p.ProviderName === key);
  if (exact.length > 0) return exact;
  const userPoolId = lastSegment(key);
  return pool.providers.filter((p) => lastSegment(p.ProviderName) === userPoolId);
}

function lastSegment(name: string): string {
  return name.slice(name.lastIndexOf('/') + 1);
}
