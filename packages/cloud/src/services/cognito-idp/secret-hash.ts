import { createHmac, timingSafeEqual } from 'node:crypto';
import { cognitoError } from './cognito-error.js';
import type { StoredClient } from './pool-store.js';

/**
 * Clients with a secret must prove it on every call that names a user: SECRET_HASH =
 * base64(HMAC-SHA256(key = client secret, username ‖ client id)). Clients without one skip this.
 */
export function checkSecretHash(client: StoredClient, username: string, given: unknown): void {
  if (client.secret === undefined) return;
  if (typeof given !== 'string' || given === '')
    throw cognitoError('NotAuthorizedException', `Client ${client.id} is configured with a secret but SECRET_HASH was not received`);
  const expected = createHmac('sha256', client.secret).update(`${username}${client.id}`).digest();
  const actual = Buffer.from(given, 'base64');
  if (actual.length !== expected.length || !timingSafeEqual(actual, expected))
    throw cognitoError('NotAuthorizedException', `Unable to verify secret hash for client ${client.id}`);
}

/** GetTokensFromRefreshToken sends the secret itself. */
export function checkClientSecret(client: StoredClient, given: unknown): void {
  if (client.secret === undefined) return;
  const expected = Buffer.from(client.secret);
  const actual = Buffer.from(typeof given === 'string' ? given : '');
  if (actual.length !== expected.length || !timingSafeEqual(actual, expected))
    throw cognitoError('NotAuthorizedException', `Client ${client.id} is configured with a secret: send ClientSecret.`);
}
