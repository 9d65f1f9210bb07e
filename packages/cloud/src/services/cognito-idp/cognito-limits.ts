/**
 * Failed attempts at a secret (a one-time code, a previous password): at most `perUser` per user and
 * `perAddress` per client address within `windowSeconds`; reaching either locks further attempts (even
 * right ones) for `lockSeconds`.
 */
export interface AttemptLimit {
  perUser: number;
  perAddress: number;
  windowSeconds: number;
  lockSeconds: number;
}

/** Requests (codes sent, sign-ups) per user and per client address within `windowSeconds`. */
export interface RateLimit {
  perUser: number;
  perAddress: number;
  windowSeconds: number;
}

/** What the user pools allow before they refuse; see services/cognito-idp/README.md, "Limits". */
export interface CognitoLimits {
  /** Wrong one-time codes (sign-up, password reset, attribute, MFA), all codes of a user together. */
  codeAttempts: AttemptLimit;
  /** Wrong previous passwords in ChangePassword. */
  passwordChanges: AttemptLimit;
  /** Codes sent on request: ForgotPassword, ResendConfirmationCode, GetUserAttributeVerificationCode. */
  codeSends: RateLimit;
  /** Failed sign-ins (wrong passwords and MFA codes), counted in SQL (sign-in-limiter.ts). */
  signIns: RateLimit;
  /** SignUp calls per client address (`perUser` is not used: a sign-up has no user yet). */
  signUps: Pick<RateLimit, 'perAddress' | 'windowSeconds'>;
  /** Messages the mailbox keeps: the newest per recipient, per user pool and in all; older ones are dropped. */
  mailbox: { perRecipient: number; perPool: number; total: number };
  /** How long a Lambda trigger may take before the call fails (Cognito waits 5 seconds). */
  triggers: { timeoutSeconds: number };
}

/** CognitoLimits with any field left out (it takes its default). */
export type CognitoLimitSettings = { [K in keyof CognitoLimits]?: Partial<CognitoLimits[K]> };
