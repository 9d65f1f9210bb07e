import { readFileSync } from 'node:fs';
import { UserError } from '@forte/protocol';

/**
 * The Cognito triggers of the auth category (Amplify's `cognito.map.json`), keyed as cli-inputs.json's
 * `triggers` keys them, with the `LambdaConfig` key each sets and the modules offered for it (Amplify's
 * `<Trigger>.map.json`; each also offers `custom`, "Create your own module"). The captcha modules are the three
 * triggers of one sign-in (password, then a reCAPTCHA token); Amplify's CustomMessage `verification-link` is not
 * offered: its link opens a page Amplify hosts in an S3 website bucket the auth stack creates, which Forte has not.
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
  CustomMessage: { name: 'Custom Message', lambdaConfig: 'CustomMessage', modules: {} },
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

interface TriggerDefinition {
  name: string;
  lambdaConfig: string;
  modules: Record<string, { name: string; env?: readonly { key: string; message: string }[]; actions?: readonly string[] }>;
}

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
