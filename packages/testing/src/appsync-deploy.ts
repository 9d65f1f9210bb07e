import type { ResourceContext } from '@forte/cloud';
import { APPSYNC_RESOURCE_TYPES, DYNAMODB_TABLE_RESOURCE_TYPE } from '@forte/protocol';
import { transform, type AppSyncAuthConfiguration, type ResolverConfig, type TransformResult } from '@forte/graphql-transformer';
import type { TestCloud } from './start-test-cloud.js';

/** What a push of an api category resource leaves in a test cloud. */
export interface DeployedTestApi {
  apiId: string;
  arn: string;
  url: string;
  apiKey: string;
  compiled: TransformResult;
  /** What the schema deployed with that will not work yet (a @function naming no function). */
  warnings: string[];
}

/** The AppSync auth provider of the api category for one auth mode (user pools name `userPoolId`). */
const providerOf = (mode: AppSyncAuthConfiguration['defaultAuthentication'], userPoolId: string | undefined): Record<string, unknown> => {
  switch (mode.authenticationType) {
    case 'AMAZON_COGNITO_USER_POOLS':
      return { AuthenticationType: mode.authenticationType, UserPoolConfig: { UserPoolId: userPoolId } };
    case 'OPENID_CONNECT':
      return {
        AuthenticationType: mode.authenticationType,
        OpenIDConnectConfig: { Issuer: mode.openIDConnectConfig?.issuerUrl, ClientId: mode.openIDConnectConfig?.clientId },
      };
    case 'AWS_LAMBDA':
      return {
        AuthenticationType: mode.authenticationType,
        LambdaAuthorizerConfig: {
          AuthorizerUri: mode.lambdaAuthorizerConfig?.lambdaFunction ?? 'authorizer',
          ...(mode.lambdaAuthorizerConfig?.ttlSeconds === undefined ? {} : { AuthorizerResultTtlInSeconds: mode.lambdaAuthorizerConfig.ttlSeconds }),
        },
      };
    default:
      return { AuthenticationType: mode.authenticationType };
  }
};

/**
 * Deploys a GraphQL API the way a push does: `transform()` the schema, then the resource handlers for the
 * API, its tables (`<Model>-<apiId>-<env>`), the schema and an API key.
 */
export async function deployTestApi(
  cloud: TestCloud,
  options: {
    schema: string;
    authConfig: AppSyncAuthConfiguration;
    userPoolId?: string;
    totalCounts?: boolean;
    name?: string;
    resolverConfig?: ResolverConfig;
    /** The API's admin roles (`AdminRoleNames`). */
    adminRoleNames?: string[];
  },
): Promise<DeployedTestApi> {
  const ctx = (logicalId: string): ResourceContext => ({
    appId: 'app1',
    appSlug: 'app1',
    envName: 'dev',
    stackName: `amplify-app1-dev-api-${options.name ?? 'api'}`,
    logicalId,
    region: 'us-east-1',
    accountId: cloud.kernel.config.accountId,
    log: cloud.kernel.log,
  });
  const handler = (type: string) => cloud.kernel.resourceHandler(type)!;
  const compiled = transform({
    schema: options.schema,
    authConfig: options.authConfig,
    options: { totalCounts: options.totalCounts ?? false },
    ...(options.resolverConfig ? { resolverConfig: options.resolverConfig } : {}),
  });
  const api = await handler(APPSYNC_RESOURCE_TYPES.graphQLApi).create(
    {
      Name: `${options.name ?? 'api'}-dev`,
      ...providerOf(options.authConfig.defaultAuthentication, options.userPoolId),
      AdditionalAuthenticationProviders: (options.authConfig.additionalAuthenticationProviders ?? []).map((m) => providerOf(m, options.userPoolId)),
      ...(options.adminRoleNames ? { AdminRoleNames: options.adminRoleNames } : {}),
    },
    ctx('GraphQLAPI'),
  );
  const apiId = String(api.attributes.ApiId);
  const tables: Record<string, string> = {};
  for (const table of compiled.plan.tables) {
    const name = `${table.properties.TableName}-${apiId}-dev`;
    await handler(DYNAMODB_TABLE_RESOURCE_TYPE).create({ ...table.properties, TableName: name }, ctx(`${table.modelName}Table`));
    tables[table.modelName] = name;
  }
  const schema = await handler(APPSYNC_RESOURCE_TYPES.graphQLSchema).create(
    { ApiId: apiId, Definition: compiled.schema, Plan: compiled.plan, Tables: tables },
    ctx('GraphQLSchema'),
  );
  const key = await handler(APPSYNC_RESOURCE_TYPES.apiKey).create({ ApiId: apiId, ExpirationDays: 7 }, ctx('GraphQLAPIKey'));
  return {
    apiId,
    arn: String(api.attributes.Arn),
    url: String(api.attributes.GraphQLUrl),
    apiKey: String(key.attributes.ApiKey),
    compiled,
    warnings: schema.warnings ?? [],
  };
}
