import type { JsonApiDescription } from '../../kernel/types.js';
import type { FunctionCredentials } from './function-credentials.js';

/**
 * The SDK's name for a service (`AWS_ENDPOINT_URL_<name>`, from its serviceId) where it is not the signing
 * name upper-cased and the API does not give its own (`sdkEndpointName`); signing services the SDK has no
 * client for (Forte's own) get none.
 */
const SDK_ENDPOINT_NAMES: Readonly<Record<string, string | null>> = {
  'cognito-idp': 'COGNITO_IDENTITY_PROVIDER',
  'cognito-identity': 'COGNITO_IDENTITY',
  logs: 'CLOUDWATCH_LOGS',
  forte: null,
};

/**
 * The variables the cloud gives every function: its template's variables, its role's credentials, the
 * region, and where each AWS API is, so the `@aws-sdk/*` clients in the function reach this cloud unchanged:
 * `AWS_ENDPOINT_URL` (the base URL: Lambda and the APIs served at `/`), and `AWS_ENDPOINT_URL_<SERVICE>` for
 * each API the cloud serves under a path (`/dynamodb/`, `/cognito-idp/`, `/s3`, ...).
 */
export function functionEnvironment(input: {
  variables: Record<string, string>;
  credentials: FunctionCredentials;
  region: string;
  baseUrl: string;
  apis: readonly JsonApiDescription[];
}): Record<string, string> {
  const endpoints: Record<string, string> = {};
  // An API naming itself outranks one whose name comes from its signing service (DynamoDB and DynamoDB Streams
  // both sign as `dynamodb`), whatever their order; between equals the first wins.
  const named = [...input.apis].sort((a, b) => Number(b.sdkEndpointName !== undefined) - Number(a.sdkEndpointName !== undefined));
  for (const api of named) {
    const name =
      api.sdkEndpointName ??
      (Object.hasOwn(SDK_ENDPOINT_NAMES, api.signingService) ? SDK_ENDPOINT_NAMES[api.signingService] : api.signingService.toUpperCase().replace(/-/g, '_'));
    // An API also served at `/` (SSM by its X-Amz-Target) is reached through AWS_ENDPOINT_URL already.
    if (!name || api.path === '/' || endpoints[`AWS_ENDPOINT_URL_${name}`]) continue;
    endpoints[`AWS_ENDPOINT_URL_${name}`] = input.baseUrl + api.path;
  }
  // S3 is no JSON API: the cloud serves it path style under `/s3` (docs/architecture.md), which the SDK uses
  // for an endpoint whose host is an IP address, as the cloud's base URL is.
  endpoints.AWS_ENDPOINT_URL_S3 = `${input.baseUrl}/s3`;
  return {
    ...input.variables,
    ...endpoints,
    AWS_ENDPOINT_URL: input.baseUrl,
    AWS_REGION: input.region,
    AWS_DEFAULT_REGION: input.region,
    AWS_ACCESS_KEY_ID: input.credentials.accessKeyId,
    AWS_SECRET_ACCESS_KEY: input.credentials.secretAccessKey,
    AWS_SESSION_TOKEN: input.credentials.sessionToken,
  };
}
