import { randomUUID } from 'node:crypto';
import type { UserTokenIssuer } from '../../kernel/capabilities.js';
import { cognitoError, invalidParameter } from './cognito-error.js';
import { findUser, issuerOf, requirePool, type CognitoState } from './cognito-state.js';
import type { StoredClient } from './pool-store.js';
import { issueTokens } from './tokens.js';
import { runTokenTriggers } from './trigger-steps.js';

/** The most the tokens live: long enough to try a few queries, short enough that a leaked one is soon worthless. */
export const USER_TOKEN_MAX_SECONDS = 15 * 60;

const UNCONFIRMED: Record<string, string> = {
  UNCONFIRMED: 'has not confirmed the sign-up: confirm the user first (the users page, or AdminConfirmSignUp)',
  FORCE_CHANGE_PASSWORD: 'must choose a new password at the next sign-in: set a permanent password first (AdminSetUserPassword with Permanent)',
  RESET_REQUIRED: 'must reset the password: set a permanent password first (AdminSetUserPassword with Permanent)',
};

/**
 * Issues a user's tokens without the password, for the console's "as user X" GraphQL calls (`USER_TOKENS`).
 * They are what a finished sign-in issues (the attributes the client reads, groups and their roles, the pool's
 * PostAuthentication and PreTokenGeneration triggers) with two differences: no refresh token is returned, and
 * both tokens live at most USER_TOKEN_MAX_SECONDS. The sign-in session they belong to is recorded as a sign-in's
 * is, so AdminUserGlobalSignOut, disabling or deleting the user revokes them at once.
 */
export function createUserTokenIssuer(state: CognitoState): UserTokenIssuer {
  const clientFor = async (poolId: string, clientId: string | undefined): Promise<StoredClient> => {
    const clients = await state.pools.listClients(poolId);
    if (clientId !== undefined) {
      const client = clients.find((c) => c.id === clientId);
      if (!client) throw cognitoError('ResourceNotFoundException', `User pool ${poolId} has no app client ${clientId}.`);
      return client;
    }
    // The client an app signs in with: the one without a secret (Amplify's web client) when there is one.
    const client = clients.find((c) => c.secret === undefined) ?? clients[0];
    if (!client) throw invalidParameter(`User pool ${poolId} has no app client: tokens are issued for one. Add an app client and push.`);
    return client;
  };

  return {
    async issue({ userPoolId, username, clientId }) {
      const pool = await requirePool(state, userPoolId);
      const user = await findUser(state, pool, username);
      if (!user) throw cognitoError('UserNotFoundException', `User ${username} does not exist in user pool ${userPoolId}.`);
      if (!user.enabled) throw cognitoError('NotAuthorizedException', `User ${user.username} is disabled: enable the user to act as them.`);
      const unconfirmed = UNCONFIRMED[user.status];
      if (unconfirmed !== undefined) throw cognitoError('UserNotConfirmedException', `User ${user.username} ${unconfirmed}.`);
      const client = await clientFor(pool.id, clientId);
      const { groups, roles: groupRoles } = await state.users.groupsAndRolesOf(pool.id, user.username);
      const overrides = pool.config.LambdaConfig
        ? await runTokenTriggers(state, pool, user, { clientId: client.id, source: 'TokenGeneration_Authentication', groups, roles: groupRoles })
        : undefined;
      const accessTokenSeconds = Math.min(client.accessTokenSeconds, USER_TOKEN_MAX_SECONDS);
      const idTokenSeconds = Math.min(client.idTokenSeconds, USER_TOKEN_MAX_SECONDS);
      const authTime = Math.floor(Date.now() / 1000);
      const originJti = randomUUID();
      // The sign-in session the tokens name; its refresh token is never handed out, and it lapses with them.
      await state.users.addRefreshToken({
        poolId: pool.id,
        clientId: client.id,
        username: user.username,
        originJti,
        authTime,
        expiresAt: Date.now() + Math.max(accessTokenSeconds, idTokenSeconds) * 1000,
      });
      const tokens = await issueTokens({
        keys: state.keys,
        issuer: issuerOf(state, pool.id),
        clientId: client.id,
        pool,
        client,
        user,
        groups,
        groupRoles,
        originJti,
        authTime,
        accessTokenSeconds,
        idTokenSeconds,
        overrides,
      });
      return {
        idToken: tokens.IdToken,
        accessToken: tokens.AccessToken,
        expiresIn: Math.min(accessTokenSeconds, idTokenSeconds),
        clientId: client.id,
        username: user.username,
      };
    },
  };
}
