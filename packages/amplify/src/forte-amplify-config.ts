import type { ResourcesConfig } from 'aws-amplify';
import { parseAmplifyConfig } from 'aws-amplify/utils';

/** What `configure()` needs besides the outputs file. */
export interface ForteConfigureOptions {
  /**
   * Base URL of the Forte Cloud (e.g. `http://127.0.0.1:20002`). Default: `custom.forte.endpoint` of the
   * outputs, which `forte push` writes.
   */
  endpoint?: string;
}

/** The `amplify_outputs.json` content (Gen 2 shape, as `forte push` writes it). */
export type AmplifyOutputs = Parameters<typeof parseAmplifyConfig>[0];

/** The Forte Cloud base URL for these outputs, without a trailing slash; throws naming the fix when unknown. */
export function forteEndpointOf(outputs: AmplifyOutputs, options: ForteConfigureOptions = {}): string {
  const custom = (outputs as { custom?: { forte?: { endpoint?: unknown } } }).custom;
  const endpoint = options.endpoint ?? custom?.forte?.endpoint;
  if (typeof endpoint !== 'string' || endpoint === '') {
    throw new Error(
      'The Forte Cloud endpoint is unknown: amplify_outputs.json has no custom.forte.endpoint. ' +
        'Run `forte push` (with an auth resource) to regenerate it, or pass configure(outputs, { endpoint: "http://127.0.0.1:20002" }).',
    );
  }
  let url: URL;
  try {
    url = new URL(endpoint);
  } catch {
    throw new Error(`The Forte Cloud endpoint ${JSON.stringify(endpoint)} is not a URL; give one like "http://127.0.0.1:20002".`);
  }
  if (url.protocol !== 'http:' && url.protocol !== 'https:') throw new Error(`The Forte Cloud endpoint ${endpoint} must be http:// or https://.`);
  return endpoint.replace(/\/+$/, '');
}

/**
 * The REST APIs of the outputs (`custom.API.<name> = {endpoint, region}`, as `forte push` writes them and as
 * Amplify's Gen 2 documentation adds them), in aws-amplify's `API.REST` shape. Entries without an endpoint are skipped.
 */
export function restApisOf(outputs: AmplifyOutputs): Record<string, { endpoint: string; region?: string }> {
  const apis = (outputs as { custom?: { API?: unknown } }).custom?.API;
  const out: Record<string, { endpoint: string; region?: string }> = {};
  if (!apis || typeof apis !== 'object') return out;
  for (const [name, value] of Object.entries(apis as Record<string, { endpoint?: unknown; region?: unknown }>)) {
    if (typeof value?.endpoint !== 'string' || value.endpoint === '') continue;
    out[name] = { endpoint: value.endpoint, ...(typeof value.region === 'string' ? { region: value.region } : {}) };
  }
  return out;
}

/**
 * aws-amplify's configuration for the outputs with the Forte endpoint overrides: the Cognito user pool
 * and identity pool clients call `<endpoint>/cognito-idp/` and `<endpoint>/cognito-identity/` (the outputs
 * file has no field for them, so they are added here), and the REST APIs of `custom.API` become `API.REST`, so
 * `get`/`post`/`put`/`del`/`head`/`patch` of `aws-amplify/api` reach them, signed with the identity pool's credentials.
 */
export function forteAmplifyConfig(outputs: AmplifyOutputs, options: ForteConfigureOptions = {}): ResourcesConfig {
  const endpoint = forteEndpointOf(outputs, options);
  const base = parseAmplifyConfig(outputs);
  const rest = restApisOf(outputs);
  const withRest: ResourcesConfig =
    Object.keys(rest).length > 0 ? ({ ...base, API: { ...base.API, REST: { ...base.API?.REST, ...rest } } } as ResourcesConfig) : base;
  const cognito = withRest.Auth?.Cognito;
  if (!cognito) return withRest;
  return {
    ...withRest,
    Auth: {
      ...withRest.Auth,
      Cognito: {
        ...cognito,
        userPoolEndpoint: `${endpoint}/cognito-idp/`,
        ...(cognito.identityPoolId ? { identityPoolEndpoint: `${endpoint}/cognito-identity/` } : {}),
      },
    },
  } as ResourcesConfig;
}
