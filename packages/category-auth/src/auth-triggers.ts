import { readFileSync } from 'node:fs';
import { UserError } from '@forte/protocol';

/**
 * The Cognito triggers of the auth category (Amplify's `cognito.map.json`), keyed as cli-inputs.json's
 * `triggers` keys them, with the `LambdaConfig` key each sets and the modules offered for it (Amplify's
 * `<Trigger>.map.json`; each also offers `custom`, "Create your own module"). The captcha modules are the three
 * triggers of one sign-in (password, then a reCAPTCHA token). CustomMessage's `verification-link` emails a link
 * to the account confirmation page the auth stack puts in its website bucket (`verification-page.ts`). A setting
 * with `value: 'resourceName'` is not asked: it is the trigger function's name (Amplify's map says the same).
 */
export const AUTH_TRIGGERS = {
  CreateAuthChallenge: {
    name: 'Create Auth Challenge',
    lambdaConfig: 'CreateAuthChallenge',
    modules: {
      'boilerplate-create-challenge': {
        name: 'Custom Auth Challenge Scaffolding (Creation)',
        env: [{ key: 'CHALLENGEANSWER', message: 'Enter the answer users give to the custom challenge:' }],
      },
      'captcha-create-challenge': { name: 'MFA w/ Captcha (Creation)' },
    },
  },
  CustomMessage: {
    name: 'Custom Message',
    lambdaConfig: 'CustomMessage',
    modules: {
      'verification-link': {
        name: 'Send Account Confirmation Link w/ Redirect',
        env: [
          { key: 'RESOURCENAME', value: 'resourceName' },
          { key: 'REDIRECTURL', message: 'Enter the URL that your users will be redirected to upon account confirmation:', url: true },
          { key: 'EMAILSUBJECT', message: 'Enter the subject for your custom account confirmation email:' },
          { key: 'EMAILMESSAGE', message: 'Enter the body text for your custom account confirmation email (this will appear before the link URL):' },
        ],
      },
    },
  },
  DefineAuthChallenge: {
    name: 'Define Auth Challenge',
    lambdaConfig: 'DefineAuthChallenge',
    modules: {
      'boilerplate-define-challenge': { name: 'Custom Auth Challenge Scaffolding (Definition)' },
      'captcha-define-challenge': { name: 'MFA w/ Captcha (Definition)' },
    },
  },
  PostAuthentication: { name: 'Post Authentication', lambdaConfig: 'PostAuthentication', modules: {} },
  PostConfirmation: {
    name: 'Post Confirmation',
    lambdaConfig: 'PostConfirmation',
    modules: {
      'add-to-group': {
        name: 'Add User To Group',
        env: [{ key: 'GROUP', message: 'Enter the name of the group to which users will be added.' }],
        // Amplify's AddToGroupCognito policy, on the function's role, for the pool's ARN.
        actions: ['cognito-idp:AdminAddUserToGroup', 'cognito-idp:GetGroup', 'cognito-idp:CreateGroup'],
      },
    },
  },
  PreAuthentication: { name: 'Pre Authentication', lambdaConfig: 'PreAuthentication', modules: {} },
  PreSignup: {
    name: 'Pre Sign-up',
    lambdaConfig: 'PreSignUp',
    modules: {
      'email-filter-allowlist': {
        name: 'Sign-Up email filtering (allowlist)',
        env: [{ key: 'DOMAINALLOWLIST', message: "Enter a comma-delimited list of allowed email domains (example: 'mydomain.com, myotherdomain.com')." }],
      },
      'email-filter-denylist': {
        name: 'Sign-Up email filtering (denylist)',
        env: [{ key: 'DOMAINDENYLIST', message: "Enter a comma-delimited list of disallowed email domains (example: 'mydomain.com, myotherdomain.com')." }],
      },
    },
  },
  VerifyAuthChallengeResponse: {
    name: 'Verify Auth Challenge Response',
    lambdaConfig: 'VerifyAuthChallengeResponse',
    modules: {
      'boilerplate-verify': { name: 'Custom Auth Challenge Scaffolding (Verification)' },
      'captcha-verify': {
        name: 'MFA w/ Captcha (Verification)',
        env: [{ key: 'RECAPTCHASECRET', message: 'Enter the Google reCaptcha secret key:' }],
      },
    },
  },
  PreTokenGeneration: {
    name: 'Pre Token Generation',
    lambdaConfig: 'PreTokenGeneration',
    modules: { 'alter-claims': { name: 'Override ID Token Claims' } },
  },
} as const satisfies Record<string, TriggerDefinition>;

/** A module setting: asked (`message`; `url`: an http(s) URL), or the trigger function's name (`value`). */
export type ModuleSetting = { key: string; message: string; url?: boolean } | { key: string; value: 'resourceName' };

interface TriggerDefinition {
  name: string;
  lambdaConfig: string;
  modules: Record<string, { name: string; env?: readonly ModuleSetting[]; actions?: readonly string[] }>;
}

/** The settings of a module the user gives (asked, or in a headless request's triggerSettings). */
export const askedSettings = (settings: readonly ModuleSetting[] | undefined): Array<{ key: string; message: string; url?: boolean }> =>
  (settings ?? []).filter((s): s is { key: string; message: string; url?: boolean } => 'message' in s);

/** Why a setting's value cannot be used, or undefined when it can. */
export function settingProblem(setting: { key: string; url?: boolean }, value: string): string | undefined {
  if (value.trim() === '') return `${setting.key} cannot be empty`;
  if (setting.url && !/^https?:\/\/[^\s/]+/i.test(value.trim())) return `${setting.key} must be an http(s) URL, such as https://example.com/welcome`;
  return undefined;
}

/** The module settings that are not asked: the trigger function's name, for the modules that read it. */
export function computedSettings(key: TriggerKey, modules: readonly string[], functionName: string): Record<string, string> {
  const out: Record<string, string> = {};
  const known = definitionOf(key).modules;
  for (const module of modules) for (const setting of known[module]?.env ?? []) if ('value' in setting) out[setting.key] = functionName;
  return out;
}

/** The module whose CustomMessage link opens the confirmation page of the auth stack's website bucket. */
export const VERIFICATION_LINK_MODULE = 'verification-link';

/** Whether the resource uses the verification-link module (its stack then has the confirmation bucket). */
export const usesVerificationLink = (triggers: Partial<Record<TriggerKey, string[]>>): boolean =>
  (triggers.CustomMessage ?? []).includes(VERIFICATION_LINK_MODULE);

export type TriggerKey = keyof typeof AUTH_TRIGGERS;
export const TRIGGER_KEYS = Object.keys(AUTH_TRIGGERS) as TriggerKey[];
/** The module each trigger offers for the user's own code. */
export const CUSTOM_MODULE = 'custom';

export const definitionOf = (key: TriggerKey): TriggerDefinition => AUTH_TRIGGERS[key];

/** The function of a trigger: `<auth resource><Trigger>`, as Amplify names it. */
export const triggerFunctionName = (resourceName: string, key: TriggerKey): string => `${resourceName}${key}`;

/**
 * cli-inputs.json's `triggers` (`{"PreSignup": ["email-filter-denylist"], ...}`; older projects store it as a
 * JSON string), checked: every key must be one of Amplify's triggers.
 */
export function triggersOf(config: Record<string, unknown>, file: string): Partial<Record<TriggerKey, string[]>> {
  let raw = config['triggers'];
  if (raw === undefined || raw === null || raw === '') return {};
  if (typeof raw === 'string') {
    try {
      raw = JSON.parse(raw) as unknown;
    } catch (error) {
      throw new UserError(`${file}: triggers is not valid JSON.`, 'Fix it, or choose the triggers again with `forte update auth`.', { cause: error });
    }
  }
  if (typeof raw !== 'object' || raw === null || Array.isArray(raw))
    throw new UserError(`${file}: triggers must map trigger names to module lists.`, 'Choose the triggers again with `forte update auth`.');
  const out: Partial<Record<TriggerKey, string[]>> = {};
  for (const [key, modules] of Object.entries(raw)) {
    if (!(TRIGGER_KEYS as string[]).includes(key)) throw new UserError(`${file}: ${key} is not a Cognito trigger.`, `Use ${TRIGGER_KEYS.join(', ')}.`);
    if (!Array.isArray(modules) || modules.some((m) => typeof m !== 'string'))
      throw new UserError(`${file}: triggers.${key} must be a list of module names.`, 'Choose the triggers again with `forte update auth`.');
    out[key as TriggerKey] = modules as string[];
  }
  return out;
}

/** The module's source as the function gets it (this package's `triggers/` folder). */
export function moduleSource(module: string): string {
  return readFileSync(new URL(`../triggers/${module}.js`, import.meta.url), 'utf8');
}

/** The IAM actions a trigger's modules need on the user pool (add-to-group's), empty for most. */
export function poolActionsOf(key: TriggerKey, modules: string[]): string[] {
  const known = definitionOf(key).modules;
  return [...new Set(modules.flatMap((m) => [...(known[m]?.actions ?? [])]))];
}
