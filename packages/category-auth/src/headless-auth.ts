import { UserError } from '@forte/protocol';
import { z } from 'zod';
import { describeIssues, MFA_SMS, MFA_TOTP, type CognitoConfig, type PasswordCharacter } from './cognito-config.js';

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
// Hosted UI and social federation are not part of Forte yet: refused by name.
const unsupported = z.unknown().optional();
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
  oAuth: unsupported,
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
            identitySocialFederation: unsupported,
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
        identityPoolModification: z.object({ unauthenticatedLogin: z.boolean().optional(), identitySocialFederation: unsupported }).strict().optional(),
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

function refuseUnsupported(fields: Record<string, unknown>, path: string): void {
  for (const name of ['oAuth', 'identitySocialFederation']) {
    if (fields[name] !== undefined && !(name === 'oAuth' && isEmptyObject(fields[name]))) {
      throw new UserError(`${path}.${name} is not supported by Forte yet (no hosted UI or social sign-in).`, `Remove ${name} from the payload.`);
    }
  }
}
const isEmptyObject = (v: unknown): boolean => typeof v === 'object' && v !== null && Object.keys(v).length === 0;

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

/** The cognitoConfig (unvalidated fields) an AddAuthRequest describes, on top of `defaults`, and its triggers. */
export function configFromAddRequest(payload: unknown, defaults: CognitoConfig): { config: Record<string, unknown>; triggers?: HeadlessTriggers } {
  const request = parse(addAuthRequestSchema, payload, 'AddAuthRequest');
  const service = request.serviceConfiguration;
  const pool = service.userPoolConfiguration;
  refuseUnsupported(pool, 'serviceConfiguration.userPoolConfiguration');
  refuseUnsupported(service.identityPoolConfiguration ?? {}, 'serviceConfiguration.identityPoolConfiguration');
  const resourceName = request.resourceName ?? defaults.resourceName;
  const config: Record<string, unknown> = {
    ...defaults,
    useDefault: 'manual',
    resourceName,
    authSelections: service.includeIdentityPool ? 'identityPoolAndUserPool' : 'userPoolOnly',
    userPoolName: pool.userPoolName ?? `${resourceName}_userpool`,
    identityPoolName: service.identityPoolConfiguration?.identityPoolName ?? `${resourceName}_identitypool`,
    allowUnauthenticatedIdentities: service.identityPoolConfiguration?.unauthenticatedLogin ?? false,
    usernameAttributes: usernameAttributesOf(pool.signinMethod),
    aliasAttributes: (pool.aliasAttributes ?? []).map((a) => a.toLowerCase()),
    requiredAttributes: pool.requiredSignupAttributes.map(attributeOf),
    // Amplify leaves codes off unless autoVerifiedAttributes says otherwise; sign-in by email or phone verifies it.
    autoVerifiedAttributes: usernameAttributesOf(pool.signinMethod),
    mfaConfiguration: 'OFF',
    userPoolGroupList: [],
  };
  applyUserPoolFields(config, pool);
  const triggers = headlessTriggers(pool);
  return { config, ...(triggers ? { triggers } : {}) };
}

/** The cognitoConfig (unvalidated) after an UpdateAuthRequest on `current`, and its triggers. */
export function configFromUpdateRequest(payload: unknown, current: CognitoConfig): { config: Record<string, unknown>; triggers?: HeadlessTriggers } {
  const request = parse(updateAuthRequestSchema, payload, 'UpdateAuthRequest');
  const change = request.serviceModification;
  const pool = change.userPoolModification ?? {};
  refuseUnsupported(pool, 'serviceModification.userPoolModification');
  refuseUnsupported(change.identityPoolModification ?? {}, 'serviceModification.identityPoolModification');
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
  const triggers = headlessTriggers(pool);
  return { config, ...(triggers ? { triggers } : {}) };
}
