/**
 * The transformer's inputs, in the shapes the Amplify CLI keeps them (`backend-config.json` authConfig,
 * `transform.conf.json` ResolverConfig, cli.json feature flags), so project files pass through unchanged.
 */

export type AuthenticationType = 'API_KEY' | 'AMAZON_COGNITO_USER_POOLS' | 'AWS_IAM' | 'OPENID_CONNECT' | 'AWS_LAMBDA';

export interface AuthModeConfig {
  authenticationType: AuthenticationType;
  apiKeyConfig?: { apiKeyExpirationDays?: number; apiKeyExpirationDate?: string; description?: string };
  userPoolConfig?: { userPoolId?: string };
  openIDConnectConfig?: { name?: string; issuerUrl?: string; clientId?: string; iatTTL?: number; authTTL?: number };
  lambdaAuthorizerConfig?: { lambdaFunction?: string; ttlSeconds?: number };
}

/** `AppSyncAuthConfiguration`: the default mode and the additional ones. */
export interface AppSyncAuthConfiguration {
  defaultAuthentication: AuthModeConfig;
  additionalAuthenticationProviders?: AuthModeConfig[];
}

/** The Gen 1 transform parameters that change the output (reference §2.2). */
export interface TransformParameters {
  useSubUsernameForDefaultIdentityClaim: boolean;
  populateOwnerFieldForStaticGroupAuth: boolean;
  secondaryKeyAsGSI: boolean;
  enableAutoIndexQueryNames: boolean;
  respectPrimaryKeyAttributesOnConnectionField: boolean;
  shouldDeepMergeDirectiveConfigDefaults: boolean;
  subscriptionsInheritPrimaryAuth: boolean;
  suppressApiKeyGeneration: boolean;
  disableResolverDeduping: boolean;
  /** Normally derived from the schema (`input AMPLIFY { globalAuthRule }`); `true` here forces it on. */
  sandboxModeEnabled: boolean;
  allowGen1Patterns: boolean;
}

/** The values a new Gen 1 project gets. */
export const DEFAULT_TRANSFORM_PARAMETERS: TransformParameters = {
  useSubUsernameForDefaultIdentityClaim: true,
  populateOwnerFieldForStaticGroupAuth: true,
  secondaryKeyAsGSI: true,
  enableAutoIndexQueryNames: true,
  respectPrimaryKeyAttributesOnConnectionField: true,
  shouldDeepMergeDirectiveConfigDefaults: false,
  subscriptionsInheritPrimaryAuth: false,
  suppressApiKeyGeneration: false,
  disableResolverDeduping: false,
  sandboxModeEnabled: false,
  allowGen1Patterns: true,
};

export type ConflictHandler = 'OPTIMISTIC_CONCURRENCY' | 'AUTOMERGE' | 'LAMBDA';

export interface SyncConfig {
  ConflictDetection: 'VERSION' | 'NONE';
  ConflictHandler?: ConflictHandler;
  LambdaConflictHandler?: { name: string; region?: string; lambdaArn?: string };
}

/** `transform.conf.json` `ResolverConfig`: DataStore conflict resolution for the project or per model. */
export interface ResolverConfig {
  project?: SyncConfig;
  models?: Record<string, SyncConfig>;
}

export interface TransformOptions {
  /** Forte extension: every `Model<X>Connection` gains `totalCount: Int` (nullable, so existing clients are unaffected). */
  totalCounts?: boolean;
}

export interface TransformInput {
  /** The schema SDL; several files may be concatenated. */
  schema: string;
  authConfig: AppSyncAuthConfiguration;
  parameters?: Partial<TransformParameters>;
  resolverConfig?: ResolverConfig;
  options?: TransformOptions;
}
