import { CognitoIdentityClient, GetCredentialsForIdentityCommand, GetIdCommand } from '@aws-sdk/client-cognito-identity';
import {
  AdminAddUserToGroupCommand,
  AdminCreateUserCommand,
  AdminSetUserPasswordCommand,
  CognitoIdentityProviderClient,
  CreateGroupCommand,
} from '@aws-sdk/client-cognito-identity-provider';
import type { ResourceContext } from '@forte/cloud';
import { AUTH_RESOURCE_TYPES } from '@forte/protocol';
import { identityPoolTrust } from './identity-pool-trust.js';
import { resourceContext } from './lambda-fixture.js';
import type { TestCloud } from './start-test-cloud.js';

/** A user pool with a web client and users (password `Correct-Horse-9`), each in the groups given. */
export async function createTestUsers(
  cloud: TestCloud,
  users: Record<string, string[]>,
): Promise<{ userPoolId: string; clientId: string; providerName: string }> {
  const ctx = (logicalId: string): ResourceContext => resourceContext(cloud, logicalId, 'amplify-app1-dev');
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
 * What one role of a test identity pool may do: `appsync:GraphQL` on these resources (as the api category grants
 * the root stack's roles), or `{ policy }`, a policy document of its own (none: a role that may do nothing).
 */
export type TestRoleGrant = string[] | { policy?: object };

/**
 * An identity pool (guests allowed) over the test users' pool, with an authenticated and an unauthenticated role
 * (`authRole`, `unauthRole`) granted what `grants` says. `tokenRoles` maps the pool's client by token (Amplify's
 * userPoolGroups: a user in a group with a role gets that role). Answers the identity pool's id.
 */
export async function createTestIdentityPool(
  cloud: TestCloud,
  users: { clientId: string; providerName: string },
  grants: { authenticated: TestRoleGrant; unauthenticated: TestRoleGrant },
  options: { name?: string; tokenRoles?: boolean } = {},
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
  const role = async (roleName: string, grant: TestRoleGrant): Promise<string> => {
    const policy = Array.isArray(grant) ? { Statement: [{ Effect: 'Allow', Action: 'appsync:GraphQL', Resource: grant }] } : grant.policy;
    const created = await handler('Forte::IAM::Role').create(
      {
        RoleName: roleName,
        AssumeRolePolicyDocument: identityPoolTrust(),
        Policies: policy === undefined ? [] : [{ PolicyName: 'grants', PolicyDocument: policy }],
      },
      ctx(roleName),
    );
    return String(created.attributes.Arn);
  };
  const provider = `${users.providerName}:${users.clientId}`;
  const identityPool = await handler(AUTH_RESOURCE_TYPES.identityPool).create(
    {
      IdentityPoolName: `${options.name ?? 'users'}_identitypool`,
      AllowUnauthenticatedIdentities: true,
      CognitoIdentityProviders: [{ ProviderName: users.providerName, ClientId: users.clientId }],
      Roles: { authenticated: await role('authRole', grants.authenticated), unauthenticated: await role('unauthRole', grants.unauthenticated) },
      ...(options.tokenRoles ? { RoleMappings: { web: { Type: 'Token', AmbiguousRoleResolution: 'AuthenticatedRole', IdentityProvider: provider } } } : {}),
    },
    ctx('IdentityPool'),
  );
  return String(identityPool.attributes.IdentityPoolId);
}

/** A new guest identity's temporary credentials from an identity pool (GetId, then GetCredentialsForIdentity, both unsigned). */
export async function guestCredentials(
  cloud: Pick<TestCloud, 'url'>,
  identityPoolId: string,
): Promise<{ identityId: string; credentials: { accessKeyId: string; secretAccessKey: string; sessionToken: string } }> {
  const identity = new CognitoIdentityClient({ endpoint: `${cloud.url}/cognito-identity/`, region: 'us-east-1', maxAttempts: 1 });
  try {
    const { IdentityId } = await identity.send(new GetIdCommand({ IdentityPoolId: identityPoolId }));
    const { Credentials } = await identity.send(new GetCredentialsForIdentityCommand({ IdentityId }));
    return {
      identityId: IdentityId!,
      credentials: { accessKeyId: Credentials!.AccessKeyId!, secretAccessKey: Credentials!.SecretKey!, sessionToken: Credentials!.SessionToken! },
    };
  } finally {
    identity.destroy();
  }
}
