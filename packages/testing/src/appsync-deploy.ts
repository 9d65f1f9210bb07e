import {
  AdminAddUserToGroupCommand,
  AdminCreateUserCommand,
  AdminSetUserPasswordCommand,
  CognitoIdentityProviderClient,
  CreateGroupCommand,
} from '@aws-sdk/client-cognito-identity-provider';
import type { ResourceContext } from '@forte/cloud';
import { APPSYNC_RESOURCE_TYPES, AUTH_RESOURCE_TYPES, DYNAMODB_TABLE_RESOURCE_TYPE } from '@forte/protocol';
import { transform, type AppSyncAuthConfiguration, type ResolverConfig, type TransformResult } from '@forte/graphql-transformer';
import { identityPoolTrust } from './identity-pool-trust.js';
import type { TestCloud } from './start-test-cloud.js';

/** What a push of an api category resource leaves in a test cloud. */
export interface DeployedTestApi {
  apiId: string;
  arn: string;
  url: string;
  apiKey: string;
  compiled: TransformResult;
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
  options: { schema: string; authConfig: AppSyncAuthConfiguration; userPoolId?: string; totalCounts?: boolean; name?: string; resolverConfig?: ResolverConfig },
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
  await handler(APPSYNC_RESOURCE_TYPES.graphQLSchema).create(
    { ApiId: apiId, Definition: compiled.schema, Plan: compiled.plan, Tables: tables },
    ctx('GraphQLSchema'),
  );
  const key = await handler(APPSYNC_RESOURCE_TYPES.apiKey).create({ ApiId: apiId, ExpirationDays: 7 }, ctx('GraphQLAPIKey'));
  return { apiId, arn: String(api.attributes.Arn), url: String(api.attributes.GraphQLUrl), apiKey: String(key.attributes.ApiKey), compiled };
}

/** A user pool with a web client and users (password `Correct-Horse-9`), each in the groups given. */
export async function createTestUsers(
  cloud: TestCloud,
  users: Record<string, string[]>,
): Promise<{ userPoolId: string; clientId: string; providerName: string }> {
  const ctx = (logicalId: string): ResourceContext => ({
    appId: 'app1',
    appSlug: 'app1',
    envName: 'dev',
    stackName: 'amplify-app1-dev-auth',
    logicalId,
    region: 'us-east-1',
    accountId: cloud.kernel.config.accountId,
    log: cloud.kernel.log,
  });
  const handler = (type: string) => cloud.kernel.resourceHandler(type)!;
  const pool = await handler(AUTH_RESOURCE_TYPES.userPool).create({ PoolName: 'users' }, ctx('UserPool'));
  const userPoolId = String(pool.attributes.UserPoolId);
  const clientId = String(
    (
      await handler(AUTH_RESOURCE_TYPES.userPoolClient).create(
        { UserPoolId: userPoolId, ClientName: 'web', ExplicitAuthFlows: ['ALLOW_USER_PASSWORD_AUTH', 'ALLOW_USER_SRP_AUTH', 'ALLOW_REFRESH_TOKEN_AUTH'] },
        ctx('UserPoolClientWeb'),
      )
    ).attributes.ClientId,
  );
  const idp = new CognitoIdentityProviderClient({ endpoint: `${cloud.url}/cognito-idp/`, region: 'us-east-1', credentials: cloud.credentials, maxAttempts: 1 });
  const groups = new Set(Object.values(users).flat());
  for (const group of groups) await idp.send(new CreateGroupCommand({ UserPoolId: userPoolId, GroupName: group }));
  for (const [username, memberOf] of Object.entries(users)) {
    await idp.send(new AdminCreateUserCommand({ UserPoolId: userPoolId, Username: username, MessageAction: 'SUPPRESS' }));
    await idp.send(new AdminSetUserPasswordCommand({ UserPoolId: userPoolId, Username: username, Password: 'Correct-Horse-9', Permanent: true }));
    for (const group of memberOf) await idp.send(new AdminAddUserToGroupCommand({ UserPoolId: userPoolId, Username: username, GroupName: group }));
  }
  return { userPoolId, clientId, providerName: String(pool.attributes.ProviderName) };
}

/**
 * An identity pool (guests allowed) over the test users' pool, its two roles granted `appsync:GraphQL` on the
 * resources given, as the api category grants the root stack's roles. Answers the identity pool's id.
 */
export async function createTestIdentityPool(
  cloud: TestCloud,
  users: { clientId: string; providerName: string },
  grants: { authenticated: string[]; unauthenticated: string[] },
  name = 'users',
): Promise<string> {
  const ctx = (logicalId: string): ResourceContext => ({
    appId: 'app1',
    appSlug: 'app1',
    envName: 'dev',
    stackName: 'amplify-app1-dev',
    logicalId,
    region: 'us-east-1',
    accountId: cloud.kernel.config.accountId,
    log: cloud.kernel.log,
  });
  const handler = (type: string) => cloud.kernel.resourceHandler(type)!;
  const role = async (roleName: string, resources: string[]): Promise<string> => {
    const statement = { Effect: 'Allow', Action: 'appsync:GraphQL', Resource: resources };
    const created = await handler('Forte::IAM::Role').create(
      { RoleName: roleName, AssumeRolePolicyDocument: identityPoolTrust(), Policies: [{ PolicyName: 'appsync', PolicyDocument: { Statement: [statement] } }] },
      ctx(roleName),
    );
    return String(created.attributes.Arn);
  };
  const identityPool = await handler(AUTH_RESOURCE_TYPES.identityPool).create(
    {
      IdentityPoolName: `${name}_identitypool`,
      AllowUnauthenticatedIdentities: true,
      CognitoIdentityProviders: [{ ProviderName: users.providerName, ClientId: users.clientId }],
      Roles: { authenticated: await role('authRole', grants.authenticated), unauthenticated: await role('unauthRole', grants.unauthenticated) },
    },
    ctx('IdentityPool'),
  );
  return String(identityPool.attributes.IdentityPoolId);
}
