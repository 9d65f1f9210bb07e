import type { ApiConfig, AuthMode } from './api-config.js';

/** One provider of Amplify's `AppSyncAuthConfiguration` (backend-config `output.authConfig`, the transformer's input). */
export interface AppSyncAuthProviderConfig {
  authenticationType: AuthMode['mode'];
  apiKeyConfig?: { apiKeyExpirationDays: number; description?: string };
  userPoolConfig?: { userPoolId: string };
  openIDConnectConfig?: { name: string; issuerUrl: string; clientId?: string; iatTTL?: number; authTTL?: number };
  lambdaAuthorizerConfig?: { lambdaFunction: string; ttlSeconds: number };
}

export interface AppSyncAuthConfiguration {
  defaultAuthentication: AppSyncAuthProviderConfig;
  additionalAuthenticationProviders: AppSyncAuthProviderConfig[];
}

const ttl = (value: string | undefined): number | undefined => (value === undefined || value === '' ? undefined : Number(value));

/** One mode in Amplify's authConfig spelling; `authResourceName` is the project's auth resource (user pools). */
export function providerConfig(mode: AuthMode, authResourceName: string | undefined): AppSyncAuthProviderConfig {
  switch (mode.mode) {
    case 'API_KEY':
      return {
        authenticationType: mode.mode,
        apiKeyConfig: { apiKeyExpirationDays: mode.expirationTime, ...(mode.keyDescription ? { description: mode.keyDescription } : {}) },
      };
    case 'AMAZON_COGNITO_USER_POOLS':
      return { authenticationType: mode.mode, userPoolConfig: { userPoolId: mode.cognitoUserPoolId ?? `auth${authResourceName ?? ''}` } };
    case 'AWS_IAM':
      return { authenticationType: mode.mode };
    case 'OPENID_CONNECT': {
      const iatTTL = ttl(mode.openIDIatTTL);
      const authTTL = ttl(mode.openIDAuthTTL);
      return {
        authenticationType: mode.mode,
        openIDConnectConfig: {
          name: mode.openIDProviderName,
          issuerUrl: mode.openIDIssuerURL,
          ...(mode.openIDClientID ? { clientId: mode.openIDClientID } : {}),
          ...(iatTTL === undefined ? {} : { iatTTL }),
          ...(authTTL === undefined ? {} : { authTTL }),
        },
      };
    }
    case 'AWS_LAMBDA':
      return { authenticationType: mode.mode, lambdaAuthorizerConfig: { lambdaFunction: mode.lambdaFunction, ttlSeconds: ttl(mode.ttlSeconds) ?? 300 } };
  }
}

/** The API's `AppSyncAuthConfiguration`, as Amplify records it in backend-config.json. */
export function appSyncAuthConfig(config: ApiConfig, authResourceName: string | undefined): AppSyncAuthConfiguration {
  return {
    defaultAuthentication: providerConfig(config.defaultAuthType, authResourceName),
    additionalAuthenticationProviders: config.additionalAuthTypes.map((m) => providerConfig(m, authResourceName)),
  };
}
