import type { CognitoLimits, CognitoLimitSettings } from './cognito-limits.js';

/**
 * Defaults close to Cognito's: it allows 5 to 20 requests or entries of a reset code per user per hour,
 * 5 ChangePassword calls per user per hour, and locks sign-in after 5 failures (growing to about 15
 * minutes). Per address they leave room for many users behind one NAT.
 */
export const DEFAULT_COGNITO_LIMITS: CognitoLimits = {
  codeAttempts: { perUser: 5, perAddress: 50, windowSeconds: 3600, lockSeconds: 900 },
  passwordChanges: { perUser: 5, perAddress: 50, windowSeconds: 3600, lockSeconds: 900 },
  codeSends: { perUser: 5, perAddress: 100, windowSeconds: 3600 },
  signIns: { perUser: 5, perAddress: 50, windowSeconds: 900 },
  signUps: { perAddress: 100, windowSeconds: 3600 },
  mailbox: { perRecipient: 50, perPool: 10_000, total: 100_000 },
  triggers: { timeoutSeconds: 5 },
};

/** The settings given, each missing field taken from the defaults. */
export function resolveCognitoLimits(settings: CognitoLimitSettings = {}): CognitoLimits {
  return {
    codeAttempts: { ...DEFAULT_COGNITO_LIMITS.codeAttempts, ...settings.codeAttempts },
    passwordChanges: { ...DEFAULT_COGNITO_LIMITS.passwordChanges, ...settings.passwordChanges },
    codeSends: { ...DEFAULT_COGNITO_LIMITS.codeSends, ...settings.codeSends },
    signIns: { ...DEFAULT_COGNITO_LIMITS.signIns, ...settings.signIns },
    signUps: { ...DEFAULT_COGNITO_LIMITS.signUps, ...settings.signUps },
    mailbox: { ...DEFAULT_COGNITO_LIMITS.mailbox, ...settings.mailbox },
    triggers: { ...DEFAULT_COGNITO_LIMITS.triggers, ...settings.triggers },
  };
}
