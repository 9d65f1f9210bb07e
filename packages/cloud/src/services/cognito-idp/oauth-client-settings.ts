import { z } from 'zod';

/** The scopes every pool has; resource servers add their custom ones (`<identifier>/<scope>`, resource-servers.ts). */
export const OAUTH_SCOPES = ['openid', 'email', 'phone', 'profile', 'aws.cognito.signin.user.admin'] as const;

/** The pool's own users, as a client's SupportedIdentityProviders names them; federated ones are named by their ProviderName. */
export const SUPPORTED_PROVIDERS = ['COGNITO'] as const;

/** An app client's hosted-UI settings, as stored (the CloudFormation / API names). */
export interface ClientOAuthSettings {
  AllowedOAuthFlowsUserPoolClient: boolean;
  AllowedOAuthFlows: Array<'code' | 'implicit' | 'client_credentials'>;
  AllowedOAuthScopes: string[];
  CallbackURLs: string[];
  LogoutURLs: string[];
  DefaultRedirectURI?: string | undefined;
  SupportedIdentityProviders: string[];
}

const url = z.string().min(1).max(1024);

/** The OAuth fields of `Forte::Cognito::UserPoolClient` and of Create/UpdateUserPoolClient. */
export const clientOAuthFields = {
  AllowedOAuthFlowsUserPoolClient: z.boolean().optional(),
  AllowedOAuthFlows: z
    .array(z.enum(['code', 'implicit', 'client_credentials']))
    .max(3)
    .optional(),
  AllowedOAuthScopes: z.array(z.string().min(1).max(256)).max(50).optional(),
  CallbackURLs: z.array(url).max(100).optional(),
  LogoutURLs: z.array(url).max(100).optional(),
  DefaultRedirectURI: url.optional(),
  SupportedIdentityProviders: z.array(z.string().min(1).max(32)).max(50).optional(),
};

type OAuthInput = { [K in keyof typeof clientOAuthFields]?: z.infer<(typeof clientOAuthFields)[K]> };

/**
 * Cognito's rules for a redirect URL: absolute, no fragment, and HTTPS unless it is `http://localhost`
 * (any port and path); app schemes such as `myapp://` are allowed. Answers the problem, or undefined.
 */
function redirectUrlProblem(value: string): string | undefined {
  let parsed: URL;
  try {
    parsed = new URL(value);
  } catch {
    return `${value} is not an absolute URL`;
  }
  if (value.includes('#')) return `${value} has a fragment (#...), which redirect URLs may not have`;
  if (parsed.protocol === 'http:' && parsed.hostname !== 'localhost')
    return `${value} uses http: only http://localhost may; use https (or http://localhost while developing)`;
  if (parsed.protocol === 'javascript:' || parsed.protocol === 'data:') return `${value} is not a redirect URL`;
  return undefined;
}

/**
 * Checks a client's OAuth settings as Cognito does and answers what is stored, or the problem (a sentence
 * naming the field and the fix). Settings without `AllowedOAuthFlowsUserPoolClient: true` are kept but
 * do not let the client use the hosted UI.
 */
export function checkClientOAuth(
  input: OAuthInput,
  customScopes: ReadonlySet<string> = new Set(),
): { ok: true; settings: ClientOAuthSettings | undefined } | { ok: false; message: string } {
  const enabled = input.AllowedOAuthFlowsUserPoolClient ?? false;
  const flows = input.AllowedOAuthFlows ?? [];
  const scopes = input.AllowedOAuthScopes ?? [];
  const callbacks = input.CallbackURLs ?? [];
  const logouts = input.LogoutURLs ?? [];
  const providers = input.SupportedIdentityProviders ?? [];
  const touched = enabled || flows.length + scopes.length + callbacks.length + logouts.length + providers.length > 0 || input.DefaultRedirectURI;
  if (!touched) return { ok: true, settings: undefined };
  const fail = (message: string) => ({ ok: false as const, message });
  const standard = (scope: string): boolean => (OAUTH_SCOPES as readonly string[]).includes(scope);
  const unknownScopes = scopes.filter((s) => !standard(s) && !customScopes.has(s));
  if (unknownScopes.length > 0)
    return fail(
      `AllowedOAuthScopes: ${unknownScopes.join(', ')} ${unknownScopes.length === 1 ? 'is not a scope' : 'are not scopes'} of this pool (${OAUTH_SCOPES.join(', ')}, or a resource server's <identifier>/<scope>: create the resource server first).`,
    );
  if (scopes.some((s) => s === 'email' || s === 'phone' || s === 'profile') && !scopes.includes('openid'))
    return fail('AllowedOAuthScopes: email, phone and profile need openid too: add openid.');
  const machine = flows.includes('client_credentials');
  if (machine && flows.length > 1)
    return fail('AllowedOAuthFlows: client_credentials cannot be combined with code or implicit: use another app client for it.');
  if (machine && (scopes.length === 0 || scopes.some(standard)))
    return fail(
      `AllowedOAuthScopes: a client_credentials client is granted resource servers' custom scopes only (<identifier>/<scope>)${scopes.some(standard) ? `, not ${scopes.filter(standard).join(', ')}` : ''}.`,
    );
  for (const list of [callbacks, logouts]) {
    for (const value of list) {
      const problem = redirectUrlProblem(value);
      if (problem) return fail(`${list === callbacks ? 'CallbackURLs' : 'LogoutURLs'}: ${problem}.`);
    }
  }
  if (input.DefaultRedirectURI !== undefined && !callbacks.includes(input.DefaultRedirectURI))
    return fail(`DefaultRedirectURI: ${input.DefaultRedirectURI} must be one of the CallbackURLs.`);
  // Federated providers are checked against the pool's (applyClient); SAML-only names are not refused here.
  if (providers.some((p) => p.length === 0)) return fail('SupportedIdentityProviders: a provider name cannot be empty.');
  if (enabled) {
    if (flows.length === 0)
      return fail('AllowedOAuthFlows: a client with AllowedOAuthFlowsUserPoolClient needs at least one flow (code, implicit or client_credentials).');
    if (scopes.length === 0) return fail('AllowedOAuthScopes: a client with AllowedOAuthFlowsUserPoolClient needs at least one scope (openid, for instance).');
    if (!machine && callbacks.length === 0) return fail('CallbackURLs: the code and implicit flows need at least one callback URL.');
  }
  return {
    ok: true,
    settings: {
      AllowedOAuthFlowsUserPoolClient: enabled,
      AllowedOAuthFlows: flows,
      AllowedOAuthScopes: scopes,
      CallbackURLs: callbacks,
      LogoutURLs: logouts,
      ...(input.DefaultRedirectURI !== undefined ? { DefaultRedirectURI: input.DefaultRedirectURI } : {}),
      SupportedIdentityProviders: providers,
    },
  };
}

/** The client's settings in Cognito's DescribeUserPoolClient shape (only the fields that are set). */
export function describeClientOAuth(settings: ClientOAuthSettings | undefined): Record<string, unknown> {
  if (!settings) return { AllowedOAuthFlowsUserPoolClient: false };
  const out: Record<string, unknown> = { AllowedOAuthFlowsUserPoolClient: settings.AllowedOAuthFlowsUserPoolClient };
  if (settings.AllowedOAuthFlows.length > 0) out.AllowedOAuthFlows = settings.AllowedOAuthFlows;
  if (settings.AllowedOAuthScopes.length > 0) out.AllowedOAuthScopes = settings.AllowedOAuthScopes;
  if (settings.CallbackURLs.length > 0) out.CallbackURLs = settings.CallbackURLs;
  if (settings.LogoutURLs.length > 0) out.LogoutURLs = settings.LogoutURLs;
  if (settings.DefaultRedirectURI !== undefined) out.DefaultRedirectURI = settings.DefaultRedirectURI;
  if (settings.SupportedIdentityProviders.length > 0) out.SupportedIdentityProviders = settings.SupportedIdentityProviders;
  return out;
}
