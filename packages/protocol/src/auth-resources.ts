/**
 * Properties and attributes of the auth resource types (cloud handlers and the auth category's templates
 * share these). Attribute names follow CloudFormation's where one exists.
 */
export const AUTH_RESOURCE_TYPES = {
  userPool: 'Forte::Cognito::UserPool',
  userPoolClient: 'Forte::Cognito::UserPoolClient',
  userPoolGroup: 'Forte::Cognito::UserPoolGroup',
  identityPool: 'Forte::Cognito::IdentityPool',
} as const;

export type StandardAttribute =
  | 'address' | 'birthdate' | 'email' | 'family_name' | 'gender' | 'given_name' | 'locale' | 'middle_name' | 'name'
  | 'nickname' | 'phone_number' | 'picture' | 'preferred_username' | 'profile' | 'updated_at' | 'website' | 'zoneinfo';

/** `Forte::Cognito::UserPool` → attributes `UserPoolId` (`<region>_<id>`), `Arn`, `ProviderName`, `ProviderURL`. */
export interface UserPoolProperties {
  PoolName: string;
  /** Sign in with these instead of a username (Amplify's "email"/"phone" sign-in). */
  UsernameAttributes?: ('email' | 'phone_number')[];
  /** Sign in with a username or these aliases. */
  AliasAttributes?: ('email' | 'phone_number' | 'preferred_username')[];
  AutoVerifiedAttributes?: ('email' | 'phone_number')[];
  /** Attributes every user must have at sign-up. Can change on a live pool (users who lack one are reported). */
  RequiredAttributes?: StandardAttribute[];
  PasswordPolicy?: { MinimumLength?: number; RequireLowercase?: boolean; RequireUppercase?: boolean; RequireNumbers?: boolean; RequireSymbols?: boolean; TemporaryPasswordValidityDays?: number };
  MfaConfiguration?: 'OFF' | 'ON' | 'OPTIONAL';
  EnabledMfas?: ('SMS_MFA' | 'SOFTWARE_TOKEN_MFA')[];
  EmailVerificationSubject?: string;
  EmailVerificationMessage?: string;
  SmsVerificationMessage?: string;
  SmsAuthenticationMessage?: string;
  /**
   * false: usernames keep the case they were given, but sign-in, sign-up uniqueness, admin lookups and the
   * email / preferred_username aliases match in any case. Absent or true: exact case (Cognito's API
   * default). Fixed when the pool is created.
   */
  UsernameCaseSensitive?: boolean;
  /**
   * `AttributesRequireVerificationBeforeUpdate`: a change of these attributes waits for the code sent to
   * the new value; until then sign-in, tokens and GetUser keep the old (verified) value.
   */
  UserAttributeUpdateSettings?: { AttributesRequireVerificationBeforeUpdate: ('email' | 'phone_number')[] };
}

/** `Forte::Cognito::UserPoolClient` → attributes `ClientId`, `ClientSecret` (when generated). */
export interface UserPoolClientProperties {
  UserPoolId: string;
  ClientName: string;
  GenerateSecret?: boolean;
  RefreshTokenValidityDays?: number;
  /** Lifetime of access and ID tokens in `TokenValidityUnits` (default 60 minutes). Forte allows short lifetimes (tests of refresh). */
  AccessTokenValidity?: number;
  IdTokenValidity?: number;
  TokenValidityUnits?: { AccessToken?: 'seconds' | 'minutes' | 'hours' | 'days'; IdToken?: 'seconds' | 'minutes' | 'hours' | 'days' };
  ReadAttributes?: string[];
  WriteAttributes?: string[];
  /**
   * ENABLED (the default): ForgotPassword, ResendConfirmationCode, ConfirmForgotPassword and ConfirmSignUp
   * answer an unknown user as they would a known one (a simulated code delivery, a code mismatch).
   * LEGACY: they answer UserNotFoundException. Sign-in never tells an unknown user from a wrong password.
   */
  PreventUserExistenceErrors?: 'ENABLED' | 'LEGACY';
}

/** `Forte::Cognito::UserPoolGroup` → attributes `GroupName`. */
export interface UserPoolGroupProperties {
  UserPoolId: string;
  GroupName: string;
  Precedence?: number;
  RoleArn?: string;
  Description?: string;
}

/** `Forte::Cognito::IdentityPool` → attributes `IdentityPoolId` (`<region>:<uuid>`), `IdentityPoolName`. */
export interface IdentityPoolProperties {
  IdentityPoolName: string;
  AllowUnauthenticatedIdentities: boolean;
  /** User pool clients whose ID tokens the pool accepts: ProviderName `cognito-idp.<region>.amazonaws.com/<poolId>`. */
  CognitoIdentityProviders?: { ProviderName: string; ClientId: string }[];
  /** The roles handed out (Amplify's AuthRole / UnauthRole). */
  Roles: { authenticated: string; unauthenticated?: string };
}

/**
 * The cloud's mailbox (verification, reset and MFA codes): `POST /mailbox-api/` with
 * `X-Amz-Target: ForteMailbox.ListMessages` (JSON 1.1, SigV4 service `forte`, admin keys).
 */
export const MAILBOX_API_PATH = '/mailbox-api/';
export const MAILBOX_TARGET_PREFIX = 'ForteMailbox.';

export interface MailboxMessage {
  messageId: string;
  /** Email address or phone number. */
  to: string;
  medium: 'EMAIL' | 'SMS';
  subject?: string;
  body: string;
  /** The code the message carries, if any. */
  code?: string;
  /** SignUp, ResendCode, ForgotPassword, VerifyAttribute, Mfa, AdminCreateUser. */
  purpose: string;
  userPoolId: string;
  username: string;
  createdAt: string;
}

export interface MailboxOperations {
  /** Newest first; `to` filters by recipient. */
  ListMessages: { input: { to?: string; limit?: number }; output: { messages: MailboxMessage[] } };
}
