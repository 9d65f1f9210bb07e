import { pickMany, type PluginContext } from '@forte/protocol';
import type { CognitoConfig } from './cognito-config.js';
import { defaultDomainPrefix, type OAuthChange } from './headless-auth.js';
import {
  applePrivateKey,
  checkApplePrivateKey,
  checkDomainPrefix,
  checkOAuthSettings,
  checkRedirectUri,
  OAUTH_SCOPES,
  SOCIAL_PROVIDERS,
  type OAuthFlow,
  type OAuthScope,
  type OAuthSettings,
  type ProviderCredentials,
  type SocialProvider,
} from './oauth-config.js';

/** Where the OAuth questions are asked: add's social default, add's manual walkthrough, or update. */
export type OAuthQuestionMode = 'defaultSocial' | 'manual' | 'update';

const INTRO: Record<SocialProvider, string> = {
  Facebook:
    "You've opted to allow users to authenticate via Facebook.  If you haven't already, you'll need to go to https://developers.facebook.com and create an App ID.",
  Google:
    "You've opted to allow users to authenticate via Google.  If you haven't already, you'll need to go to https://developers.google.com/identity and create an App ID.",
  LoginWithAmazon:
    "You've opted to allow users to authenticate via Amazon.  If you haven't already, you'll need to create an Amazon App ID. Head to https://docs.amplify.aws/lib/auth/social/q/platform/js#setup-your-auth-provider to learn more.",
  SignInWithApple:
    "You've opted to allow users to authenticate via Sign in with Apple. If you haven't already, you'll need to go to https://developer.apple.com/account/#/welcome and configure Sign in with Apple.",
};

/** Amplify's questions for each provider's id and secret. */
const QUESTIONS: Record<Exclude<SocialProvider, 'SignInWithApple'>, { id: string; secret: string }> = {
  Facebook: { id: 'Enter your Facebook App ID for your OAuth flow: ', secret: 'Enter your Facebook App Secret for your OAuth flow: ' },
  Google: { id: 'Enter your Google Web Client ID for your OAuth flow: ', secret: 'Enter your Google Web Client Secret for your OAuth flow: ' },
  LoginWithAmazon: { id: 'Enter your Amazon App ID for your OAuth flow: ', secret: 'Enter your Amazon App Secret for your OAuth flow: ' },
};

const required = (v: string): true | string => (v.trim() !== '' ? true : 'a value is required');

/** "Enter your redirect signin URI:" and "Do you want to add another redirect signin URI" until no. */
async function askNewUris(ctx: PluginContext, message: string, what: string): Promise<string[]> {
  const uris: string[] = [];
  for (;;) {
    uris.push(await ctx.prompt.input({ message, validate: checkRedirectUri }));
    if (!(await ctx.prompt.confirm({ message: `Do you want to add another ${what}`, default: false }))) return uris;
  }
}

/**
 * Update's questions for a list of URIs: Amplify's edit ("Which … do you want to edit?", then "Update <uri>")
 * and add questions, with Forte's "Which … do you want to remove?" between them; a list left empty asks for a new URI.
 */
async function askUriChanges(ctx: PluginContext, current: string[], what: 'signin' | 'signout'): Promise<string[]> {
  const label = `redirect ${what} URI`;
  let uris = [...current];
  for (const uri of await pickMany(ctx, `Which ${label}s do you want to edit?`, uris)) {
    const updated = await ctx.prompt.input({ message: `Update ${uri}`, default: uri, validate: checkRedirectUri });
    uris = uris.map((u) => (u === uri ? updated : u));
  }
  const removed = await pickMany(ctx, `Which ${label}s do you want to remove?`, uris);
  uris = uris.filter((u) => !removed.includes(u));
  const add = uris.length === 0 || (await ctx.prompt.confirm({ message: `Do you want to add ${label}s?`, default: false }));
  if (add) uris.push(...(await askNewUris(ctx, `Enter your new ${label}:`, label)));
  return [...new Set(uris)];
}

/** The providers' ids and secrets: ids default to the stored ones; a secret left empty keeps the stored one. */
export async function askCredentials(
  ctx: PluginContext,
  providers: readonly SocialProvider[],
  stored: Map<SocialProvider, ProviderCredentials>,
): Promise<Map<SocialProvider, ProviderCredentials>> {
  const out = new Map<SocialProvider, ProviderCredentials>();
  const secret = async (message: string, kept: string | undefined, validate: (v: string) => true | string = required): Promise<string> => {
    const answer = await ctx.prompt.input({
      secret: true,
      message: kept === undefined ? message : `${message}(leave empty to keep the current one) `,
      validate: (v) => (v === '' && kept !== undefined ? true : validate(v)),
    });
    return answer === '' && kept !== undefined ? kept : answer;
  };
  for (const provider of providers) {
    ctx.print.info(INTRO[provider]);
    const previous = stored.get(provider);
    if (provider === 'SignInWithApple') {
      const apple = previous?.ProviderName === 'SignInWithApple' ? previous : undefined;
      const clientId = await ctx.prompt.input({ message: 'Enter your Services ID for your OAuth flow: ', default: apple?.client_id, validate: required });
      const teamId = await ctx.prompt.input({ message: 'Enter your Team ID for your OAuth flow: ', default: apple?.team_id, validate: required });
      const keyId = await ctx.prompt.input({ message: 'Enter your Key ID for your OAuth flow: ', default: apple?.key_id, validate: required });
      const key = await secret('Enter your Private Key for your OAuth flow (entire key without line breaks): ', apple?.private_key, checkApplePrivateKey);
      out.set(provider, { ProviderName: provider, client_id: clientId, team_id: teamId, key_id: keyId, private_key: applePrivateKey(key) });
      continue;
    }
    const kept = previous?.ProviderName === provider ? previous : undefined;
    const q = QUESTIONS[provider];
    const clientId = await ctx.prompt.input({ message: q.id, default: kept?.client_id, validate: required });
    const clientSecret = await secret(q.secret, kept && 'client_secret' in kept ? kept.client_secret : undefined);
    out.set(provider, { ProviderName: provider, client_id: clientId, client_secret: clientSecret });
  }
  return out;
}

async function askProviders(ctx: PluginContext, mode: OAuthQuestionMode, current: readonly SocialProvider[]): Promise<SocialProvider[]> {
  const message =
    mode === 'update'
      ? 'Select the identity providers you want to configure for your user pool:'
      : 'Select the social providers you want to configure for your user pool:';
  return (await pickMany(ctx, message, SOCIAL_PROVIDERS, current, { atLeastOne: mode === 'defaultSocial' })) as SocialProvider[];
}

/**
 * Amplify's OAuth questions. `defaultSocial`: the domain prefix, the redirect URIs and the social providers
 * (flow `code` and every scope, Amplify's defaults); `manual` and `update` first ask "Do you want to use an
 * OAuth flow?" and also the flow and the scopes; update edits the URIs it has. Returns the change, or
 * undefined when OAuth stays off.
 */
export async function askOAuth(
  ctx: PluginContext,
  config: CognitoConfig,
  mode: OAuthQuestionMode,
  current: OAuthSettings | undefined,
  stored: () => Map<SocialProvider, ProviderCredentials>,
): Promise<OAuthChange | undefined> {
  if (mode !== 'defaultSocial') {
    const wanted = await ctx.prompt.confirm({ message: 'Do you want to use an OAuth flow?', default: current !== undefined });
    if (!wanted) return current ? { off: true } : undefined;
  }
  const domainPrefix = await ctx.prompt.input({
    message: 'What domain name prefix do you want to use?',
    default: current?.domainPrefix || defaultDomainPrefix(config.resourceName),
    validate: checkDomainPrefix,
  });
  const callbackURLs =
    current && current.callbackURLs.length > 0
      ? await askUriChanges(ctx, current.callbackURLs, 'signin')
      : await askNewUris(ctx, 'Enter your redirect signin URI:', 'redirect signin URI');
  const logoutURLs =
    current && current.logoutURLs.length > 0
      ? await askUriChanges(ctx, current.logoutURLs, 'signout')
      : await askNewUris(ctx, 'Enter your redirect signout URI:', 'redirect signout URI');
  let flows: OAuthFlow[] = current?.flows.length ? current.flows : ['code'];
  let scopes: OAuthScope[] = current?.scopes.length ? current.scopes : [...OAUTH_SCOPES];
  if (mode !== 'defaultSocial') {
    const flow = await ctx.prompt.select<OAuthFlow>({
      message: 'Select the OAuth flows enabled for this project.',
      choices: [
        { name: 'Authorization code grant', value: 'code' },
        { name: 'Implicit grant', value: 'implicit' },
      ],
      default: flows[0],
    });
    flows = [flow];
    scopes = (await pickMany(ctx, 'Select the OAuth scopes enabled for this project.', OAUTH_SCOPES, scopes, { atLeastOne: true })) as OAuthScope[];
  }
  const providers = await askProviders(ctx, mode, current?.providers ?? []);
  const settings: OAuthSettings = { domainPrefix, callbackURLs, logoutURLs, flows, scopes, providers };
  checkOAuthSettings(settings, 'the answers');
  const credentials = await askCredentials(ctx, providers, providers.length > 0 ? stored() : new Map());
  return { settings, credentials };
}

/** Update's "Add/Edit signin and signout redirect URIs": the URI questions alone. */
export async function askRedirectUris(ctx: PluginContext, current: OAuthSettings): Promise<OAuthSettings> {
  const next = {
    ...current,
    callbackURLs: await askUriChanges(ctx, current.callbackURLs, 'signin'),
    logoutURLs: await askUriChanges(ctx, current.logoutURLs, 'signout'),
  };
  checkOAuthSettings(next, 'the answers');
  return next;
}

/** Update's "Update OAuth social providers": the providers and their credentials. */
export async function askSocialProviders(
  ctx: PluginContext,
  current: OAuthSettings,
  stored: () => Map<SocialProvider, ProviderCredentials>,
): Promise<OAuthChange> {
  const providers = await askProviders(ctx, 'update', current.providers);
  const credentials = await askCredentials(ctx, providers, providers.length > 0 ? stored() : new Map());
  return { settings: { ...current, providers }, credentials };
}
