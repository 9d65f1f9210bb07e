import { STANDARD_ATTRIBUTES, UserError } from '@forte/protocol';
import { z } from 'zod';

export const CATEGORY = 'auth';
export const SERVICE = 'Cognito';
export const PROVIDER_PLUGIN = 'awscloudformation';
export const CLI_INPUTS_FILE = 'cli-inputs.json';

/** Amplify's words for the password character rules (cli-inputs.json) and their frontend spelling. */
export const PASSWORD_CHARACTERS = {
  'Requires Lowercase': 'REQUIRES_LOWERCASE',
  'Requires Uppercase': 'REQUIRES_UPPERCASE',
  'Requires Numbers': 'REQUIRES_NUMBERS',
  'Requires Symbols': 'REQUIRES_SYMBOLS',
} as const;
export type PasswordCharacter = keyof typeof PASSWORD_CHARACTERS;

/** Amplify's MFA type names in cli-inputs.json. */
export const MFA_SMS = 'SMS Text Message';
export const MFA_TOTP = 'TOTP';

const attribute = z.enum(STANDARD_ATTRIBUTES);

/**
 * A list of names where Amplify also accepts one string holding several, comma-separated: its own
 * walkthrough wrote `usernameAttributes: ["email, phone_number"]` for "Email or phone number", and its push
 * splits that entry, so real projects carry it.
 */
const commaList = <T extends z.ZodTypeAny>(item: T) =>
  z.preprocess(
    (value) =>
      Array.isArray(value)
        ? value.flatMap((entry: unknown) =>
            typeof entry === 'string' && entry.includes(',')
              ? entry
                  .split(',')
                  .map((part) => part.trim())
                  .filter((part) => part !== '')
              : [entry],
          )
        : value,
    z.array(item),
  );

/**
 * `cognitoConfig` of `amplify/backend/auth/<res>/cli-inputs.json`, with Amplify's key names. Only the keys
 * Forte acts on are required; Amplify's other keys (triggers, hosted UI…) are kept as they are.
 */
export const cognitoConfigSchema = z
  .object({
    serviceName: z.literal('Cognito').default('Cognito'),
    resourceName: z.string().regex(/^[A-Za-z0-9]+$/, 'resource names are letters and digits'),
    useDefault: z.enum(['default', 'defaultSocial', 'manual']).default('manual'),
    authSelections: z.enum(['identityPoolAndUserPool', 'userPoolOnly']),
    userPoolName: z.string().min(1),
    identityPoolName: z.string().min(1).optional(),
    allowUnauthenticatedIdentities: z.boolean().default(false),
    /** Sign in with these instead of a username; empty = username sign-in. */
    usernameAttributes: commaList(z.enum(['email', 'phone_number'])).default([]),
    aliasAttributes: z.array(z.enum(['email', 'phone_number', 'preferred_username'])).default([]),
    requiredAttributes: z.array(attribute).default([]),
    autoVerifiedAttributes: z.array(z.enum(['email', 'phone_number'])).default([]),
    mfaConfiguration: z.enum(['OFF', 'ON', 'OPTIONAL']).default('OFF'),
    mfaTypes: z.array(z.enum([MFA_SMS, MFA_TOTP])).default([MFA_SMS]),
    smsAuthenticationMessage: z.string().default('Your authentication code is {####}'),
    smsVerificationMessage: z.string().default('Your verification code is {####}'),
    emailVerificationSubject: z.string().default('Your verification code'),
    emailVerificationMessage: z.string().default('Your verification code is {####}'),
    passwordPolicyMinLength: z.coerce.number().int().min(6).max(99).default(8),
    passwordPolicyCharacters: z.array(z.enum(Object.keys(PASSWORD_CHARACTERS) as [PasswordCharacter, ...PasswordCharacter[]])).default([]),
    userpoolClientGenerateSecret: z.boolean().default(false),
    userpoolClientRefreshTokenValidity: z.coerce.number().int().min(1).max(3650).default(30),
    userpoolClientReadAttributes: z.array(z.string()).default([]),
    userpoolClientWriteAttributes: z.array(z.string()).default([]),
    /**
     * Whether the app clients get `userpoolClientReadAttributes` / `WriteAttributes` (Amplify's switch, off by
     * default: the clients then read and write every attribute, Cognito's default).
     */
    userpoolClientSetAttributes: z.boolean().default(false),
    /** User pool groups, highest precedence first; add/update write them to Amplify's `auth/userPoolGroups` resource too. */
    userPoolGroupList: z.array(z.string().regex(/^[\p{L}\p{M}\p{S}\p{N}\p{P}]+$/u, 'group names have no spaces')).default([]),
    usernameCaseSensitive: z.boolean().default(false),
    /** The auth category's Admin Queries API (Amplify's keys): the function `AdminQueries<id>` and the REST API `AdminQueries`. */
    adminQueries: z.boolean().optional(),
    /** The group whose members may call it; absent: every signed-in user. */
    adminQueryGroup: z.string().min(1).optional(),
    dependsOn: z.array(z.unknown()).default([]),
  })
  .passthrough();

export type CognitoConfig = z.infer<typeof cognitoConfigSchema>;

export const cliInputsSchema = z.object({ version: z.string(), cognitoConfig: cognitoConfigSchema });

/** The zod issues of a failed parse as one line per field (`field.path: problem`). */
export function describeIssues(error: z.ZodError, prefix = ''): string {
  return error.issues.map((i) => `${[prefix, ...i.path.map(String)].filter((p) => p !== '').join('.') || '(root)'}: ${i.message}`).join('; ');
}

/** Validates a cognitoConfig (from a file or built from answers); a UserError names each bad field. */
export function parseCognitoConfig(value: unknown, source: string): CognitoConfig {
  const parsed = cognitoConfigSchema.safeParse(value);
  if (!parsed.success) {
    throw new UserError(
      `${source} is not a valid auth configuration: ${describeIssues(parsed.error, 'cognitoConfig')}`,
      'Fix the fields named above, or run `forte update auth`.',
    );
  }
  const config = parsed.data;
  checkConsistency(config, source);
  return config;
}

/**
 * Rules Cognito enforces between settings, checked before anything is written; attributes users sign in
 * with become required (Cognito needs them at sign-up).
 */
function checkConsistency(config: CognitoConfig, source: string): void {
  const fail = (problem: string, fix: string): never => {
    throw new UserError(`${source}: ${problem}`, fix);
  };
  if (config.usernameAttributes.length > 0 && config.aliasAttributes.length > 0) {
    fail(
      'sign-in with email or phone (usernameAttributes) cannot be combined with aliasAttributes.',
      'Choose username sign-in to use aliases, or drop the aliases.',
    );
  }
  if (config.adminQueryGroup !== undefined && !config.userPoolGroupList.includes(config.adminQueryGroup)) {
    fail(
      `the admin queries API is restricted to group ${config.adminQueryGroup}, which the user pool does not have (${config.userPoolGroupList.length > 0 ? `groups: ${config.userPoolGroupList.join(', ')}` : 'no groups'}).`,
      'Add the group to the user pool groups, or restrict the API to one of the groups above.',
    );
  }
  if (config.mfaConfiguration !== 'OFF' && config.mfaTypes.length === 0) {
    fail(`MFA is ${config.mfaConfiguration} but no MFA type is enabled.`, 'Enable TOTP, SMS or both.');
  }
  if (config.authSelections === 'identityPoolAndUserPool' && !config.identityPoolName) {
    fail('an identity pool is requested but identityPoolName is missing.', 'Set identityPoolName, or choose userPoolOnly.');
  }
  if (new Set(config.userPoolGroupList).size !== config.userPoolGroupList.length) {
    fail('user pool group names repeat.', 'Give each group a different name.');
  }
  for (const u of config.usernameAttributes) {
    if (!config.requiredAttributes.includes(u)) config.requiredAttributes.push(u);
  }
}

/** Amplify's default configuration for a project (what `forte add auth --yes` writes). */
export function defaultCognitoConfig(projectName: string, resourceName: string): CognitoConfig {
  const base = projectName.replace(/[^A-Za-z0-9]/g, '') || 'forte';
  return parseCognitoConfig(
    {
      resourceName,
      useDefault: 'default',
      authSelections: 'identityPoolAndUserPool',
      userPoolName: `${base}_userpool`,
      identityPoolName: `${base}_identitypool`,
      allowUnauthenticatedIdentities: false,
      usernameAttributes: ['email'],
      requiredAttributes: ['email'],
      autoVerifiedAttributes: ['email'],
      mfaConfiguration: 'OFF',
      mfaTypes: [MFA_SMS],
      passwordPolicyMinLength: 8,
      passwordPolicyCharacters: [],
      userpoolClientReadAttributes: ['email'],
      userpoolClientWriteAttributes: ['email'],
    },
    'the default auth configuration',
  );
}
