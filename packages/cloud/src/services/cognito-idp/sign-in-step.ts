import { cognitoError } from './cognito-error.js';
import { type CognitoState } from './cognito-state.js';
import { deliverCode } from './deliver-code.js';
import type { StoredClient, StoredPool } from './pool-store.js';
import { completeSignIn, type SignInContext } from './signed-in-user.js';
import { CODE_TTL_MS, type StoredUser } from './user-store.js';

/** Refuses sign-in for users who cannot sign in yet, after their password was proven. */
export function assertCanSignIn(user: StoredUser): void {
  if (!user.enabled) throw cognitoError('NotAuthorizedException', 'User is disabled.');
  if (user.status === 'UNCONFIRMED') throw cognitoError('UserNotConfirmedException', 'User is not confirmed.');
  if (user.status === 'RESET_REQUIRED') throw cognitoError('PasswordResetRequiredException', 'Password reset required for the user');
}

/**
 * What follows a proven password: a new password (after AdminCreateUser), an MFA challenge, MFA setup
 * when the pool requires MFA and the user has none, or the tokens.
 */
export async function nextSignInStep(
  state: CognitoState,
  pool: StoredPool,
  client: StoredClient,
  user: StoredUser,
  context: SignInContext = {},
): Promise<Record<string, unknown>> {
  const base = { poolId: pool.id, clientId: client.id, username: user.username };
  if (user.status === 'FORCE_CHANGE_PASSWORD') {
    const missing = (pool.config.RequiredAttributes ?? []).filter((a) => !user.attributes[a]).map((a) => `userAttributes.${a}`);
    const shown = Object.fromEntries(Object.entries(user.attributes).filter(([n]) => !n.endsWith('_verified')));
    return {
      ChallengeName: 'NEW_PASSWORD_REQUIRED',
      ChallengeParameters: { USER_ID_FOR_SRP: user.username, requiredAttributes: JSON.stringify(missing), userAttributes: JSON.stringify(shown) },
      Session: await state.sessions.create({ ...base, challenge: 'NEW_PASSWORD_REQUIRED' }),
    };
  }
  const mfaMode = pool.config.MfaConfiguration ?? 'OFF';
  if (mfaMode !== 'OFF') {
    const totp = user.mfa.totpEnabled && user.totpSecret !== undefined;
    const sms = user.mfa.smsEnabled && user.attributes.phone_number !== undefined;
    const useTotp = totp && (!sms || user.mfa.preferred !== 'SMS_MFA');
    if (useTotp) {
      return {
        ChallengeName: 'SOFTWARE_TOKEN_MFA',
        ChallengeParameters: {},
        Session: await state.sessions.create({ ...base, challenge: 'SOFTWARE_TOKEN_MFA' }),
      };
    }
    if (sms) {
      const code = await state.users.newCode(pool.id, user.username, 'mfa', CODE_TTL_MS.mfa);
      const delivery = await deliverCode(state, pool, user, 'Mfa', code, 'phone_number', { clientId: client.id, clientMetadata: context.clientMetadata });
      return {
        ChallengeName: 'SMS_MFA',
        ChallengeParameters: { CODE_DELIVERY_DELIVERY_MEDIUM: 'SMS', CODE_DELIVERY_DESTINATION: delivery.Destination },
        Session: await state.sessions.create({ ...base, challenge: 'SMS_MFA' }),
      };
    }
    if (mfaMode === 'ON') {
      const enabled = pool.config.EnabledMfas ?? ['SOFTWARE_TOKEN_MFA'];
      if (!enabled.includes('SOFTWARE_TOKEN_MFA')) {
        throw cognitoError(
          'InvalidParameterException',
          'MFA is required but the user has no phone number for SMS_MFA: add phone_number to the user or enable SOFTWARE_TOKEN_MFA on the pool.',
        );
      }
      return {
        ChallengeName: 'MFA_SETUP',
        ChallengeParameters: { MFAS_CAN_SETUP: JSON.stringify(['SOFTWARE_TOKEN_MFA']) },
        Session: await state.sessions.create({ ...base, challenge: 'MFA_SETUP' }),
      };
    }
  }
  return completeSignIn(state, pool, client, user, context);
}
