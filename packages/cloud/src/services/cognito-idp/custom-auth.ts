import type { CustomChallengeResult } from './challenge-sessions.js';
import { cognitoError, incorrectCredentials, invalidParameter } from './cognito-error.js';
import type { CognitoState } from './cognito-state.js';
import type { StoredClient, StoredPool } from './pool-store.js';
import { assertCanSignIn } from './sign-in-step.js';
import { completeSignIn } from './signed-in-user.js';
import { eventAttributes, flag, hasTrigger, runTrigger, stringMap, text, unrecognizable } from './triggers.js';
import type { StoredUser } from './user-store.js';

/** Most challenges one custom sign-in may go through before it is refused (its session stays small). */
const MAX_CUSTOM_STEPS = 16;

/** Where a custom sign-in stands: the user (undefined when the name matched nobody), the answers so far. */
export interface CustomAuthProgress {
  pool: StoredPool;
  client: StoredClient;
  /** The name the session carries: the username, or the name typed when it matched nobody. */
  username: string;
  user: StoredUser | undefined;
  history: CustomChallengeResult[];
  clientMetadata: Record<string, string> | undefined;
  /** CUSTOM_WITH_SRP: the PASSWORD_VERIFIER challenge, when DefineAuthChallenge asks for it. */
  passwordVerifier?: (history: CustomChallengeResult[]) => Promise<Record<string, unknown>>;
}

/** Refuses CUSTOM_AUTH where it cannot run: a client that does not allow it, a pool without DefineAuthChallenge. */
export function assertCustomAuthAllowed(pool: StoredPool, client: StoredClient): void {
  const flows = client.explicitAuthFlows;
  const allowed = flows === undefined || flows.includes('ALLOW_CUSTOM_AUTH') || flows.includes('CUSTOM_AUTH_FLOW_ONLY');
  if (!allowed) throw invalidParameter('CUSTOM_AUTH is not enabled for this client.');
  if (!hasTrigger(pool, 'DefineAuthChallenge')) throw invalidParameter('Custom auth lambda trigger is not configured for the user pool.');
}

/**
 * One turn of the CUSTOM_AUTH flow: DefineAuthChallenge reads the answers so far and ends the sign-in
 * (tokens, or "Incorrect username or password.") or names the next challenge; a CUSTOM_CHALLENGE is made by
 * CreateAuthChallenge, whose public parameters go to the client and whose private ones wait in the
 * session for VerifyAuthChallengeResponse.
 */
export async function nextCustomStep(state: CognitoState, progress: CustomAuthProgress): Promise<Record<string, unknown>> {
  const { pool, client, username, user, history, clientMetadata } = progress;
  if (history.length > MAX_CUSTOM_STEPS) throw incorrectCredentials();
  const common = {
    userName: username,
    clientId: client.id,
  };
  const request = {
    userAttributes: user ? eventAttributes(user) : {},
    session: history,
    ...(clientMetadata ? { clientMetadata } : {}),
    userNotFound: user === undefined,
  };
  const define = await runTrigger(state, pool, 'DefineAuthChallenge', {
    ...common,
    triggerSource: 'DefineAuthChallenge_Authentication',
    request,
    response: { challengeName: null, issueTokens: false, failAuthentication: false },
  });
  if (!define) throw invalidParameter('Custom auth lambda trigger is not configured for the user pool.');
  if (flag(define, 'failAuthentication')) throw incorrectCredentials();
  if (flag(define, 'issueTokens')) {
    // A user the name did not match never gets tokens, whatever the function says.
    if (!user) throw incorrectCredentials();
    assertCanSignIn(user);
    return completeSignIn(state, pool, client, user, { clientMetadata });
  }
  const challengeName = text(define, 'challengeName');
  if (challengeName === 'PASSWORD_VERIFIER' && progress.passwordVerifier) return progress.passwordVerifier(history);
  if (challengeName !== 'CUSTOM_CHALLENGE') throw unrecognizable();
  const create = await runTrigger(state, pool, 'CreateAuthChallenge', {
    ...common,
    triggerSource: 'CreateAuthChallenge_Authentication',
    request: { ...request, challengeName },
    response: { publicChallengeParameters: null, privateChallengeParameters: null, challengeMetadata: null },
  });
  if (!create) throw cognitoError('InvalidParameterException', 'Create auth challenge lambda trigger is not configured for the user pool.');
  const publicParameters = stringMap(create, 'publicChallengeParameters') ?? {};
  const session = await state.sessions.create({
    poolId: pool.id,
    clientId: client.id,
    username,
    challenge: 'CUSTOM_CHALLENGE',
    custom: {
      history,
      privateParameters: stringMap(create, 'privateChallengeParameters') ?? {},
      challengeMetadata: text(create, 'challengeMetadata') ?? null,
      userNotFound: user === undefined,
    },
  });
  return { ChallengeName: 'CUSTOM_CHALLENGE', ChallengeParameters: { ...publicParameters, USERNAME: username }, Session: session };
}

/** An answer to a CUSTOM_CHALLENGE: VerifyAuthChallengeResponse judges it, then DefineAuthChallenge decides what follows. */
export async function answerCustomChallenge(
  state: CognitoState,
  progress: Omit<CustomAuthProgress, 'history'> & {
    custom: { history: CustomChallengeResult[]; privateParameters: Record<string, string>; challengeMetadata: string | null };
    answer: string;
  },
): Promise<Record<string, unknown>> {
  const { pool, client, username, user, custom, clientMetadata } = progress;
  const verify = await runTrigger(state, pool, 'VerifyAuthChallengeResponse', {
    userName: username,
    clientId: client.id,
    triggerSource: 'VerifyAuthChallengeResponse_Authentication',
    request: {
      userAttributes: user ? eventAttributes(user) : {},
      privateChallengeParameters: custom.privateParameters,
      challengeAnswer: progress.answer,
      ...(clientMetadata ? { clientMetadata } : {}),
      userNotFound: user === undefined,
    },
    response: { answerCorrect: false },
  });
  if (!verify) throw cognitoError('InvalidParameterException', 'Verify auth challenge response lambda trigger is not configured for the user pool.');
  const history = [
    ...custom.history,
    { challengeName: 'CUSTOM_CHALLENGE', challengeResult: flag(verify, 'answerCorrect') && user !== undefined, challengeMetadata: custom.challengeMetadata },
  ];
  return nextCustomStep(state, { pool, client, username, user, history, clientMetadata });
}
