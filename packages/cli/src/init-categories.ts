import { UserError } from '@forte/protocol';
import { resourcesOf } from './cloud-state.js';

type Values = Record<string, Record<string, Record<string, string>>>;

/** Amplify's social provider words in `--categories` keys and the provider names Cognito uses. */
const PROVIDERS: Record<string, string> = {
  facebook: 'Facebook',
  google: 'Google',
  loginwithamazon: 'LoginWithAmazon',
  signinwithapple: 'SignInWithApple',
};

/** `<provider><Field>UserPool` key fields and the hostedUIProviderCreds fields they fill. */
const CRED_FIELDS: Record<string, string> = {
  AppId: 'client_id',
  AppSecret: 'client_secret',
  ClientId: 'client_id',
  TeamId: 'team_id',
  KeyId: 'key_id',
  PrivateKey: 'private_key',
};

/** What `--categories` gives each resource: env parameters for team-provider-info.json, and secrets kept outside the repo. */
export interface CategoryInputs {
  parameters: Values;
  secrets: Values;
}

/**
 * Amplify's headless `--categories` JSON for an attached project. For auth, as Amplify's auth plugin does at
 * init, the user pool's social sign-in keys (`facebookAppIdUserPool`, `googleAppSecretUserPool`, …) become
 * one `hostedUIProviderCreds` value per Cognito resource, a secret: it goes to the deployment secrets, never
 * into team-provider-info.json. Other keys (the identity pool's `facebookAppId`, `googleClientId`, …) are the
 * environment's parameters of each auth resource.
 */
export function categoryInputs(categories: Record<string, unknown> | undefined, backendConfig: Record<string, Record<string, unknown>>): CategoryInputs {
  const out: CategoryInputs = { parameters: {}, secrets: {} };
  if (!categories) return out;
  for (const [category, given] of Object.entries(categories)) {
    if (category !== 'auth') {
      throw new UserError(
        `--categories gives values for ${category}; Forte reads only auth's at init.`,
        'Pass only {"auth":{...}} to --categories; other categories keep their values in amplify/team-provider-info.json.',
      );
    }
    if (typeof given !== 'object' || given === null || Array.isArray(given)) {
      throw new UserError('--categories.auth must be a JSON object.', 'Pass it as --categories \'{"auth":{"googleAppIdUserPool":"..."}}\'.');
    }
    const targets = resourcesOf(backendConfig)
      .filter(([c, , entry]) => c === 'auth' && entry['service'] === 'Cognito' && entry['serviceType'] !== 'imported')
      .map(([, name]) => name);
    if (targets.length === 0) throw new UserError('--categories gives auth values, but this project has no auth resource.', 'Remove auth from --categories.');
    const creds = new Map<string, Record<string, string>>();
    const plain: Record<string, string> = {};
    for (const [key, value] of Object.entries(given as Record<string, unknown>)) {
      if (typeof value !== 'string') throw new UserError(`--categories.auth.${key} must be a string.`, `Quote the value of ${key}.`);
      const match = /^([a-z]+?)(AppId|AppSecret|ClientId|TeamId|KeyId|PrivateKey)UserPool$/.exec(key);
      const provider = match ? PROVIDERS[match[1]!] : undefined;
      if (match && provider) {
        const entry = creds.get(provider) ?? { ProviderName: provider };
        entry[CRED_FIELDS[match[2]!]!] = value;
        creds.set(provider, entry);
      } else {
        plain[key] = value;
      }
    }
    for (const name of targets) {
      if (Object.keys(plain).length > 0) (out.parameters['auth'] ??= {})[name] = { ...plain };
      if (creds.size > 0) (out.secrets['auth'] ??= {})[name] = { hostedUIProviderCreds: JSON.stringify([...creds.values()]) };
    }
  }
  return out;
}
