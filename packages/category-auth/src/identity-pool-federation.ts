import { pickMany, UserError, type PluginContext } from '@forte/protocol';
import type { CognitoConfig } from './cognito-config.js';

/**
 * Federation through the identity pool (Amplify's "3rd party authentication providers in your identity pool"):
 * `thirdPartyAuth`, `authProviders` (the login keys) and each provider's app id in cli-inputs.json, as Amplify
 * writes them. The identity pool then takes the provider's own tokens (auth-template.ts: SupportedLoginProviders).
 *
 * The one table of those providers: the walk-through's name, the headless `identitySocialFederation` name, the
 * login key, the field of the app id the walk-through asks for and, for Google, the fields of its iOS and Android
 * clients, whose ids the identity pool accepts too.
 */
const PROVIDERS = [
  { name: 'Facebook', headless: 'FACEBOOK', key: 'graph.facebook.com', field: 'facebookAppId', question: 'Enter your Facebook App ID for your identity pool:' },
  {
    name: 'Google',
    headless: 'GOOGLE',
    key: 'accounts.google.com',
    field: 'googleClientId',
    extraFields: ['googleIos', 'googleAndroid'],
    question: 'Enter your Google Web Client ID for your identity pool:',
  },
  { name: 'Amazon', headless: 'AMAZON', key: 'www.amazon.com', field: 'amazonAppId', question: 'Enter your Amazon App ID for your identity pool:' },
  { name: 'Apple', headless: 'APPLE', key: 'appleid.apple.com', field: 'appleAppId', question: 'Enter your Bundle Identifier for your identity pool:' },
] as const;

export const IDENTITY_SOCIAL_PROVIDERS = PROVIDERS.map((p) => p.headless);
/** The login keys identity pools federate with (`authProviders`), in the walk-through's order. */
export const IDENTITY_POOL_LOGIN_KEYS: readonly string[] = PROVIDERS.map((p) => p.key);

/**
 * The cli-inputs.json fields whose app ids the identity pool accepts for the login key `key` (the asked one
 * first; Google's mobile clients after it), or undefined when identity pools do not federate with `key`.
 */
export function fieldsOf(key: string): readonly string[] | undefined {
  const provider = PROVIDERS.find((p) => p.key === key);
  if (!provider) return undefined;
  return 'extraFields' in provider ? [provider.field, ...provider.extraFields] : [provider.field];
}
export type IdentitySocialProvider = (typeof PROVIDERS)[number]['headless'];

const APP_ID = /^[\w.:-]{1,2048}$/;
const checkAppId = (value: string): true | string => (APP_ID.test(value.trim()) ? true : 'An app id is letters, digits and . : - _ (no spaces)');

/** The manual walk-through's questions (and update's, defaults the current values), after "Allow unauthenticated logins?". */
export async function askIdentityPoolFederation(ctx: PluginContext, config: CognitoConfig): Promise<void> {
  const enabled = await ctx.prompt.confirm({
    message: 'Do you want to enable 3rd party authentication providers in your identity pool?',
    default: config['thirdPartyAuth'] === true,
  });
  if (!enabled) return setFederation(config, []);
  const current = PROVIDERS.filter((p) => currentKeys(config).includes(p.key)).map((p) => p.name);
  const names = await pickMany(
    ctx,
    'Select the third party identity providers you want to configure for your identity pool:',
    PROVIDERS.map((p) => p.name),
    current,
    { atLeastOne: true },
  );
  const chosen: Array<{ provider: IdentitySocialProvider; clientId: string }> = [];
  for (const provider of PROVIDERS.filter((p) => names.includes(p.name))) {
    const existing = config[provider.field];
    const clientId = await ctx.prompt.input({
      message: provider.question,
      ...(typeof existing === 'string' && existing ? { default: existing } : {}),
      validate: checkAppId,
    });
    chosen.push({ provider: provider.headless, clientId: clientId.trim() });
  }
  setFederation(config, chosen);
}

/** Sets (or, with an empty list, turns off) the identity pool's providers, as the headless `identitySocialFederation` says. */
export function setFederation(config: Record<string, unknown>, providers: ReadonlyArray<{ provider: string; clientId: string }>): void {
  const record = config;
  for (const p of PROVIDERS) delete record[p.field];
  if (providers.length === 0) {
    record['thirdPartyAuth'] = false;
    delete record['authProviders'];
    return;
  }
  const keys: string[] = [];
  for (const { provider, clientId } of providers) {
    const known = PROVIDERS.find((p) => p.headless === provider);
    if (!known)
      throw new UserError(`identitySocialFederation: ${provider} is not one of ${IDENTITY_SOCIAL_PROVIDERS.join(', ')}.`, 'Name one of those providers.');
    if (checkAppId(clientId) !== true)
      throw new UserError(`identitySocialFederation: the clientId of ${provider} is not an app id.`, 'Give the app id (client id) the provider issued.');
    if (keys.includes(known.key)) throw new UserError(`identitySocialFederation names ${provider} twice.`, 'Name each provider once.');
    keys.push(known.key);
    record[known.field] = clientId;
  }
  record['thirdPartyAuth'] = true;
  record['authProviders'] = keys;
}

function currentKeys(config: CognitoConfig): string[] {
  return config['thirdPartyAuth'] === true && Array.isArray(config['authProviders']) ? (config['authProviders'] as unknown[]).map(String) : [];
}
