import { caseInsensitive, findUser, type CognitoState } from './cognito-state.js';
import { userFacingMessage } from './hosted-ui-http.js';
import { requiredAttributes } from './attribute-schema.js';
import { checkPassword, UNKNOWN_USER_HASH } from './password-hash.js';
import { checkPasswordPolicy, setPassword } from './password-setting.js';
import type { StoredClient, StoredPool } from './pool-store.js';
import { runPreAuthentication } from './trigger-steps.js';
import type { StoredUser } from './user-store.js';
import { mfaStepOf } from './hosted-ui-mfa.js';

const INCORRECT = 'Incorrect username or password.';

/**
 * A password sign-in on the hosted UI's form, under the pool's rules: the same failure counting and locks as
 * InitiateAuth (per user and per address, in SQL), the PreAuthentication trigger, and the same answer for an
 * unknown user as for a wrong password. Users who cannot finish here are told why and what to do: disabled,
 * unconfirmed or a password to reset. A user with a temporary password (FORCE_CHANGE_PASSWORD) goes on to choose
 * a new one (`setNewPassword`); one the pool asks for a second factor goes on to the MFA page (hosted-ui-mfa.ts).
 */
export async function signInOnForm(
  state: CognitoState,
  pool: StoredPool,
  client: StoredClient,
  typed: string,
  password: string,
  address: string,
): Promise<
  { ok: true; user: StoredUser } | { ok: 'new-password'; user: StoredUser } | { ok: 'mfa' | 'unconfirmed'; user: StoredUser } | { ok: false; message: string }
> {
  if (typed === '' || password === '') return { ok: false, message: 'Enter your username and password.' };
  if (typed.length > 128 || password.length > 256) return { ok: false, message: INCORRECT };
  const user = await findUser(state, pool, typed);
  const limitKey = user?.username ?? (caseInsensitive(pool) ? typed.toLowerCase() : typed);
  if (user) {
    try {
      await runPreAuthentication(state, pool, user, client.id, undefined);
    } catch (error) {
      return { ok: false, message: userFacingMessage(error) };
    }
  }
  const attempt = await state.limiter.begin(`${pool.id}/${limitKey}`, address);
  if (attempt.blocked === 'user') return { ok: false, message: 'Password attempts exceeded: wait a few minutes before you try again.' };
  if (attempt.blocked === 'address') return { ok: false, message: 'Too many failed sign-in attempts from this address: wait a few minutes.' };
  let ok = false;
  try {
    ok = (await checkPassword(password, user?.passwordHash ?? UNKNOWN_USER_HASH)) && user !== undefined;
  } finally {
    await attempt.end(ok);
  }
  if (!ok || !user) return { ok: false, message: INCORRECT };
  if (!user.enabled) return { ok: false, message: 'User is disabled.' };
  // Unconfirmed: the confirm page asks for the code (hosted-ui-account.ts), and the proven password then signs in.
  if (user.status === 'UNCONFIRMED') return { ok: 'unconfirmed', user };
  if (user.status === 'RESET_REQUIRED')
    return { ok: false, message: 'Your password must be reset: use "Forgot your password?" below, then sign in here with the new one.' };
  // A temporary password (AdminCreateUser): the next page asks for the new one (then the second factor, if any).
  if (user.status === 'FORCE_CHANGE_PASSWORD') return { ok: 'new-password', user };
  if (mfaStepOf(pool, user) !== undefined) return { ok: 'mfa', user };
  return { ok: true, user };
}

/**
 * The new password of a user who signed in with a temporary one: the pool's password policy, the attributes
 * the pool requires (which this page does not ask for: such a user is told to finish in the app), then the user
 * is CONFIRMED with the new password, as RespondToAuthChallenge NEW_PASSWORD_REQUIRED does.
 */
export async function setNewPassword(
  state: CognitoState,
  pool: StoredPool,
  user: StoredUser,
  password: string,
  confirmation: string,
): Promise<{ ok: true } | { ok: false; message: string }> {
  if (password !== confirmation) return { ok: false, message: 'The two passwords differ: type the same new password twice.' };
  try {
    checkPasswordPolicy(pool.config, password);
  } catch (error) {
    return { ok: false, message: userFacingMessage(error) };
  }
  const missing = requiredAttributes(pool).filter((name) => !user.attributes[name]);
  if (missing.length > 0)
    return { ok: false, message: `Your account still needs ${missing.join(', ')}, which this page cannot ask for: sign in once in the app to finish it.` };
  await setPassword(pool, user, password);
  user.status = 'CONFIRMED';
  await state.users.update(user);
  return { ok: true };
}
