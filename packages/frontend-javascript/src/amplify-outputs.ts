import type { AmplifyMeta } from '@forte/protocol';
import { defaultAuthType, oauthOf } from './aws-exports.js';
import { projectRegion, pushedResources, str } from './meta-resources.js';

/** The `amplify_outputs.json` schema version written (what aws-amplify v6 parses as Gen 2 outputs). */
export const AMPLIFY_OUTPUTS_VERSION = '1.4';

const lower = (values: unknown): string[] =>
  Array.isArray(values) ? values.filter((v): v is string => typeof v === 'string').map((v) => v.toLowerCase()) : [];
const MFA: Record<string, string> = { OFF: 'NONE', ON: 'REQUIRED', OPTIONAL: 'OPTIONAL' };

/** What amplify_outputs.json takes from the project besides amplify-meta. */
export interface AmplifyOutputsSources {
  /** The model introspection schema of a GraphQL API resource (`data.model_introspection`), if compiled. */
  modelIntrospection?(category: string, resourceName: string): unknown;
}

/** amplify_outputs.json (Gen 2 shape): `version` plus only the sections of resources that exist. */
export function amplifyOutputs(meta: AmplifyMeta, sources: AmplifyOutputsSources = {}): Record<string, unknown> {
  const region = projectRegion(meta);
  const outputs: Record<string, unknown> = { version: AMPLIFY_OUTPUTS_VERSION };
  for (const r of pushedResources(meta)) {
    const o = r.output;
    const resourceRegion = str(o.Region) ?? region;
    if (r.service === 'Cognito' && (str(o.UserPoolId) || str(o.IdentityPoolId))) {
      const fac = (r.entry.frontendAuthConfig ?? {}) as Record<string, unknown>;
      const pw = (fac.passwordProtectionSettings ?? {}) as { passwordPolicyMinLength?: number; passwordPolicyCharacters?: string[] };
      const chars = pw.passwordPolicyCharacters ?? [];
      const auth: Record<string, unknown> = { aws_region: resourceRegion };
      if (str(o.UserPoolId)) {
        auth.user_pool_id = o.UserPoolId;
        auth.user_pool_client_id = o.AppClientIDWeb;
      }
      if (str(o.IdentityPoolId)) {
        auth.identity_pool_id = o.IdentityPoolId;
        // Forte's auth category records the choice; for projects from Amplify (no record) say what aws-exports
        // implies: it has no such key, and Amplify JS then allows guests.
        auth.unauthenticated_identities_enabled = typeof fac.allowUnauthenticatedIdentities === 'boolean' ? fac.allowUnauthenticatedIdentities : true;
      }
      if (str(o.UserPoolId)) {
        auth.username_attributes = lower(fac.usernameAttributes);
        auth.standard_required_attributes = lower(fac.signupAttributes);
        auth.user_verification_types = lower(fac.verificationMechanisms);
        auth.mfa_configuration = MFA[String(fac.mfaConfiguration ?? 'OFF')] ?? 'NONE';
        auth.mfa_methods = Array.isArray(fac.mfaTypes) ? fac.mfaTypes : [];
        auth.password_policy = {
          min_length: pw.passwordPolicyMinLength ?? 8,
          require_lowercase: chars.includes('REQUIRES_LOWERCASE'),
          require_uppercase: chars.includes('REQUIRES_UPPERCASE'),
          require_numbers: chars.includes('REQUIRES_NUMBERS'),
          require_symbols: chars.includes('REQUIRES_SYMBOLS'),
        };
      }
      const oauth = str(o.UserPoolId) ? oauthOf(o, resourceRegion) : {};
      if (typeof oauth.domain === 'string') {
        // Gen 2's shape of the same settings; no identity providers until federation lands.
        auth.oauth = {
          identity_providers: [],
          domain: oauth.domain,
          scopes: oauth.scope,
          redirect_sign_in_uri: String(oauth.redirectSignIn).split(',').filter(Boolean),
          redirect_sign_out_uri: String(oauth.redirectSignOut).split(',').filter(Boolean),
          response_type: oauth.responseType,
        };
      }
      const groups = Array.isArray(fac.userPoolGroups) ? fac.userPoolGroups.filter((g): g is string => typeof g === 'string') : [];
      if (groups.length > 0) auth.groups = groups.map((name, precedence) => ({ [name]: { precedence } }));
      outputs.auth = auth;
      const endpoint = cloudEndpointOf(o);
      // The user pool's issuer wins over the API's URL (they name the same cloud).
      if (endpoint) outputs.custom = { ...(outputs.custom as Record<string, unknown> | undefined), forte: { endpoint } };
    } else if (r.service === 'AppSync' && str(o.GraphQLAPIEndpointOutput)) {
      const authConfig = o.authConfig as { additionalAuthenticationProviders?: { authenticationType?: string }[] } | undefined;
      const defaultType = defaultAuthType(o);
      const additional = (authConfig?.additionalAuthenticationProviders ?? [])
        .map((p) => p.authenticationType)
        .filter((t): t is string => typeof t === 'string');
      const data: Record<string, unknown> = {
        url: o.GraphQLAPIEndpointOutput,
        aws_region: resourceRegion,
        default_authorization_type: defaultType,
        authorization_types: additional,
      };
      if (str(o.GraphQLAPIKeyOutput)) data.api_key = o.GraphQLAPIKeyOutput;
      const introspection = sources.modelIntrospection?.(r.category, r.resourceName);
      if (introspection !== undefined) data.model_introspection = introspection;
      outputs.data = data;
      // Without an auth resource the API's URL is the only place that names the cloud.
      const endpoint = cloudEndpointOfApi(o);
      if (endpoint && !(outputs.custom as { forte?: unknown } | undefined)?.forte)
        outputs.custom = { ...(outputs.custom as Record<string, unknown> | undefined), forte: { endpoint } };
    } else if (r.service === 'API Gateway' && str(o.RootUrl)) {
      // amplify_outputs.json has no REST section; Amplify's Gen 2 documentation adds REST APIs as
      // custom.API.<name> = {endpoint, region, apiName}, which the app (here @forte/amplify) hands to aws-amplify as API.REST.
      const custom = (outputs.custom ?? {}) as Record<string, unknown>;
      const name = str(o.ApiName) ?? r.resourceName;
      custom.API = { ...(custom.API as Record<string, unknown> | undefined), [name]: { endpoint: o.RootUrl, region: resourceRegion, apiName: name } };
      outputs.custom = custom;
    } else if (r.service === 'S3' && str(o.BucketName) && outputs.storage === undefined) {
      // The first S3 resource, as aws-exports.js.
      outputs.storage = { aws_region: resourceRegion, bucket_name: o.BucketName };
    }
  }
  return outputs;
}

/**
 * The Forte Cloud's base URL, from the user pool's issuer (`ProviderURL` = `<endpoint>/<UserPoolId>`), so
 * `@forte/amplify` can point aws-amplify's Cognito clients at it (amplify_outputs.json has no field for
 * their endpoints; aws-amplify ignores unknown `custom` keys).
 */
function cloudEndpointOf(output: Record<string, unknown>): string | undefined {
  const url = str(output.ProviderURL);
  const poolId = str(output.UserPoolId);
  if (!url || !poolId || !url.endsWith(`/${poolId}`)) return undefined;
  return url.slice(0, -poolId.length - 1);
}

/** The Forte Cloud's base URL from a GraphQL API's URL (`<endpoint>/graphql/<apiId>`, the cloud's shape). */
function cloudEndpointOfApi(output: Record<string, unknown>): string | undefined {
  const url = str(output.GraphQLAPIEndpointOutput);
  const apiId = str(output.GraphQLAPIIdOutput);
  if (!url || !apiId || !url.endsWith(`/graphql/${apiId}`)) return undefined;
  return url.slice(0, -`/graphql/${apiId}`.length);
}
