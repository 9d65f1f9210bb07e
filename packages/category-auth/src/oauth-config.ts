import { UserError } from '@forte/protocol';
import type { CognitoConfig } from './cognito-config.js';

/**
 * The user pool's OAuth settings (Cognito's hosted UI and social sign-in) as Amplify keeps them in
 * cli-inputs.json: `hostedUI`, `hostedUIDomainName`, `authProvidersUserPool`, `hostedUIProviderMeta` (a JSON
 * string: each provider's scopes and attribute mapping) and `oAuthMetadata` (a JSON string: flows, scopes,
 * sign-in and sign-out redirect URIs). The providers' credentials are `hostedUIProviderCreds`, a deployment
 * secret kept outside the repository.
 */

export const SOCIAL_PROVIDERS = ['Facebook', 'Google', 'LoginWithAmazon', 'SignInWithApple'] as const;
export type SocialProvider = (typeof SOCIAL_PROVIDERS)[number];

/** Amplify's names of the providers in its questions, and their headless names. */
export const PROVIDER_LABELS: Record<SocialProvider, string> = {
  Facebook: 'Facebook',
  Google: 'Google',
  LoginWithAmazon: 'Login With Amazon',
  SignInWithApple: 'Sign in with Apple',
};
export const HEADLESS_PROVIDERS = {
  FACEBOOK: 'Facebook',
  GOOGLE: 'Google',
  LOGIN_WITH_AMAZON: 'LoginWithAmazon',
  SIGN_IN_WITH_APPLE: 'SignInWithApple',
} as const satisfies Record<string, SocialProvider>;

export const OAUTH_FLOWS = ['code', 'implicit'] as const;
export type OAuthFlow = (typeof OAUTH_FLOWS)[number];
export const OAUTH_SCOPES = ['phone', 'email', 'openid', 'profile', 'aws.cognito.signin.user.admin'] as const;
export type OAuthScope = (typeof OAUTH_SCOPES)[number];

/** The settings behind `oAuthMetadata` and the hosted UI keys. */
export interface OAuthSettings {
  domainPrefix: string;
  callbackURLs: string[];
  logoutURLs: string[];
  flows: OAuthFlow[];
  scopes: OAuthScope[];
  providers: SocialProvider[];
}

/** One provider's credentials, with the field names of Amplify's `hostedUIProviderCreds`. */
export type ProviderCredentials =
  | { ProviderName: Exclude<SocialProvider, 'SignInWithApple'>; client_id: string; client_secret: string }
  | { ProviderName: 'SignInWithApple'; client_id: string; team_id: string; key_id: string; private_key: string };

/** The deployment secret holding the providers' credentials (Amplify's key). */
export const CREDENTIALS_SECRET = 'hostedUIProviderCreds';

/**
 * Cognito's rule for a domain prefix, in Amplify's words: lowercase letters, digits and hyphens, no hyphen at
 * either end, at most 63 characters, without the reserved words aws, amazon or cognito. true, or the problem.
 */
export function checkDomainPrefix(prefix: string): true | string {
  const rule = 'A domain prefix is lowercase letters, numbers and hyphens (not at either end), at most 63 characters';
  if (prefix === '') return `${rule}; it cannot be empty.`;
  if (prefix.length > 63) return `${rule}; ${prefix} has ${prefix.length}.`;
  const bad = [...new Set(prefix.replace(/[a-z0-9-]/g, ''))];
  if (bad.length > 0) return `${rule}; ${prefix} has ${bad.map((c) => JSON.stringify(c)).join(', ')}.`;
  if (prefix.startsWith('-') || prefix.endsWith('-')) return `${rule}; ${prefix} starts or ends with a hyphen.`;
  const reserved = ['aws', 'amazon', 'cognito'].find((w) => prefix.includes(w));
  if (reserved) return `The domain prefix cannot contain the reserved word "${reserved}" (nor aws, amazon or cognito); ${prefix} does.`;
  return true;
}

/**
 * Amplify's rule for a redirect URI: `scheme://…/` ending with a slash (https, or http for localhost only),
 * or a bare custom scheme such as `myapp://`. true, or the problem.
 */
export function checkRedirectUri(uri: string): true | string {
  const rule = 'A redirect URI ends with a forward slash (https://example.com/), uses HTTPS unless it is localhost, or is an app scheme such as myapp://';
  const match = /^([A-Za-z0-9.]+):\/\/(.*)$/.exec(uri);
  if (!match) return `${JSON.stringify(uri)} is not a URI. ${rule}.`;
  const scheme = match[1]!.toLowerCase();
  const rest = match[2]!;
  if (rest === '') return scheme === 'http' || scheme === 'https' ? `${JSON.stringify(uri)} has no host. ${rule}.` : true;
  if (!/^[A-Za-z0-9\-._~:?#@!$&'()*+,;=/]+$/.test(rest)) return `${JSON.stringify(uri)} has characters a redirect URI cannot have. ${rule}.`;
  if (!rest.endsWith('/')) return `${JSON.stringify(uri)} does not end with a forward slash. ${rule}.`;
  if (scheme === 'http' && !rest.startsWith('localhost')) return `${JSON.stringify(uri)} uses HTTP for a host other than localhost. ${rule}.`;
  return true;
}

/** Each required attribute's claim and scope at each provider, as Amplify maps them (its attribute map). */
const ATTRIBUTE_MAP: Record<string, Partial<Record<Lowercase<SocialProvider>, { attr: string; scope: string }>>> = {
  birthdate: { facebook: { attr: 'birthday', scope: 'public_profile' }, google: { attr: 'birthdays', scope: 'profile' } },
  email: {
    facebook: { attr: 'email', scope: 'email' },
    google: { attr: 'email', scope: 'email' },
    loginwithamazon: { attr: 'email', scope: 'profile' },
    signinwithapple: { attr: 'email', scope: 'email' },
  },
  family_name: {
    facebook: { attr: 'last_name', scope: 'public_profile' },
    google: { attr: 'family_name', scope: 'profile' },
    signinwithapple: { attr: 'lastName', scope: 'name' },
  },
  gender: { facebook: { attr: 'gender', scope: 'public_profile' }, google: { attr: 'genders', scope: 'profile' } },
  given_name: {
    facebook: { attr: 'first_name', scope: 'public_profile' },
    google: { attr: 'given_name', scope: 'profile' },
    signinwithapple: { attr: 'firstName', scope: 'name' },
  },
  locale: { loginwithamazon: { attr: 'postal_code', scope: 'postal_code' } },
  middle_name: { facebook: { attr: 'middle_name', scope: 'public_profile' } },
  name: {
    facebook: { attr: 'name', scope: 'public_profile' },
    google: { attr: 'name', scope: 'profile' },
    loginwithamazon: { attr: 'name', scope: 'profile' },
    signinwithapple: { attr: 'name', scope: 'name' },
  },
  phone_number: { google: { attr: 'phoneNumbers', scope: 'profile' } },
  picture: { facebook: { attr: 'picture', scope: 'public_profile' }, google: { attr: 'picture', scope: 'profile' } },
  username: {
    facebook: { attr: 'id', scope: 'public_profile' },
    google: { attr: 'sub', scope: 'profile' },
    loginwithamazon: { attr: 'user_id', scope: 'profile:user_id' },
  },
  updated_at: { facebook: { attr: 'updated_at', scope: 'public_profile' } },
};

/**
 * `hostedUIProviderMeta` as Amplify writes it: per provider, the scopes its claims need (comma-separated for
 * Facebook, space-separated otherwise; Google's start with openid) and the attribute mapping of the pool's
 * required attributes and the username.
 */
export function providerMeta(providers: readonly SocialProvider[], requiredAttributes: readonly string[]): string {
  const attributes = [...requiredAttributes, 'username'];
  return JSON.stringify(
    providers.map((provider) => {
      const key = provider.toLowerCase() as Lowercase<SocialProvider>;
      const scopes: string[] = provider === 'Google' ? ['openid'] : [];
      const mapping: Record<string, string> = {};
      for (const attribute of attributes) {
        const entry = ATTRIBUTE_MAP[attribute]?.[key];
        if (!entry) continue;
        if (!scopes.includes(entry.scope)) scopes.push(entry.scope);
        mapping[attribute] = entry.attr;
      }
      return { ProviderName: provider, authorize_scopes: scopes.join(provider === 'Facebook' ? ',' : ' '), AttributeMapping: mapping };
    }),
  );
}

const file = (config: CognitoConfig): string => `amplify/backend/auth/${config.resourceName}/cli-inputs.json`;

/** The OAuth settings a cognitoConfig holds; undefined when its hosted UI is off. */
export function oauthSettingsOf(config: CognitoConfig): OAuthSettings | undefined {
  if (config['hostedUI'] !== true) return undefined;
  const where = file(config);
  let metadata: Record<string, unknown> = {};
  const raw = config['oAuthMetadata'];
  if (typeof raw === 'string') {
    try {
      metadata = JSON.parse(raw) as Record<string, unknown>;
    } catch (error) {
      throw new UserError(
        `${where}: oAuthMetadata is not valid JSON (${(error as Error).message}).`,
        'Fix oAuthMetadata, or run `forte update auth` to set OAuth again.',
      );
    }
  }
  const strings = (value: unknown): string[] => (Array.isArray(value) ? value.filter((v): v is string => typeof v === 'string') : []);
  const providers = strings(config['authProvidersUserPool']).filter((p): p is SocialProvider => (SOCIAL_PROVIDERS as readonly string[]).includes(p));
  return {
    domainPrefix: typeof config['hostedUIDomainName'] === 'string' ? config['hostedUIDomainName'] : '',
    callbackURLs: strings(metadata['CallbackURLs']),
    logoutURLs: strings(metadata['LogoutURLs']),
    flows: strings(metadata['AllowedOAuthFlows']).filter((f): f is OAuthFlow => (OAUTH_FLOWS as readonly string[]).includes(f)),
    scopes: strings(metadata['AllowedOAuthScopes']).filter((s): s is OAuthScope => (OAUTH_SCOPES as readonly string[]).includes(s)),
    providers,
  };
}

/** Checks settings before anything is written: a UserError names the first problem and its fix. */
export function checkOAuthSettings(settings: OAuthSettings, source: string): void {
  const fail = (problem: string, fix: string): never => {
    throw new UserError(`${source}: ${problem}`, fix);
  };
  const domain = checkDomainPrefix(settings.domainPrefix);
  if (domain !== true) fail(domain, 'Choose another domain prefix, e.g. myapp-auth.');
  for (const [list, what] of [
    [settings.callbackURLs, 'sign-in'],
    [settings.logoutURLs, 'sign-out'],
  ] as const) {
    if (list.length === 0)
      fail(`OAuth needs at least one ${what} redirect URI.`, `Give the URI your app's ${what} page answers at, e.g. http://localhost:3000/.`);
    for (const uri of list) {
      const ok = checkRedirectUri(uri);
      if (ok !== true) fail(`bad ${what} redirect URI: ${ok}`, 'Fix the URI.');
    }
  }
  if (settings.flows.length === 0)
    fail('OAuth needs a flow (code or implicit).', 'Choose the authorization code grant (code) unless the app needs the implicit grant.');
  if (settings.scopes.length === 0) fail('OAuth needs at least one scope.', `Choose among ${OAUTH_SCOPES.join(', ')}.`);
  if (new Set(settings.providers).size !== settings.providers.length) fail('a social provider is listed twice.', 'List each provider once.');
}

/** Writes the settings into a cognitoConfig with Amplify's keys (attribute mappings from its required attributes). */
export function applyOAuthSettings(config: Record<string, unknown>, settings: OAuthSettings): void {
  const unique = <T>(list: T[]): T[] => [...new Set(list)];
  config['hostedUI'] = true;
  config['hostedUIDomainName'] = settings.domainPrefix;
  config['authProvidersUserPool'] = [...settings.providers];
  config['hostedUIProviderMeta'] = providerMeta(settings.providers, (config['requiredAttributes'] as string[] | undefined) ?? []);
  config['oAuthMetadata'] = JSON.stringify({
    AllowedOAuthFlows: unique(settings.flows),
    AllowedOAuthScopes: unique(settings.scopes),
    CallbackURLs: unique(settings.callbackURLs),
    LogoutURLs: unique(settings.logoutURLs),
  });
}

/** Turns the hosted UI off as Amplify's update does: `hostedUI: false` and no OAuth keys. */
export function removeOAuthSettings(config: Record<string, unknown>): void {
  config['hostedUI'] = false;
  for (const key of ['hostedUIDomainName', 'authProvidersUserPool', 'hostedUIProviderMeta', 'oAuthMetadata']) delete config[key];
}

/**
 * Amplify's handling of an Apple private key: whitespace and line breaks removed, and the key between the
 * BEGIN / END PRIVATE KEY lines kept.
 */
export function applePrivateKey(key: string): string {
  const compact = key.replace(/\s+/g, '');
  const match = /^-+BEGINPRIVATEKEY-+(.+[^-])-+ENDPRIVATEKEY-+$/.exec(compact);
  return match ? match[1]! : compact;
}
/** Whether a value is an Apple private key: true, or the problem. */
export function checkApplePrivateKey(key: string): true | string {
  const body = applePrivateKey(key);
  return body !== '' && /^[A-Za-z0-9+/]+=*$/.test(body)
    ? true
    : 'The private key is the whole .p8 key from Apple (-----BEGIN PRIVATE KEY----- … -----END PRIVATE KEY-----, on one line or several).';
}

/** The stored credentials of a resource, by provider (empty when none or unreadable). */
export function storedCredentials(secrets: Record<string, string>): Map<SocialProvider, ProviderCredentials> {
  const out = new Map<SocialProvider, ProviderCredentials>();
  const raw = secrets[CREDENTIALS_SECRET];
  if (raw === undefined) return out;
  try {
    const list = JSON.parse(raw) as unknown;
    if (Array.isArray(list))
      for (const entry of list as ProviderCredentials[])
        if (entry && (SOCIAL_PROVIDERS as readonly string[]).includes(entry.ProviderName)) out.set(entry.ProviderName, entry);
  } catch {
    // An unreadable value is asked for again.
  }
  return out;
}

/** The `hostedUIProviderCreds` value for the providers, in their order. */
export function credentialsSecret(providers: readonly SocialProvider[], credentials: Map<SocialProvider, ProviderCredentials>): string {
  return JSON.stringify(
    providers.map((p) => {
      const c = credentials.get(p);
      if (!c) throw new Error(`no credentials for ${p}`);
      return c;
    }),
  );
}
