/**
 * Properties of the GraphQL API resource types (the cloud's AppSync service and the api category share
 * these). They follow AWS::AppSync::* where one exists: the API (auth modes), its API keys, and the schema
 * (which arrives with its resolver plan and the names of its tables, so the cloud never runs the transformer).
 */
/** An IAM role name (1 to 64 of IAM's characters), as a GraphQL API's `AdminRoleNames` hold them. */
export const IAM_ROLE_NAME = /^[\w+=,.@-]{1,64}$/;

export const APPSYNC_RESOURCE_TYPES = {
  graphQLApi: 'Forte::AppSync::GraphQLApi',
  apiKey: 'Forte::AppSync::ApiKey',
  graphQLSchema: 'Forte::AppSync::GraphQLSchema',
} as const;

export type AppSyncAuthenticationType = 'API_KEY' | 'AMAZON_COGNITO_USER_POOLS' | 'AWS_IAM' | 'OPENID_CONNECT' | 'AWS_LAMBDA';

export interface AppSyncAuthProvider {
  AuthenticationType: AppSyncAuthenticationType;
  /** For AMAZON_COGNITO_USER_POOLS: the pool whose tokens are accepted. */
  UserPoolConfig?: { UserPoolId: string; AwsRegion?: string; AppIdClientRegex?: string };
  /** For OPENID_CONNECT: tokens are verified against the issuer's JWKS. TTLs in milliseconds (0 = no limit). */
  OpenIDConnectConfig?: { Issuer: string; ClientId?: string; IatTTL?: number; AuthTTL?: number };
  /**
   * For AWS_LAMBDA: the authorizer function (name or ARN), how long its decisions are kept by token
   * (0–3600 s; its `ttlOverride` wins) and a regular expression tokens must match before it is called.
   */
  LambdaAuthorizerConfig?: { AuthorizerUri: string; AuthorizerResultTtlInSeconds?: number; IdentityValidationExpression?: string };
}

/** `Forte::AppSync::GraphQLApi` → attributes `ApiId`, `Arn`, `GraphQLUrl` (`<endpoint>/graphql/<apiId>`), `RealtimeUrl`. */
export interface GraphQLApiProperties extends AppSyncAuthProvider {
  Name: string;
  AdditionalAuthenticationProviders?: AppSyncAuthProvider[];
}

/** `Forte::AppSync::ApiKey` → attributes `ApiKey` (`da2-…`), `Arn`, `Expires` (epoch seconds). */
export interface ApiKeyProperties {
  ApiId: string;
  Description?: string;
  /** The key expires this many days after it is created (1–365); changing it moves the expiry from now. */
  ExpirationDays: number;
}

/** `Forte::AppSync::GraphQLSchema` → attribute `DefinitionHash`. */
export interface GraphQLSchemaProperties {
  ApiId: string;
  /** The transformer's output schema (SDL), what `gql-compile` writes to build/schema.graphql. */
  Definition: string;
  /** The resolver plan (`GraphQLApiPlan` of graphql-plan.ts): what every generated field does. */
  Plan: unknown;
  /** Model name → the physical name of its `Forte::DynamoDB::Table`. */
  Tables: Record<string, string>;
}
