import { randomUUID } from 'node:crypto';
import { SignJWT } from 'jose';
import { issuerOf } from './cognito-state.js';
import type { DomainContext } from './hosted-ui-route.js';
import { OAuthError } from './hosted-ui-http.js';
import type { StoredClient } from './pool-store.js';
import { createResourceServerStore } from './resource-servers.js';

/**
 * `grant_type=client_credentials`: an app client (authenticated with its secret) gets an access token for itself,
 * no user, with the resource servers' scopes it asks for (`scope`, space separated) or, asking none, all it is
 * granted. As Cognito's: `sub` and `client_id` are the client's id, `version: 2`, no ID or refresh token. A scope
 * whose resource server was deleted since is no longer granted.
 */
export async function clientCredentialsGrant(dc: DomainContext, client: StoredClient, form: URLSearchParams): Promise<Record<string, unknown>> {
  const oauth = client.oauth;
  if (!oauth?.AllowedOAuthFlows.includes('client_credentials'))
    throw new OAuthError('unauthorized_client', `The app client ${client.id} does not allow the client_credentials flow: add it to its AllowedOAuthFlows.`);
  const asked = (form.get('scope') ?? '').split(' ').filter(Boolean);
  const refused = asked.filter((scope) => !oauth.AllowedOAuthScopes.includes(scope));
  if (refused.length > 0)
    throw new OAuthError('invalid_scope', `${refused.join(', ')} ${refused.length === 1 ? 'is' : 'are'} not allowed for this app client.`);
  const existing = await createResourceServerStore(dc.state.sql).customScopes(dc.pool.id);
  const scopes = [...new Set(asked.length > 0 ? asked : oauth.AllowedOAuthScopes)].filter((scope) => existing.has(scope));
  if (scopes.length === 0) throw new OAuthError('invalid_scope', "None of the app client's scopes belongs to a resource server of this user pool any more.");
  const { kid, key } = await dc.state.keys.signingKey();
  const now = Math.floor(Date.now() / 1000);
  const ttl = client.accessTokenSeconds;
  const token = await new SignJWT({ token_use: 'access', scope: scopes.join(' '), auth_time: now, version: 2, client_id: client.id })
    .setProtectedHeader({ alg: 'RS256', kid })
    .setIssuer(issuerOf(dc.state, dc.pool.id))
    .setSubject(client.id)
    .setIssuedAt(now)
    .setExpirationTime(now + ttl)
    .setJti(randomUUID())
    .sign(key);
  return { access_token: token, expires_in: ttl, token_type: 'Bearer' };
}
