import { randomBytes } from 'node:crypto';
import { cognitoError, incorrectCredentials, invalidParameter } from './cognito-error.js';
import { caseInsensitive, type CognitoState, findUser, parseAttributes, requireClient, str } from './cognito-state.js';
import { checkUserWrite, requiredAttributes } from './attribute-schema.js';
import { attempter, limitedCodeEntry, limitedTotpEntry } from './limited-requests.js';
import { checkPassword, UNKNOWN_USER_HASH } from './password-hash.js';
import { checkPasswordPolicy, poolNameOf, setPassword } from './password-setting.js';
import type { StoredClient, StoredPool } from './pool-store.js';
import { checkClientSecret, checkSecretHash } from './secret-hash.js';
import { assertCanSignIn, nextSignInStep } from './sign-in-step.js';
import { completeSignIn, userFromAccessToken } from './signed-in-user.js';
import { createVerifier, parseSrpTimestamp, serverEphemeral, verifyPasswordClaim } from './srp-math.js';
import { matchTotp } from './totp.js';
import type { UserOperation } from './user-operation.js';
import type { StoredUser } from './user-store.js';
import { answerCustomChallenge, assertCustomAuthAllowed, nextCustomStep } from './custom-auth.js';
import type { ChallengeSession, CustomChallengeResult } from './challenge-sessions.js';
import { runPreAuthentication } from './trigger-steps.js';
import { clientMetadataOf } from './triggers.js';
import { migrateUser } from './user-migration.js';
import { refreshSignIn } from './token-refresh.js';

const TIMESTAMP_SKEW_MS = 15 * 60_000;

/** InitiateAuth, RespondToAuthChallenge, GetTokensFromRefreshToken, RevokeToken, GlobalSignOut. */
export function authOperations(state: CognitoState): Record<string, UserOperation> {
  const addressOf = (ctx: Parameters<UserOperation>[1]): string => state.kernel.clientAddress(ctx.req);

  const refuse = (blocked: 'user' | 'address' | undefined): void => {
    if (blocked === 'user') throw cognitoError('NotAuthorizedException', 'Password attempts exceeded');
    if (blocked === 'address') throw cognitoError('TooManyRequestsException', 'Too many failed sign-in attempts from this address: wait a few minutes.');
  };
  const guard = async (pool: StoredPool, name: string, address: string): Promise<void> => refuse(await state.limiter.blocked(`${pool.id}/${name}`, address));
  /** Checks a secret with the attempt already counted, so concurrent guesses see each other (sign-in-limiter `begin`). */
  const checked = async (pool: StoredPool, name: string, address: string, check: () => Promise<boolean>): Promise<boolean> => {
    const attempt = await state.limiter.begin(`${pool.id}/${name}`, address);
    refuse(attempt.blocked);
    let ok = false;
    try {
      ok = await check();
      return ok;
    } finally {
      await attempt.end(ok);
    }
  };

  /**
   * The PASSWORD_VERIFIER challenge of an SRP sign-in (also a step of CUSTOM_WITH_SRP, whose answers so far
   * ride along in `custom`). Unknown users get a challenge made from a throwaway verifier: the reply looks
   * like any other.
   */
  const passwordVerifier = async (
    pool: StoredPool,
    client: StoredClient,
    user: StoredUser | undefined,
    typed: string,
    srpA: string,
    custom: ChallengeSession['custom'],
  ): Promise<Record<string, unknown>> => {
    // A number of the 3072-bit group: 768 hex digits (a few more with leading zeros); it is kept with the session, which
    // anybody may open, so it is held to that.
    if (srpA.length > 1024 || !/^[0-9a-fA-F]+$/.test(srpA)) throw invalidParameter('SRP_A must be a hex number of the 3072-bit SRP group.');
    const userId = user?.username ?? typed;
    const verifier =
      user?.srpVerifier !== undefined && user.srpSalt !== undefined
        ? { salt: user.srpSalt, verifier: user.srpVerifier }
        : createVerifier(poolNameOf(pool.id), userId, randomBytes(16).toString('hex'));
    const { b, B } = serverEphemeral(verifier.verifier);
    const secretBlock = randomBytes(96).toString('base64');
    await state.sessions.create(
      {
        poolId: pool.id,
        clientId: client.id,
        username: userId,
        challenge: 'PASSWORD_VERIFIER',
        srp: { A: BigInt(`0x${srpA}`), b, B },
        ...(custom ? { custom } : {}),
      },
      secretBlock,
    );
    return {
      ChallengeName: 'PASSWORD_VERIFIER',
      ChallengeParameters: { SALT: verifier.salt, SECRET_BLOCK: secretBlock, SRP_B: B.toString(16), USERNAME: userId, USER_ID_FOR_SRP: userId },
    };
  };

  return {
    async InitiateAuth(input, ctx) {
      const { client, pool } = await requireClient(state, input.ClientId);
      const params = (input.AuthParameters ?? {}) as Record<string, unknown>;
      const flow = input.AuthFlow;
      const clientMetadata = clientMetadataOf(input);
      if (flow === 'REFRESH_TOKEN_AUTH' || flow === 'REFRESH_TOKEN')
        return refreshSignIn(
          state,
          client,
          pool,
          str(params, 'REFRESH_TOKEN'),
          (username) => checkSecretHash(client, username, params.SECRET_HASH),
          clientMetadata,
        );
      if (flow !== 'USER_SRP_AUTH' && flow !== 'USER_PASSWORD_AUTH' && flow !== 'CUSTOM_AUTH') {
        throw invalidParameter(`AuthFlow ${String(flow)} is not supported by Forte: use USER_SRP_AUTH, USER_PASSWORD_AUTH, CUSTOM_AUTH or REFRESH_TOKEN_AUTH.`);
      }
      if (flow === 'CUSTOM_AUTH') assertCustomAuthAllowed(pool, client);
      else assertFlowAllowed(client, flow);
      const typed = str(params, 'USERNAME');
      checkSecretHash(client, typed, params.SECRET_HASH);
      const address = addressOf(ctx);
      let user = await findUser(state, pool, typed);
      const limitKey = user?.username ?? (caseInsensitive(pool) ? typed.toLowerCase() : typed);
      if (flow === 'CUSTOM_AUTH') {
        await guard(pool, limitKey, address);
        // Only a LEGACY client tells an unknown name apart; otherwise the challenges run with userNotFound.
        if (!user && client.preventUserExistenceErrors === 'LEGACY') throw cognitoError('UserNotFoundException', 'User does not exist.');
        if (user) await runPreAuthentication(state, pool, user, client.id, clientMetadata);
        // CUSTOM_WITH_SRP starts with SRP_A: DefineAuthChallenge then asks for the password (PASSWORD_VERIFIER).
        const srpA = params.CHALLENGE_NAME === 'SRP_A' ? str(params, 'SRP_A') : undefined;
        const known = user;
        return nextCustomStep(state, {
          pool,
          client,
          username: user?.username ?? typed,
          user,
          history: srpA === undefined ? [] : [{ challengeName: 'SRP_A', challengeResult: true, challengeMetadata: null }],
          clientMetadata,
          ...(srpA === undefined
            ? {}
            : {
                passwordVerifier: (history: CustomChallengeResult[]) =>
                  passwordVerifier(pool, client, known, typed, srpA, { history, privateParameters: {}, challengeMetadata: null, userNotFound: !known }),
              }),
        });
      }
      if (flow === 'USER_PASSWORD_AUTH') {
        const password = str(params, 'PASSWORD');
        if (!user && pool.config.LambdaConfig?.UserMigration) {
          await guard(pool, limitKey, address);
          user = await migrateUser(state, pool, client, { typed, password, clientMetadata });
        }
        if (user) await runPreAuthentication(state, pool, user, client.id, clientMetadata);
        const known = user;
        // An unknown user costs the same hash as a known one, so timing does not tell them apart.
        const ok = await checked(
          pool,
          limitKey,
          address,
          async () => (await checkPassword(password, known?.passwordHash ?? UNKNOWN_USER_HASH)) && known !== undefined,
        );
        if (!known || !ok) throw incorrectCredentials();
        assertCanSignIn(known);
        return nextSignInStep(state, pool, client, known, { clientMetadata });
      }
      await guard(pool, limitKey, address);
      if (user) await runPreAuthentication(state, pool, user, client.id, clientMetadata);
      return passwordVerifier(pool, client, user, typed, str(params, 'SRP_A'), undefined);
    },

    async RespondToAuthChallenge(input, ctx) {
      const { client, pool } = await requireClient(state, input.ClientId);
      const responses = (input.ChallengeResponses ?? {}) as Record<string, unknown>;
      const challenge = input.ChallengeName;
      const clientMetadata = clientMetadataOf(input);
      if (client.secret !== undefined) checkSecretHash(client, str(responses, 'USERNAME'), responses.SECRET_HASH);
      if (challenge === 'PASSWORD_VERIFIER') {
        const secretBlock = str(responses, 'PASSWORD_CLAIM_SECRET_BLOCK');
        const session = await state.sessions.take(secretBlock, client.id);
        if (session.challenge !== 'PASSWORD_VERIFIER' || !session.srp) throw incorrectCredentials();
        const address = addressOf(ctx);
        const srp = session.srp;
        const timestamp = str(responses, 'TIMESTAMP');
        const signature = str(responses, 'PASSWORD_CLAIM_SIGNATURE');
        let user: StoredUser | undefined;
        const ok = await checked(pool, session.username, address, async () => {
          user = await state.users.get(pool.id, session.username);
          const at = parseSrpTimestamp(timestamp);
          return (
            user?.srpVerifier !== undefined &&
            at !== undefined &&
            Math.abs(at - Date.now()) < TIMESTAMP_SKEW_MS &&
            verifyPasswordClaim({
              ...srp,
              verifierHex: user.srpVerifier,
              poolName: poolNameOf(pool.id),
              userIdForSrp: user.username,
              secretBlock,
              timestamp,
              signature,
            })
          );
        });
        if (!user || !ok) throw incorrectCredentials();
        assertCanSignIn(user);
        if (session.custom) {
          const history = [...session.custom.history, { challengeName: 'PASSWORD_VERIFIER', challengeResult: true, challengeMetadata: null }];
          return nextCustomStep(state, { pool, client, username: user.username, user, history, clientMetadata });
        }
        return nextSignInStep(state, pool, client, user, { clientMetadata });
      }
      const session = await state.sessions.take(typeof input.Session === 'string' ? input.Session : undefined, client.id);
      if (session.challenge !== challenge) throw invalidParameter(`The session is for ${session.challenge}, not ${String(challenge)}.`);
      if (challenge === 'CUSTOM_CHALLENGE' && session.custom) {
        const found = session.custom.userNotFound ? undefined : await requireSessionUser(state, pool, session.username);
        if (found) await guard(pool, found.username, addressOf(ctx));
        return answerCustomChallenge(state, {
          pool,
          client,
          username: session.username,
          user: found,
          custom: session.custom,
          answer: str(responses, 'ANSWER'),
          clientMetadata,
        });
      }
      const user = await requireSessionUser(state, pool, session.username);
      const address = addressOf(ctx);
      await guard(pool, user.username, address);
      // A wrong MFA code counts as a failed sign-in, so a stolen password does not allow unlimited guesses.
      const mismatch = async (): Promise<Error> => {
        await state.limiter.fail(`${pool.id}/${user.username}`, address);
        return cognitoError('CodeMismatchException', 'Invalid code received for user');
      };
      switch (challenge) {
        case 'NEW_PASSWORD_REQUIRED': {
          const password = str(responses, 'NEW_PASSWORD');
          checkPasswordPolicy(pool.config, password);
          const given: Record<string, unknown>[] = [];
          for (const [key, value] of Object.entries(responses))
            if (key.startsWith('userAttributes.')) given.push({ Name: key.slice('userAttributes.'.length), Value: value });
          const changes = parseAttributes(given, 'userAttributes');
          checkUserWrite(pool, client, changes, user);
          Object.assign(user.attributes, changes);
          const missing = requiredAttributes(pool).filter((a) => !user.attributes[a]);
          if (missing.length > 0) throw invalidParameter(`Missing required attributes: ${missing.join(', ')}`);
          await setPassword(pool, user, password);
          user.status = 'CONFIRMED';
          await state.users.update(user);
          return nextSignInStep(state, pool, client, user, { clientMetadata, source: 'TokenGeneration_NewPasswordChallenge' });
        }
        case 'SOFTWARE_TOKEN_MFA': {
          const typed = str(responses, 'SOFTWARE_TOKEN_MFA_CODE');
          const secret = user.totpSecret;
          const step = await limitedTotpEntry(state, attempter(pool, user, user.username, address), async () =>
            secret === undefined ? undefined : matchTotp(secret, typed),
          );
          if (step === undefined) throw await mismatch();
          if (step <= (user.mfa.totpLastStep ?? -1)) throw cognitoError('ExpiredCodeException', 'Your software token has already been used once.');
          user.mfa = { ...user.mfa, totpLastStep: step };
          await state.users.update(user);
          return completeSignIn(state, pool, client, user, { clientMetadata });
        }
        case 'SMS_MFA': {
          const typed = str(responses, 'SMS_MFA_CODE');
          const result = await limitedCodeEntry(
            state,
            attempter(pool, user, user.username, address),
            () => state.users.useCode(pool.id, user.username, 'mfa', typed),
            { mfa: true },
          );
          if (result === 'mismatch' || result === 'exceeded') throw await mismatch();
          if (result === 'expired') throw cognitoError('ExpiredCodeException', 'The code has expired: sign in again for a new one.');
          return completeSignIn(state, pool, client, user, { clientMetadata });
        }
        case 'MFA_SETUP': {
          if (!session.totpVerified || !session.pendingTotpSecret)
            throw invalidParameter('Set up a software token first: AssociateSoftwareToken and VerifySoftwareToken with the Session.');
          user.totpSecret = session.pendingTotpSecret;
          user.mfa = { ...user.mfa, totpEnabled: true, totpVerified: true, preferred: 'SOFTWARE_TOKEN_MFA' };
          await state.users.update(user);
          return completeSignIn(state, pool, client, user, { clientMetadata });
        }
        default:
          throw invalidParameter(`ChallengeName ${String(challenge)} is not supported by Forte.`);
      }
    },

    async GetTokensFromRefreshToken(input) {
      const { client, pool } = await requireClient(state, input.ClientId);
      return refreshSignIn(state, client, pool, str(input, 'RefreshToken'), () => checkClientSecret(client, input.ClientSecret), clientMetadataOf(input));
    },

    async RevokeToken(input) {
      const { client } = await requireClient(state, input.ClientId);
      const entry = await state.users.getRefreshToken(str(input, 'Token'));
      if (entry && entry.clientId === client.id) await state.users.revokeOrigin(entry.originJti);
      return {};
    },

    async GlobalSignOut(input, ctx) {
      const { pool, user } = await userFromAccessToken(state, input.AccessToken, ctx);
      await state.users.revokeAll(pool.id, user.username);
      return {};
    },
  };
}

/**
 * The client's `ExplicitAuthFlows` must allow the flow. Without the setting Cognito allows SRP, refresh and
 * custom auth, so USER_PASSWORD_AUTH (the password itself on the wire) needs `ALLOW_USER_PASSWORD_AUTH`
 * or the legacy `USER_PASSWORD_AUTH`; SRP needs `ALLOW_USER_SRP_AUTH` when the ALLOW_ flows are listed.
 */
function assertFlowAllowed(client: StoredClient, flow: 'USER_SRP_AUTH' | 'USER_PASSWORD_AUTH'): void {
  const flows = client.explicitAuthFlows;
  if (flow === 'USER_PASSWORD_AUTH') {
    if (!flows?.some((f) => f === 'ALLOW_USER_PASSWORD_AUTH' || f === 'USER_PASSWORD_AUTH'))
      throw invalidParameter('USER_PASSWORD_AUTH flow not enabled for this client');
    return;
  }
  const modern = flows?.some((f) => f.startsWith('ALLOW_')) ?? false;
  if ((modern && !flows?.includes('ALLOW_USER_SRP_AUTH')) || flows?.includes('CUSTOM_AUTH_FLOW_ONLY'))
    throw invalidParameter('USER_SRP_AUTH is not enabled for this client');
}

/** A challenge answered in a session may not outlive the user it was for. */
async function requireSessionUser(state: CognitoState, pool: StoredPool, username: string): Promise<StoredUser> {
  const user = await state.users.get(pool.id, username);
  if (!user || !user.enabled) throw cognitoError('NotAuthorizedException', 'Invalid session for the user.');
  return user;
}
