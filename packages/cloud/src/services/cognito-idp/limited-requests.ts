import type { AttemptLimit } from './cognito-limits.js';
import type { LimitRule } from './attempt-limits.js';
import { cognitoError } from './cognito-error.js';
import { caseInsensitive, type CognitoState } from './cognito-state.js';
import type { StoredPool } from './pool-store.js';
import type { StoredUser } from './user-store.js';

/** Who makes an attempt: the user (or the name typed, for a user who does not exist) and the client's address. */
export interface Attempter {
  poolId: string;
  /** user-store username of the user, else the typed name (folded in a case-insensitive pool). */
  userKey: string;
  address: string;
}

/**
 * The name an attempt counts against: the user's, so every way of naming them (username, email, phone)
 * shares one count; for a user who does not exist, the typed name, counted the same way, so an unknown
 * user is throttled exactly like a known one.
 */
export function attempter(pool: StoredPool, user: StoredUser | undefined, typed: string, address: string): Attempter {
  return { poolId: pool.id, userKey: user?.username ?? (caseInsensitive(pool) ? typed.toLowerCase() : typed), address };
}

/** Cognito's answer to a user over a limit of attempts or requests. */
export function attemptLimitExceeded(): Error {
  return cognitoError('LimitExceededException', 'Attempt limit exceeded, please try after some time.');
}

function addressLimitExceeded(): Error {
  return cognitoError('TooManyRequestsException', 'Too many requests from this address: try again later.');
}

interface Rules {
  kind: string;
  poolId: string;
  user: LimitRule;
  address: LimitRule;
}

function rules(kind: string, limit: Omit<AttemptLimit, 'lockSeconds'> & { lockSeconds?: number }, who: Attempter): Rules {
  const common = { windowMs: limit.windowSeconds * 1000, lockMs: (limit.lockSeconds ?? 0) * 1000 };
  return {
    kind,
    poolId: who.poolId,
    user: { key: `${kind}/user/${who.poolId}/${who.userKey}`, max: limit.perUser, ...common },
    address: { key: `${kind}/address/${who.address}`, max: limit.perAddress, ...common },
  };
}

/**
 * Runs `check` of a secret the user typed unless the user or the address is locked out, and counts it:
 * `right(result)` forgives it, anything else is a failure, and the failure that reaches a limit locks it
 * for its `lockSeconds` (right answers are refused too until then). Every attempt while locked gets
 * `errors.userLocked()` (Cognito: LimitExceededException, or "Password attempts exceeded" during
 * sign-in), or TooManyRequestsException for a locked address; with `errors.failureThatLocks`, so does
 * the failure that starts the lock. The attempt is counted before `check` runs, so concurrent guesses
 * cannot all slip under the limit; one that throws stays counted.
 */
async function limitedAttempt<T>(
  state: CognitoState,
  rule: Rules,
  errors: { userLocked: () => Error; failureThatLocks?: boolean },
  check: () => Promise<T>,
  right: (result: T) => boolean,
): Promise<T> {
  const { userLocked } = errors;
  const all = [rule.user, rule.address];
  const refused = await state.limits.take(all);
  if (refused) throw refused === rule.user ? userLocked() : addressLimitExceeded();
  const result = await check();
  if (right(result)) {
    await state.limits.succeeded({ reset: [rule.user], forgive: [rule.address] });
    return result;
  }
  const locked = await state.limits.failed(all);
  // One line when a lock starts (not one per refusal); no name, code or password.
  if (locked)
    state.kernel.log.warn('too many failed attempts: locked', {
      limit: rule.kind,
      scope: locked === rule.user ? 'user' : 'address',
      poolId: rule.poolId,
      lockSeconds: locked.lockMs / 1000,
    });
  if (locked && errors.failureThatLocks) throw locked === rule.user ? userLocked() : addressLimitExceeded();
  return result;
}

type CodeResult = 'ok' | 'mismatch' | 'expired' | 'exceeded';

/**
 * A one-time code typed by `who` (sign-up, reset, attribute or MFA code; all of a user's codes share one
 * count, so a new code does not start it over). `check` answers as user-store `useCode`; an expired code
 * was known, so it does not count as a guess. A code dropped after its own wrong guesses ('exceeded')
 * answers as a wrong one: only the user's count decides when the answer becomes LimitExceededException
 * (from the failure that locks on), the same for a user who does not exist (who has no code). `mfa`
 * answers as sign-in does: CodeMismatchException for every wrong code, "Password attempts exceeded" once locked.
 */
export async function limitedCodeEntry<T extends CodeResult | { result: CodeResult }>(
  state: CognitoState,
  who: Attempter,
  check: () => Promise<T>,
  options: { mfa?: boolean } = {},
): Promise<T> {
  const userLocked = options.mfa ? () => cognitoError('NotAuthorizedException', 'Password attempts exceeded') : attemptLimitExceeded;
  const resultOf = (answer: T): CodeResult => (typeof answer === 'string' ? answer : answer.result);
  const answer = await limitedAttempt(
    state,
    rules('code', state.limitSettings.codeAttempts, who),
    { userLocked, failureThatLocks: !options.mfa },
    check,
    (a) => resultOf(a) === 'ok' || resultOf(a) === 'expired',
  );
  if (resultOf(answer) !== 'exceeded') return answer;
  return (typeof answer === 'string' ? 'mismatch' : { ...(answer as { result: CodeResult }), result: 'mismatch' }) as T;
}

/** A TOTP code typed at sign-in by `who`: counted with the user's other codes. `check` answers the matched time step, or undefined. */
export async function limitedTotpEntry(state: CognitoState, who: Attempter, check: () => Promise<number | undefined>): Promise<number | undefined> {
  const userLocked = (): Error => cognitoError('NotAuthorizedException', 'Password attempts exceeded');
  return limitedAttempt(state, rules('code', state.limitSettings.codeAttempts, who), { userLocked }, check, (step) => step !== undefined);
}

/** A previous password typed in ChangePassword: `check` answers whether it was right. */
export async function limitedPasswordCheck(state: CognitoState, who: Attempter, check: () => Promise<boolean>): Promise<boolean> {
  return limitedAttempt(state, rules('password', state.limitSettings.passwordChanges, who), { userLocked: attemptLimitExceeded }, check, (ok) => ok);
}

/** Counts one code sent on request (ForgotPassword, ResendConfirmationCode, GetUserAttributeVerificationCode), or refuses it. */
export async function limitCodeSend(state: CognitoState, who: Attempter): Promise<void> {
  const rule = rules('send', state.limitSettings.codeSends, who);
  const refused = await state.limits.take([rule.user, rule.address]);
  if (refused) throw refused === rule.user ? attemptLimitExceeded() : addressLimitExceeded();
}

/** Counts one SignUp from `address`, or refuses it. */
export async function limitSignUp(state: CognitoState, address: string): Promise<void> {
  const limit = state.limitSettings.signUps;
  const refused = await state.limits.take([{ key: `signup/address/${address}`, max: limit.perAddress, windowMs: limit.windowSeconds * 1000, lockMs: 0 }]);
  if (refused) throw cognitoError('TooManyRequestsException', 'Too many sign-ups from this address: try again later.');
}
