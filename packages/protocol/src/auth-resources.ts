/**
 * Properties and attributes of the auth resource types (cloud handlers and the auth category's templates
 * share these). Attribute names follow CloudFormation's where one exists.
 */
export const AUTH_RESOURCE_TYPES = {
  userPool: 'Forte::Cognito::UserPool',
  userPoolClient: 'Forte::Cognito::UserPoolClient',
  userPoolGroup: 'Forte::Cognito::UserPoolGroup',
  userPoolDomain: 'Forte::Cognito::UserPoolDomain',
  userPoolIdentityProvider: 'Forte::Cognito::UserPoolIdentityProvider',
  identityPool: 'Forte::Cognito::IdentityPool',
} as const;

/** Cognito's standard attributes: the ones every user pool has besides `sub`. */
export const STANDARD_ATTRIBUTES = [
  'address',
  'birthdate',
  'email',
  'family_name',
  'gender',
  'given_name',
  'locale',
  'middle_name',
  'name',
  'nickname',
  'phone_number',
  'picture',
  'preferred_username',
  'profile',
  'updated_at',
  'website',
  'zoneinfo',
] as const;

export type StandardAttribute = (typeof STANDARD_ATTRIBUTES)[number];

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
  PasswordPolicy?: {
    MinimumLength?: number;
    RequireLowercase?: boolean;
    RequireUppercase?: boolean;
    RequireNumbers?: boolean;
    RequireSymbols?: boolean;
    TemporaryPasswordValidityDays?: number;
  };
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
  /**
   * CloudFormation's `Schema`: custom attributes (`Name: "tier"` is the attribute `custom:tier`;
   * `DeveloperOnlyAttribute: true` makes it `dev:custom:tier`, which only admin operations read and write),
   * and settings of standard attributes (`Mutable: false`, `Required: true`). Users can write only the
   * standard attributes and the declared custom ones; an attribute with `Mutable: false` is set at creation
   * and never changes.
   */
  Schema?: UserPoolSchemaAttribute[];
  /**
   * CloudFormation's `LambdaConfig`: the functions (ARN or name) the pool invokes at each step, with
   * Cognito's trigger events (services/cognito-idp/README.md, "Lambda triggers"). `PreTokenGenerationConfig`
   * chooses the event version (`V1_0`: ID token only; `V2_0`: ID and access tokens) and wins over
   * `PreTokenGeneration`.
   */
  LambdaConfig?: UserPoolLambdaConfig;
}

/** The trigger functions of a user pool, each a function name or ARN. */
export interface UserPoolLambdaConfig {
  PreSignUp?: string;
  PostConfirmation?: string;
  PreAuthentication?: string;
  PostAuthentication?: string;
  PreTokenGeneration?: string;
  PreTokenGenerationConfig?: { LambdaArn: string; LambdaVersion?: 'V1_0' | 'V2_0' | 'V3_0' };
  CustomMessage?: string;
  DefineAuthChallenge?: string;
  CreateAuthChallenge?: string;
  VerifyAuthChallengeResponse?: string;
  UserMigration?: string;
}

export interface UserPoolSchemaAttribute {
  Name: string;
  AttributeDataType?: 'String' | 'Number' | 'DateTime' | 'Boolean';
  /** Default true (CloudFormation's default). */
  Mutable?: boolean;
  Required?: boolean;
  DeveloperOnlyAttribute?: boolean;
  StringAttributeConstraints?: { MinLength?: string | number; MaxLength?: string | number };
  NumberAttributeConstraints?: { MinValue?: string | number; MaxValue?: string | number };
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
  /**
   * What this client's users read (GetUser, the ID token); absent: every attribute (Cognito's default).
   * `sub` is always readable; `email_verified` / `phone_number_verified` only when listed.
   */
  ReadAttributes?: string[];
  /** What this client's users may write (SignUp, UpdateUserAttributes); absent: every mutable attribute. */
  WriteAttributes?: string[];
  /**
   * Sign-in flows the client allows (`ALLOW_USER_SRP_AUTH`, `ALLOW_USER_PASSWORD_AUTH`,
   * `ALLOW_REFRESH_TOKEN_AUTH`, `ALLOW_CUSTOM_AUTH`, `ALLOW_ADMIN_USER_PASSWORD_AUTH`, or the legacy
   * `USER_PASSWORD_AUTH`, `ADMIN_NO_SRP_AUTH`, `CUSTOM_AUTH_FLOW_ONLY`). Absent: Cognito's default, SRP,
   * refresh and custom auth, so USER_PASSWORD_AUTH must be allowed explicitly.
   */
  ExplicitAuthFlows?: string[];
  /**
   * ENABLED (the default): ForgotPassword, ResendConfirmationCode, ConfirmForgotPassword and ConfirmSignUp
   * answer an unknown user as they would a known one (a simulated code delivery, a code mismatch).
   * LEGACY: they answer UserNotFoundException. Sign-in never tells an unknown user from a wrong password.
   */
  PreventUserExistenceErrors?: 'ENABLED' | 'LEGACY';
  /**
   * The hosted UI's OAuth 2.0 settings, CloudFormation's names: `AllowedOAuthFlowsUserPoolClient: true`
   * lets the client use the pool's domain (`/oauth2/authorize`, `/oauth2/token`) with these flows (`code`,
   * `implicit`, `client_credentials`) and scopes (`openid`, `email`, `phone`, `profile`,
   * `aws.cognito.signin.user.admin`), redirecting only to these exact URLs. `SupportedIdentityProviders`:
   * `COGNITO` (the pool's own users).
   */
  AllowedOAuthFlowsUserPoolClient?: boolean;
  AllowedOAuthFlows?: ('code' | 'implicit' | 'client_credentials')[];
  AllowedOAuthScopes?: string[];
  CallbackURLs?: string[];
  LogoutURLs?: string[];
  DefaultRedirectURI?: string;
  SupportedIdentityProviders?: string[];
}

/**
 * `Forte::Cognito::UserPoolDomain` (CloudFormation's `AWS::Cognito::UserPoolDomain` shape): the pool's hosted UI
 * and OAuth 2.0 endpoints under a domain prefix (lowercase letters, digits, hyphens), one per pool. `Ref` is the
 * prefix; attribute `Address` is the domain as aws-amplify's `oauth.domain` takes it: the cloud's HTTPS host
 * and port followed by `/hosted-ui/<prefix>` (the client prepends `https://`).
 */
export interface UserPoolDomainProperties {
  UserPoolId: string;
  Domain: string;
}

/** Where a pool's domain lives under the cloud's HTTPS origin: `<origin>/hosted-ui/<prefix>`. */
export const HOSTED_UI_PATH = '/hosted-ui/';

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
  /**
   * How signed-in users get a role other than `Roles.authenticated`, per login provider, in the shape of
   * CloudFormation's `AWS::Cognito::IdentityPoolRoleAttachment` `RoleMappings`: the key (or `IdentityProvider`)
   * is `cognito-idp.<region>.amazonaws.com/<userPoolId>:<appClientId>`. Without a mapping for a user's
   * provider, the user gets `Roles.authenticated`. Every role handed out must trust the identity pool
   * (its `AssumeRolePolicyDocument`).
   */
  RoleMappings?: Record<string, IdentityPoolRoleMapping>;
}

/**
 * `Token`: the role of the user's highest-precedence group with a role (`cognito:preferred_role`, from the
 * user pool's groups), or one of the group roles (`cognito:roles`) the client asks for with `CustomRoleArn`.
 * `Rules`: the first rule whose claim matches names the role. `AmbiguousRoleResolution` says what happens
 * when neither gives a role: the pool's authenticated role, or a refusal (`Deny`).
 */
export interface IdentityPoolRoleMapping {
  Type: 'Token' | 'Rules';
  AmbiguousRoleResolution: 'AuthenticatedRole' | 'Deny';
  IdentityProvider?: string;
  RulesConfiguration?: { Rules: IdentityPoolMappingRule[] };
}

export interface IdentityPoolMappingRule {
  /** A claim of the ID token (`cognito:groups`, `email`, `custom:tier`...). */
  Claim: string;
  MatchType: 'Equals' | 'Contains' | 'StartsWith' | 'NotEqual';
  Value: string;
  RoleARN: string;
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
  /** Newest first; `to` filters by recipient, `userPoolId` by pool, `username` by user (with the pool: that user). */
  ListMessages: { input: { to?: string; userPoolId?: string; username?: string; limit?: number }; output: { messages: MailboxMessage[] } };
}
