import { STANDARD_ATTRIBUTES, UserError, type PluginContext } from '@forte/protocol';
import { MFA_SMS, MFA_TOTP, PASSWORD_CHARACTERS, type CognitoConfig, type PasswordCharacter } from './cognito-config.js';
import { askIdentityPoolFederation } from './identity-pool-federation.js';

type SignIn = 'username' | 'email' | 'phone' | 'emailOrPhone';
const SIGN_IN: Record<SignIn, CognitoConfig['usernameAttributes']> = {
  username: [],
  email: ['email'],
  phone: ['phone_number'],
  emailOrPhone: ['email', 'phone_number'],
};

function signInOf(config: CognitoConfig): SignIn {
  const u = config.usernameAttributes;
  if (u.includes('email') && u.includes('phone_number')) return 'emailOrPhone';
  if (u.includes('email')) return 'email';
  if (u.includes('phone_number')) return 'phone';
  return 'username';
}

/** "How do you want users to be able to sign in?" (Amplify's choices). */
export async function askSignIn(ctx: PluginContext, config: CognitoConfig): Promise<void> {
  const signIn = await ctx.prompt.select<SignIn>({
    message: 'How do you want users to be able to sign in?',
    choices: [
      { name: 'Username', value: 'username' },
      { name: 'Email', value: 'email' },
      { name: 'Phone Number', value: 'phone' },
      { name: 'Email or Phone Number', value: 'emailOrPhone' },
    ],
    default: signInOf(config),
  });
  config.usernameAttributes = SIGN_IN[signIn];
  if (signIn !== 'username') config.aliasAttributes = [];
  for (const a of config.usernameAttributes) if (!config.requiredAttributes.includes(a)) config.requiredAttributes.push(a);
}

/** Comma-separated names checked against a list (the prompter has no multi-select). */
function listOf<T extends string>(answer: string, allowed: readonly T[], what: string): T[] {
  const values = answer
    .split(',')
    .map((v) => v.trim())
    .filter((v) => v !== '');
  for (const v of values) {
    if (!(allowed as readonly string[]).includes(v)) throw new UserError(`${v} is not a ${what}.`, `Choose among: ${allowed.join(', ')}.`);
  }
  return [...new Set(values)] as T[];
}
const validList =
  (allowed: readonly string[], what: string) =>
  (answer: string): true | string => {
    const bad = answer
      .split(',')
      .map((v) => v.trim())
      .filter((v) => v !== '' && !allowed.includes(v));
    return bad.length === 0 ? true : `${bad.join(', ')} ${bad.length === 1 ? 'is not a' : 'are not'} ${what}; choose among ${allowed.join(', ')}`;
  };

export async function askRequiredAttributes(ctx: PluginContext, config: CognitoConfig): Promise<void> {
  const answer = await ctx.prompt.input({
    message: 'What attributes are required for signing up? (comma-separated)',
    default: config.requiredAttributes.join(', '),
    validate: validList(STANDARD_ATTRIBUTES, 'standard attribute'),
  });
  config.requiredAttributes = listOf(answer, STANDARD_ATTRIBUTES, 'standard attribute');
}

export async function askGroups(ctx: PluginContext, config: CognitoConfig): Promise<void> {
  const wanted = await ctx.prompt.confirm({ message: 'Do you want to add User Pool Groups?', default: config.userPoolGroupList.length > 0 });
  if (!wanted) {
    config.userPoolGroupList = [];
    return;
  }
  const answer = await ctx.prompt.input({
    message: 'Provide the names of your user pool groups, highest precedence first (comma-separated):',
    default: config.userPoolGroupList.join(', '),
    // As Amplify's walkthrough: letters and digits (each group names an IAM role); names the pool has already keep.
    validate: (v) =>
      v
        .split(',')
        .map((g) => g.trim())
        .some((g) => g !== '' && !/^[A-Za-z0-9]+$/.test(g) && !config.userPoolGroupList.includes(g))
        ? 'group names are letters and digits'
        : true,
  });
  config.userPoolGroupList = [
    ...new Set(
      answer
        .split(',')
        .map((g) => g.trim())
        .filter((g) => g !== ''),
    ),
  ];
}

/** Amplify's admin queries questions (after the groups): the API, then whether one group alone may call it. */
export async function askAdminQueries(ctx: PluginContext, config: CognitoConfig): Promise<void> {
  const wanted = await ctx.prompt.confirm({ message: 'Do you want to add an admin queries API?', default: config.adminQueries ?? false });
  if (!wanted) {
    // Amplify keeps an Admin Queries API once added; answering no leaves it as it is.
    if (!config.adminQueries) delete config.adminQueries;
    return;
  }
  config.adminQueries = true;
  const previousGroup = config.adminQueryGroup;
  delete config.adminQueryGroup;
  if (config.userPoolGroupList.length === 0) return;
  const restrict = await ctx.prompt.confirm({
    message: 'Do you want to restrict access to the admin queries API to a specific Group',
    default: previousGroup !== undefined || config.adminQueries === undefined,
  });
  if (!restrict) return;
  config.adminQueryGroup = await ctx.prompt.select<string>({
    message: 'Select the group to restrict access with:',
    choices: config.userPoolGroupList.map((g) => ({ name: g, value: g })),
    default: previousGroup && config.userPoolGroupList.includes(previousGroup) ? previousGroup : config.userPoolGroupList[0],
  });
}

export async function askMfa(ctx: PluginContext, config: CognitoConfig): Promise<void> {
  config.mfaConfiguration = await ctx.prompt.select<CognitoConfig['mfaConfiguration']>({
    message: 'Multifactor authentication (MFA) user login options:',
    choices: [
      { name: 'OFF', value: 'OFF' },
      { name: 'ON (Required for all logins)', value: 'ON' },
      { name: 'OPTIONAL (Individual users can use MFA)', value: 'OPTIONAL' },
    ],
    default: config.mfaConfiguration,
  });
  if (config.mfaConfiguration === 'OFF') return;
  const current = config.mfaTypes.includes(MFA_SMS) && config.mfaTypes.includes(MFA_TOTP) ? 'both' : config.mfaTypes.includes(MFA_SMS) ? 'sms' : 'totp';
  const types = await ctx.prompt.select<'totp' | 'sms' | 'both'>({
    message: 'For user login, select the MFA types:',
    choices: [
      { name: 'Time-Based One-Time Password (TOTP)', value: 'totp' },
      { name: 'SMS Text Message', value: 'sms' },
      { name: 'Both', value: 'both' },
    ],
    default: current,
  });
  config.mfaTypes = types === 'both' ? [MFA_SMS, MFA_TOTP] : types === 'sms' ? [MFA_SMS] : [MFA_TOTP];
  if (config.mfaTypes.includes(MFA_SMS)) {
    config.smsAuthenticationMessage = await ctx.prompt.input({ message: 'Specify an SMS authentication message:', default: config.smsAuthenticationMessage });
  }
}

export async function askEmailVerification(ctx: PluginContext, config: CognitoConfig): Promise<void> {
  const enabled = await ctx.prompt.select<'on' | 'off'>({
    message: 'Email based user registration/forgot password:',
    choices: [
      { name: 'Enabled (Requires per-user email entry at registration)', value: 'on' },
      { name: 'Disabled (Uses SMS/TOTP as an alternative)', value: 'off' },
    ],
    default: config.autoVerifiedAttributes.includes('email') ? 'on' : 'off',
  });
  const others = config.autoVerifiedAttributes.filter((a) => a !== 'email');
  if (enabled === 'off') {
    config.autoVerifiedAttributes = others;
    return;
  }
  config.autoVerifiedAttributes = ['email', ...others];
  if (!config.requiredAttributes.includes('email')) config.requiredAttributes.push('email');
  config.emailVerificationSubject = await ctx.prompt.input({ message: 'Specify an email verification subject:', default: config.emailVerificationSubject });
  config.emailVerificationMessage = await ctx.prompt.input({
    message: 'Specify an email verification message:',
    default: config.emailVerificationMessage,
    validate: (v) => (v.includes('{####}') ? true : 'the message must contain {####} (where the code goes)'),
  });
}

export async function askPasswordPolicy(ctx: PluginContext, config: CognitoConfig): Promise<void> {
  const override = await ctx.prompt.confirm({ message: 'Do you want to override the default password policy for this User Pool?', default: false });
  if (!override) return;
  const length = await ctx.prompt.input({
    message: 'Enter the minimum password length for this User Pool:',
    default: String(config.passwordPolicyMinLength),
    validate: (v) => (/^\d+$/.test(v) && Number(v) >= 6 && Number(v) <= 99 ? true : 'a whole number from 6 to 99'),
  });
  config.passwordPolicyMinLength = Number(length);
  const characters: PasswordCharacter[] = [];
  for (const rule of Object.keys(PASSWORD_CHARACTERS) as PasswordCharacter[]) {
    if (await ctx.prompt.confirm({ message: `Password rule: ${rule}?`, default: config.passwordPolicyCharacters.includes(rule) })) characters.push(rule);
  }
  config.passwordPolicyCharacters = characters;
}

export async function askIdentityPool(ctx: PluginContext, config: CognitoConfig): Promise<void> {
  config.authSelections = await ctx.prompt.select<CognitoConfig['authSelections']>({
    message: 'Select the authentication/authorization services that you want to use:',
    choices: [
      {
        name: 'User Sign-Up, Sign-In, connected with AWS IAM controls (Enables per-user Storage features for images or other content, Analytics, and more)',
        value: 'identityPoolAndUserPool',
      },
      { name: 'User Sign-Up & Sign-In only (Best used with a cloud API only)', value: 'userPoolOnly' },
    ],
    default: config.authSelections,
  });
  if (config.authSelections === 'userPoolOnly') return;
  config.identityPoolName ??= `${config.resourceName}_identitypool`;
  config.allowUnauthenticatedIdentities = await ctx.prompt.confirm({
    message: 'Allow unauthenticated logins? (Provides scoped down permissions that you can control via AWS IAM)',
    default: config.allowUnauthenticatedIdentities,
  });
  await askIdentityPoolFederation(ctx, config);
}

/** Amplify's manual configuration walk-through (also what `update auth` asks, defaults = current values). */
export async function askManual(ctx: PluginContext, config: CognitoConfig): Promise<void> {
  await askIdentityPool(ctx, config);
  await askGroups(ctx, config);
  await askAdminQueries(ctx, config);
  await askSignIn(ctx, config);
  if (config.usernameAttributes.length === 0) {
    const aliases = ['email', 'phone_number', 'preferred_username'] as const;
    const answer = await ctx.prompt.input({
      message: 'Which aliases can users also sign in with? (comma-separated: email, phone_number, preferred_username; empty for none)',
      default: config.aliasAttributes.join(', '),
      validate: validList(aliases, 'sign-in alias'),
    });
    config.aliasAttributes = listOf(answer, aliases, 'sign-in alias');
  }
  await askMfa(ctx, config);
  await askEmailVerification(ctx, config);
  await askPasswordPolicy(ctx, config);
  await askRequiredAttributes(ctx, config);
  const days = await ctx.prompt.input({
    message: "Specify the app's refresh token expiration period (in days):",
    default: String(config.userpoolClientRefreshTokenValidity),
    validate: (v) => (/^\d+$/.test(v) && Number(v) >= 1 && Number(v) <= 3650 ? true : 'a whole number of days from 1 to 3650'),
  });
  config.userpoolClientRefreshTokenValidity = Number(days);
}
