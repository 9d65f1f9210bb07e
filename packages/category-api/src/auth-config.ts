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

/**
 * The mode an authConfig provider describes (Amplify's authConfigToAppSyncAuthType: how its migration to cli-inputs.json
 * reads an API made before Amplify CLI 7 from backend-config's `output.authConfig`).
 */
export function authModeOf(provider: Partial<AppSyncAuthProviderConfig> | undefined): unknown {
  const text = (value: unknown): string | undefined => (value === undefined || value === null ? undefined : String(value));
  switch (provider?.authenticationType) {
    case 'API_KEY':
      return {
        mode: 'API_KEY',
        ...(provider.apiKeyConfig?.apiKeyExpirationDays === undefined ? {} : { expirationTime: provider.apiKeyConfig.apiKeyExpirationDays }),
        ...(provider.apiKeyConfig?.description ? { keyDescription: provider.apiKeyConfig.description } : {}),
      };
    case 'AMAZON_COGNITO_USER_POOLS':
      return { mode: 'AMAZON_COGNITO_USER_POOLS', ...(provider.userPoolConfig?.userPoolId ? { cognitoUserPoolId: provider.userPoolConfig.userPoolId } : {}) };
    case 'AWS_IAM':
      return { mode: 'AWS_IAM' };
    case 'OPENID_CONNECT': {
      const oidc = provider.openIDConnectConfig;
      return {
        mode: 'OPENID_CONNECT',
        openIDProviderName: oidc?.name,
        openIDIssuerURL: oidc?.issuerUrl,
        ...(oidc?.clientId ? { openIDClientID: oidc.clientId } : {}),
        ...(text(oidc?.authTTL) === undefined ? {} : { openIDAuthTTL: text(oidc?.authTTL) }),
        ...(text(oidc?.iatTTL) === undefined ? {} : { openIDIatTTL: text(oidc?.iatTTL) }),
      };
    }
    case 'AWS_LAMBDA':
      return {
        mode: 'AWS_LAMBDA',
        lambdaFunction: provider.lambdaAuthorizerConfig?.lambdaFunction,
        ...(text(provider.lambdaAuthorizerConfig?.ttlSeconds) === undefined ? {} : { ttlSeconds: text(provider.lambdaAuthorizerConfig?.ttlSeconds) }),
      };
    default:
      return provider;
  }
}

/** The API's `AppSyncAuthConfiguration`, as Amplify records it in backend-config.json. */
export function appSyncAuthConfig(config: ApiConfig, authResourceName: string | undefined): AppSyncAuthConfiguration {
  return {
    defaultAuthentication: providerConfig(config.defaultAuthType, authResourceName),
    additionalAuthenticationProviders: config.additionalAuthTypes.map((m) => providerConfig(m, authResourceName)),
  };
}
