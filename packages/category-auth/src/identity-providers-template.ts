import { AUTH_RESOURCE_TYPES, UserError, type Template, type TemplateResource } from '@forte/protocol';
import type { CognitoConfig } from './cognito-config.js';
import { SOCIAL_PROVIDERS, type ProviderCredentials, type SocialProvider } from './oauth-config.js';

/** The details of a provider's credentials that are secrets: NoEcho parameters, never in a template. */
const SECRET_FIELDS = ['client_secret', 'private_key'];

/** Logical id of a social provider's resource in the auth stack. */
export const providerLogicalId = (provider: SocialProvider): string => `HostedUI${provider}Provider`;

/** The social providers the pool signs in with through the hosted UI (cli-inputs.json `authProvidersUserPool`). */
export function userPoolProvidersOf(config: CognitoConfig): SocialProvider[] {
  if (config['hostedUI'] !== true || !Array.isArray(config['authProvidersUserPool'])) return [];
  return (config['authProvidersUserPool'] as unknown[]).filter((p): p is SocialProvider => SOCIAL_PROVIDERS.includes(p as SocialProvider));
}

/**
 * Adds a `UserPoolIdentityProvider` per social provider of the pool (as Amplify's hosted UI providers): its scopes
 * and attribute mapping from `hostedUIProviderMeta`, its credentials from the environment's deployment secret
 * `hostedUIProviderCreds` as template parameters, the secret ones (client_secret, private_key) NoEcho, so their
 * values never appear in the templates the cloud keeps. Answers the parameters' values and the providers' logical ids.
 */
export function addIdentityProviders(
  config: CognitoConfig,
  credentials: Map<SocialProvider, ProviderCredentials>,
  parameters: NonNullable<Template['Parameters']>,
  resources: Record<string, TemplateResource>,
): { values: Record<string, string>; logicalIds: string[] } {
  const providers = userPoolProvidersOf(config);
  const values: Record<string, string> = {};
  if (providers.length === 0) return { values, logicalIds: [] };
  const source = `amplify/backend/auth/${config.resourceName}/cli-inputs.json`;
  let meta: Array<{ ProviderName?: unknown; authorize_scopes?: unknown; AttributeMapping?: unknown }>;
  try {
    meta = JSON.parse(typeof config['hostedUIProviderMeta'] === 'string' ? config['hostedUIProviderMeta'] : '[]') as typeof meta;
    if (!Array.isArray(meta)) throw new Error('not a list');
  } catch {
    throw new UserError(
      `${source}: hostedUIProviderMeta is not the JSON list of the providers' scopes and attribute mappings.`,
      'Run `forte update auth` to write it again.',
    );
  }
  const missing = providers.filter((p) => !credentials.has(p));
  if (missing.length > 0)
    throw new UserError(
      `auth ${config.resourceName} signs in with ${missing.join(', ')}, and this environment's deployment secrets hold no credentials for ${missing.length === 1 ? 'it' : 'them'} (hostedUIProviderCreds).`,
      'Give them with `forte update auth` (the OAuth questions), or with `forte init --categories \'{"auth":{"facebookAppIdUserPool":…,"facebookAppSecretUserPool":…}}\'`.',
    );
  const logicalIds: string[] = [];
  for (const provider of providers) {
    const entry = meta.find((m) => m.ProviderName === provider);
    const details: Record<string, unknown> = { authorize_scopes: typeof entry?.authorize_scopes === 'string' ? entry.authorize_scopes : '' };
    for (const [field, value] of Object.entries(credentials.get(provider) ?? {})) {
      if (field === 'ProviderName' || typeof value !== 'string') continue;
      const name = `hostedUI${provider}${field.replace(/(^|_)([a-z])/g, (_m, _u, c: string) => c.toUpperCase())}`;
      parameters[name] = SECRET_FIELDS.includes(field) ? { Type: 'String', NoEcho: true } : { Type: 'String' };
      values[name] = value;
      details[field] = { Ref: name };
    }
    const id = providerLogicalId(provider);
    resources[id] = {
      Type: AUTH_RESOURCE_TYPES.userPoolIdentityProvider,
      Properties: {
        UserPoolId: { 'Fn::GetAtt': ['UserPool', 'UserPoolId'] },
        ProviderName: provider,
        ProviderType: provider,
        ProviderDetails: details,
        ...(entry?.AttributeMapping && typeof entry.AttributeMapping === 'object' ? { AttributeMapping: entry.AttributeMapping } : {}),
      },
    };
    logicalIds.push(id);
  }
  return { values, logicalIds };
}

/**
 * The auth stack with the pool's social providers: their resources (addIdentityProviders), and the app clients'
 * SupportedIdentityProviders naming them after COGNITO, each client applied after them. Answers the values of
 * the parameters they add, for the build to pass.
 */
export function withIdentityProviders(
  template: Template,
  config: CognitoConfig,
  credentials: () => Map<SocialProvider, ProviderCredentials>,
): { template: Template; parameters: Record<string, string> } {
  if (userPoolProvidersOf(config).length === 0) return { template, parameters: {} };
  const parameters = { ...(template.Parameters ?? {}) };
  const resources = { ...template.Resources };
  const { values, logicalIds } = addIdentityProviders(config, credentials(), parameters, resources);
  const names = logicalIds.map((id) => String(resources[id]?.Properties?.['ProviderName']));
  for (const id of ['UserPoolClientWeb', 'UserPoolClient']) {
    const client = resources[id];
    if (!client?.Properties || !Array.isArray(client.Properties['SupportedIdentityProviders'])) continue;
    const dependsOn = client.DependsOn === undefined ? [] : Array.isArray(client.DependsOn) ? client.DependsOn : [client.DependsOn];
    resources[id] = {
      ...client,
      Properties: { ...client.Properties, SupportedIdentityProviders: ['COGNITO', ...names] },
      DependsOn: [...dependsOn, ...logicalIds],
    };
  }
  return { template: { ...template, Parameters: parameters, Resources: resources }, parameters: values };
}
