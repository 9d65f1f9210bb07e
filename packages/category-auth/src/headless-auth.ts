import { randomBytes } from 'node:crypto';
import { UserError } from '@forte/protocol';
import { z } from 'zod';
import { describeIssues, MFA_SMS, MFA_TOTP, type CognitoConfig, type PasswordCharacter } from './cognito-config.js';
import { IDENTITY_SOCIAL_PROVIDERS, setFederation, type IdentitySocialProvider } from './identity-pool-federation.js';
import {
  applePrivateKey,
  applyOAuthSettings,
  checkApplePrivateKey,
  checkOAuthSettings,
  HEADLESS_PROVIDERS,
  OAUTH_SCOPES,
  oauthSettingsOf,
  removeOAuthSettings,
  type OAuthFlow,
  type OAuthScope,
  type OAuthSettings,
  type ProviderCredentials,
  type SocialProvider,
} from './oauth-config.js';

const attributeName = z.enum([
  'ADDRESS',
  'BIRTHDATE',
  'EMAIL',
  'FAMILY_NAME',
  'MIDDLE_NAME',
  'GENDER',
  'LOCALE',
  'GIVEN_NAME',
  'NAME',
  'NICKNAME',
  'PHONE_NUMBER',
  'PREFERRED_USERNAME',
  'PICTURE',
  'PROFILE',
  'UPDATED_AT',
  'WEBSITE',
  'ZONE_INFO',
]);
const signinMethod = z.enum(['USERNAME', 'EMAIL', 'PHONE_NUMBER', 'EMAIL_AND_PHONE_NUMBER']);
const aliasAttribute = z.enum(['PREFERRED_USERNAME', 'EMAIL', 'PHONE_NUMBER']);
const mfa = z.union([
  z.object({ mode: z.literal('OFF') }).strict(),
  z.object({ mode: z.enum(['OPTIONAL', 'ON']), mfaTypes: z.array(z.enum(['SMS', 'TOTP'])).min(1), smsMessage: z.string().optional() }).strict(),
]);
const passwordPolicy = z
  .object({
    minimumLength: z.number().int().min(6).max(99).optional(),
    additionalConstraints: z.array(z.enum(['REQUIRE_LOWERCASE', 'REQUIRE_UPPERCASE', 'REQUIRE_DIGIT', 'REQUIRE_SYMBOL'])).optional(),
  })
  .strict();
const autoVerified = z.array(
  z
    .object({
      type: z.enum(['EMAIL', 'PHONE_NUMBER']),
      verificationMessage: z.string().optional(),
      verificationSubject: z.string().optional(),
    })
    .strict(),
);
const groups = z.array(z.object({ groupName: z.string().min(1), customPolicy: z.unknown().optional() }).strict());
// The identity pool's social federation is not part of Forte yet: refused by name.
/** The identity pool's own social providers: Amplify's IdentitySocialFederation list. */
const identitySocialFederation = z.array(
  z.object({ provider: z.enum(IDENTITY_SOCIAL_PROVIDERS as [IdentitySocialProvider, ...IdentitySocialProvider[]]), clientId: z.string().min(1) }).strict(),
);
const socialProvider = z.discriminatedUnion('provider', [
  z.object({ provider: z.enum(['FACEBOOK', 'GOOGLE', 'LOGIN_WITH_AMAZON']), clientId: z.string().min(1), clientSecret: z.string().min(1) }).strict(),
  z
    .object({
      provider: z.literal('SIGN_IN_WITH_APPLE'),
      clientId: z.string().min(1),
      teamId: z.string().min(1),
      keyId: z.string().min(1),
      /** May be left out of an update: the stored key is kept. */
      privateKey: z.string().min(1).optional(),
    })
    .strict(),
]);
/**
 * Amplify's CognitoOAuthConfiguration. `{}` turns OAuth off; on update, a non-empty value replaces the whole
 * previous configuration, except that a field left out keeps its value (the domain, the URIs, the flow, the
 * scopes; social providers left out are removed).
 */
const oAuth = z
  .object({
    domainPrefix: z.string().optional(),
    redirectSigninURIs: z.array(z.string()).optional(),
    redirectSignoutURIs: z.array(z.string()).optional(),
    oAuthGrantType: z.enum(['CODE', 'IMPLICIT']).optional(),
    oAuthScopes: z.array(z.enum(['PHONE', 'EMAIL', 'OPENID', 'PROFILE', 'AWS.COGNITO.SIGNIN.USER.ADMIN'])).optional(),
    socialProviderConfigurations: z.array(socialProvider).optional(),
  })
  .strict();
/** Amplify's AdminQueries: the API, for one group's members (`restrictAccess`) or every signed-in user. */
const adminQueries = z
  .object({ permissions: z.object({ restrictAccess: z.boolean(), groupName: z.string().min(1).optional() }).strict() })
  .strict()
  .refine((a) => !a.permissions.restrictAccess || a.permissions.groupName !== undefined, {
    message: 'permissions.groupName is required when permissions.restrictAccess is true',
  });

const userPoolFields = {
  userPoolGroups: groups.optional(),
  adminQueries: adminQueries.optional(),
  mfa: mfa.optional(),
  passwordPolicy: passwordPolicy.optional(),
  refreshTokenPeriod: z.number().int().min(1).max(3650).optional(),
  readAttributes: z.array(z.string()).optional(),
  writeAttributes: z.array(z.string()).optional(),
  autoVerifiedAttributes: autoVerified.optional(),
  oAuth: oAuth.optional(),
  /**
   * Not in Amplify's headless interface (its AddAuthRequest / UpdateAuthRequest schemas have no triggers):
   * cli-inputs.json's `triggers` (`{"PreSignup": ["email-filter-allowlist"]}`), replacing the whole previous
   * value (`{}` removes every trigger), and `triggerSettings`, each module's settings by trigger
   * (`{"PreSignup": {"DOMAINALLOWLIST": "example.com"}}`; on update, settings left out keep their value).
   */
  triggers: z.record(z.string(), z.array(z.string().min(1)).min(1)).optional(),
  triggerSettings: z.record(z.string(), z.record(z.string(), z.string())).optional(),
};

export const addAuthRequestSchema = z
  .object({
    version: z.literal(2),
    resourceName: z
      .string()
      .regex(/^[A-Za-z0-9]+$/, 'resource names are letters and digits')
      .optional(),
    serviceConfiguration: z
      .object({
        serviceName: z.literal('Cognito'),
        includeIdentityPool: z.boolean().optional(),
        identityPoolConfiguration: z
          .object({
            identityPoolName: z.string().min(1).optional(),
            unauthenticatedLogin: z.boolean().optional(),
            identitySocialFederation: identitySocialFederation.optional(),
          })
          .strict()
          .optional(),
        userPoolConfiguration: z
          .object({
            signinMethod,
            requiredSignupAttributes: z.array(attributeName),
            aliasAttributes: z.array(aliasAttribute).optional(),
            userPoolName: z.string().min(1).optional(),
            ...userPoolFields,
          })
          .strict(),
      })
      .strict(),
  })
  .strict();
export type AddAuthRequest = z.infer<typeof addAuthRequestSchema>;

/**
 * UpdateAuthRequest v2. Besides Amplify's fields, `userPoolModification` takes what Amplify cannot change on
 * a live pool and Forte can: `signinMethod`, `requiredSignupAttributes` and `aliasAttributes`.
 */
export const updateAuthRequestSchema = z
  .object({
    version: z.literal(2),
    serviceModification: z
      .object({
        serviceName: z.literal('Cognito'),
        userPoolModification: z
          .object({
            ...userPoolFields,
            signinMethod: signinMethod.optional(),
            requiredSignupAttributes: z.array(attributeName).optional(),
            aliasAttributes: z.array(aliasAttribute).optional(),
          })
          .strict()
          .optional(),
        includeIdentityPool: z.boolean().optional(),
        identityPoolModification: z
          .object({ unauthenticatedLogin: z.boolean().optional(), identitySocialFederation: identitySocialFederation.optional() })
          .strict()
          .optional(),
      })
      .strict(),
  })
  .strict();
export type UpdateAuthRequest = z.infer<typeof updateAuthRequestSchema>;

type UserPoolFields = Partial<{ [K in keyof typeof userPoolFields]: z.infer<(typeof userPoolFields)[K]> }>;

function parse<T>(schema: z.ZodType<T>, payload: unknown, kind: string): T {
  const parsed = schema.safeParse(payload);
  if (!parsed.success)
    throw new UserError(
      `The ${kind} payload is not valid: ${describeIssues(parsed.error)}`,
      `Fix the fields named above (the ${kind} v2 format of Amplify's headless interface).`,
    );
  return parsed.data;
}

/** What a request's `oAuth` asks for: OAuth off, or these settings and the providers' credentials. */
export type OAuthChange = { off: true } | { off?: false; settings: OAuthSettings; credentials: Map<SocialProvider, ProviderCredentials> };

/**
 * Amplify's default domain prefix for a resource (its walkthrough's): the resource name in lowercase, a hyphen
 * and its eight-hex-digit id (random when the name has none).
 */
export function defaultDomainPrefix(resourceName: string): string {
  const id = /[0-9a-f]{8}$/.exec(resourceName)?.[0] ?? randomBytes(4).toString('hex');
  return `${resourceName.toLowerCase()}-${id}`;
}

/**
 * The OAuth change a request's `oAuth` describes, on top of the current settings (undefined when OAuth is off)
 * and the stored credentials. Every value is checked here: a UserError names the field and the fix.
 */
export function oauthFromRequest(
  given: z.infer<typeof oAuth>,
  context: { current?: OAuthSettings; stored: () => Map<SocialProvider, ProviderCredentials>; resourceName: string; path: string },
): OAuthChange {
  if (Object.keys(given).length === 0) return { off: true };
  const { current, path } = context;
  const missing = (field: string): never => {
    throw new UserError(
      `${path}.oAuth.${field} is required to turn OAuth on.`,
      `Add ${field} to oAuth (e.g. ["http://localhost:3000/"]), or send oAuth: {} to leave OAuth off.`,
    );
  };
  const settings: OAuthSettings = {
    domainPrefix: given.domainPrefix ?? current?.domainPrefix ?? defaultDomainPrefix(context.resourceName),
    callbackURLs: given.redirectSigninURIs ?? current?.callbackURLs ?? missing('redirectSigninURIs'),
    logoutURLs: given.redirectSignoutURIs ?? current?.logoutURLs ?? missing('redirectSignoutURIs'),
    flows: given.oAuthGrantType ? [given.oAuthGrantType.toLowerCase() as OAuthFlow] : (current?.flows ?? ['code']),
    scopes: given.oAuthScopes ? given.oAuthScopes.map((s) => s.toLowerCase() as OAuthScope) : (current?.scopes ?? [...OAUTH_SCOPES]),
    providers: (given.socialProviderConfigurations ?? []).map((p) => HEADLESS_PROVIDERS[p.provider]),
  };
  checkOAuthSettings(settings, `${path}.oAuth`);
  const credentials = new Map<SocialProvider, ProviderCredentials>();
  for (const p of given.socialProviderConfigurations ?? []) {
    if (p.provider !== 'SIGN_IN_WITH_APPLE') {
      const name = HEADLESS_PROVIDERS[p.provider] as Exclude<SocialProvider, 'SignInWithApple'>;
      credentials.set(name, { ProviderName: name, client_id: p.clientId, client_secret: p.clientSecret });
      continue;
    }
    const storedApple = p.privateKey === undefined ? context.stored().get('SignInWithApple') : undefined;
    const key = p.privateKey ?? (storedApple?.ProviderName === 'SignInWithApple' ? storedApple.private_key : undefined);
    if (key === undefined)
      throw new UserError(
        `${path}.oAuth.socialProviderConfigurations: SIGN_IN_WITH_APPLE has no privateKey, and none is stored for this environment.`,
        'Add privateKey (the .p8 key from Apple) to the SIGN_IN_WITH_APPLE entry.',
      );
    const ok = checkApplePrivateKey(key);
    if (ok !== true) throw new UserError(`${path}.oAuth.socialProviderConfigurations: SIGN_IN_WITH_APPLE.privateKey is not a private key.`, ok);
    credentials.set('SignInWithApple', {
      ProviderName: 'SignInWithApple',
      client_id: p.clientId,
      team_id: p.teamId,
      key_id: p.keyId,
      private_key: applePrivateKey(key),
    });
  }
  return { settings, credentials };
}

/** Applies an OAuth change to a cognitoConfig (after its required attributes are final: the mappings follow them). */
export function applyOAuthChange(config: Record<string, unknown>, change: OAuthChange | undefined): void {
  if (!change) return;
  if (change.off) removeOAuthSettings(config);
  else applyOAuthSettings(config, change.settings);
}

const attributeOf = (name: z.infer<typeof attributeName>): CognitoConfig['requiredAttributes'][number] =>
  (name === 'ZONE_INFO' ? 'zoneinfo' : name.toLowerCase()) as CognitoConfig['requiredAttributes'][number];

export function usernameAttributesOf(method: z.infer<typeof signinMethod>): CognitoConfig['usernameAttributes'] {
  switch (method) {
    case 'USERNAME':
      return [];
    case 'EMAIL':
      return ['email'];
    case 'PHONE_NUMBER':
      return ['phone_number'];
    case 'EMAIL_AND_PHONE_NUMBER':
      return ['email', 'phone_number'];
  }
}

const CONSTRAINTS: Record<string, PasswordCharacter> = {
  REQUIRE_LOWERCASE: 'Requires Lowercase',
  REQUIRE_UPPERCASE: 'Requires Uppercase',
  REQUIRE_DIGIT: 'Requires Numbers',
  REQUIRE_SYMBOL: 'Requires Symbols',
};

/** What a request's `triggers` / `triggerSettings` ask for; undefined when it names neither. */
export interface HeadlessTriggers {
  triggers?: Record<string, string[]>;
  settings: Record<string, Record<string, string>>;
}

const headlessTriggers = (fields: UserPoolFields): HeadlessTriggers | undefined =>
  fields.triggers === undefined && fields.triggerSettings === undefined
    ? undefined
    : { ...(fields.triggers ? { triggers: fields.triggers } : {}), settings: fields.triggerSettings ?? {} };

/** Applies the user pool fields common to add and update (each replaces its whole previous value). */
function applyUserPoolFields(config: Record<string, unknown>, fields: UserPoolFields): void {
  if (fields.triggers) config.triggers = fields.triggers;
  if (fields.userPoolGroups) config.userPoolGroupList = fields.userPoolGroups.map((g) => g.groupName);
  if (fields.adminQueries) {
    config.adminQueries = true;
    const { restrictAccess, groupName } = fields.adminQueries.permissions;
    if (restrictAccess && groupName) config.adminQueryGroup = groupName;
    else delete config.adminQueryGroup;
  }
  if (fields.mfa) {
    config.mfaConfiguration = fields.mfa.mode;
    if (fields.mfa.mode !== 'OFF') {
      config.mfaTypes = fields.mfa.mfaTypes.map((t) => (t === 'SMS' ? MFA_SMS : MFA_TOTP));
      if (fields.mfa.smsMessage) config.smsAuthenticationMessage = fields.mfa.smsMessage;
    }
  }
  if (fields.passwordPolicy) {
    config.passwordPolicyMinLength = fields.passwordPolicy.minimumLength ?? 8;
    config.passwordPolicyCharacters = (fields.passwordPolicy.additionalConstraints ?? []).map((c) => CONSTRAINTS[c]);
  }
  if (fields.refreshTokenPeriod !== undefined) config.userpoolClientRefreshTokenValidity = fields.refreshTokenPeriod;
  const attributeName = (a: string): string => (a === 'ZONE_INFO' ? 'zoneinfo' : a.toLowerCase());
  if (fields.readAttributes) config.userpoolClientReadAttributes = fields.readAttributes.map(attributeName);
  if (fields.writeAttributes) config.userpoolClientWriteAttributes = fields.writeAttributes.map(attributeName);
  // Lists given explicitly are meant to apply to the app clients.
  if (fields.readAttributes || fields.writeAttributes) config.userpoolClientSetAttributes = true;
  if (fields.autoVerifiedAttributes) {
    config.autoVerifiedAttributes = fields.autoVerifiedAttributes.map((a) => (a.type === 'EMAIL' ? 'email' : 'phone_number'));
    const email = fields.autoVerifiedAttributes.find((a) => a.type === 'EMAIL');
    if (email?.verificationMessage) config.emailVerificationMessage = email.verificationMessage;
    if (email?.verificationSubject) config.emailVerificationSubject = email.verificationSubject;
    const sms = fields.autoVerifiedAttributes.find((a) => a.type === 'PHONE_NUMBER');
    if (sms?.verificationMessage) config.smsVerificationMessage = sms.verificationMessage;
  }
}

/** What a request asks for: the cognitoConfig (unvalidated fields), its triggers and its OAuth change. */
export interface HeadlessChange {
  config: Record<string, unknown>;
  triggers?: HeadlessTriggers;
  oauth?: OAuthChange;
}

/** The cognitoConfig an AddAuthRequest describes, on top of `defaults`, its triggers and its OAuth settings. */
export function configFromAddRequest(payload: unknown, defaults: CognitoConfig): HeadlessChange {
  const request = parse(addAuthRequestSchema, payload, 'AddAuthRequest');
  const service = request.serviceConfiguration;
  const pool = service.userPoolConfiguration;
  const resourceName = request.resourceName ?? defaults.resourceName;
  const config: Record<string, unknown> = {
    ...defaults,
    useDefault: 'manual',
    resourceName,
    authSelections: service.includeIdentityPool ? 'identityPoolAndUserPool' : 'userPoolOnly',
    userPoolName: pool.userPoolName ?? `${resourceName}_userpool`,
    identityPoolName: service.identityPoolConfiguration?.identityPoolName ?? `${resourceName}_identitypool`,
    allowUnauthenticatedIdentities: service.identityPoolConfiguration?.unauthenticatedLogin ?? false,
    thirdPartyAuth: false,
    usernameAttributes: usernameAttributesOf(pool.signinMethod),
    aliasAttributes: (pool.aliasAttributes ?? []).map((a) => a.toLowerCase()),
    requiredAttributes: pool.requiredSignupAttributes.map(attributeOf),
    // Amplify leaves codes off unless autoVerifiedAttributes says otherwise; sign-in by email or phone verifies it.
    autoVerifiedAttributes: usernameAttributesOf(pool.signinMethod),
    mfaConfiguration: 'OFF',
    userPoolGroupList: [],
  };
  applyUserPoolFields(config, pool);
  const federation = service.identityPoolConfiguration?.identitySocialFederation;
  if (federation && service.includeIdentityPool) setFederation(config, federation);
  const oauth = pool.oAuth
    ? oauthFromRequest(pool.oAuth, { stored: () => new Map(), resourceName, path: 'serviceConfiguration.userPoolConfiguration' })
    : undefined;
  applyOAuthChange(config, oauth);
  const triggers = headlessTriggers(pool);
  return { config, ...(triggers ? { triggers } : {}), ...(oauth ? { oauth } : {}) };
}

/**
 * The cognitoConfig (unvalidated) after an UpdateAuthRequest on `current`, its triggers and its OAuth change
 * (`stored`: the providers' credentials this environment holds, for an Apple key the request leaves out).
 */
export function configFromUpdateRequest(
  payload: unknown,
  current: CognitoConfig,
  stored: () => Map<SocialProvider, ProviderCredentials> = () => new Map(),
): HeadlessChange {
  const request = parse(updateAuthRequestSchema, payload, 'UpdateAuthRequest');
  const change = request.serviceModification;
  const pool = change.userPoolModification ?? {};
  const config: Record<string, unknown> = { ...current };
  applyUserPoolFields(config, pool);
  if (pool.signinMethod) config.usernameAttributes = usernameAttributesOf(pool.signinMethod);
  if (pool.requiredSignupAttributes) config.requiredAttributes = pool.requiredSignupAttributes.map(attributeOf);
  if (pool.aliasAttributes) config.aliasAttributes = pool.aliasAttributes.map((a) => a.toLowerCase());
  if (change.includeIdentityPool !== undefined) {
    config.authSelections = change.includeIdentityPool ? 'identityPoolAndUserPool' : 'userPoolOnly';
    config.identityPoolName ??= `${current.resourceName}_identitypool`;
  }
  if (change.identityPoolModification?.unauthenticatedLogin !== undefined)
    config.allowUnauthenticatedIdentities = change.identityPoolModification.unauthenticatedLogin;
  if (change.identityPoolModification?.identitySocialFederation !== undefined) setFederation(config, change.identityPoolModification.identitySocialFederation);
  const oauth = pool.oAuth
    ? oauthFromRequest(pool.oAuth, {
        current: oauthSettingsOf(current),
        stored,
        resourceName: current.resourceName,
        path: 'serviceModification.userPoolModification',
      })
    : undefined;
  applyOAuthChange(config, oauth);
  const triggers = headlessTriggers(pool);
  return { config, ...(triggers ? { triggers } : {}), ...(oauth ? { oauth } : {}) };
}
