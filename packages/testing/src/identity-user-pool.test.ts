import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import { CognitoIdentityClient, GetCredentialsForIdentityCommand, GetIdCommand } from '@aws-sdk/client-cognito-identity';
import {
  AdminAddUserToGroupCommand,
  AdminCreateUserCommand,
  AdminDisableUserCommand,
  AdminSetUserPasswordCommand,
  CognitoIdentityProviderClient,
  CreateGroupCommand,
  InitiateAuthCommand,
} from '@aws-sdk/client-cognito-identity-provider';
import type { ResourceContext } from '@forte/cloud';
import { AUTH_RESOURCE_TYPES } from '@forte/protocol';
import { callFailure, identityPoolTrust, startTestCloud, type TestCloud } from './index.js';

let cloud: TestCloud;
let identity: CognitoIdentityClient;
let idp: CognitoIdentityProviderClient;
let userPoolId: string;
let clientId: string;
let identityPoolId: string;

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

/** A confirmed user with a permanent password, and a fresh ID token from USER_PASSWORD_AUTH. */
async function signIn(username: string): Promise<string> {
  const password = 'Correct-Horse-9';
  await idp.send(new AdminCreateUserCommand({ UserPoolId: userPoolId, Username: username, MessageAction: 'SUPPRESS' })).catch((error: Error) => {
    if (error.name !== 'UsernameExistsException') throw error;
  });
  await idp.send(new AdminSetUserPasswordCommand({ UserPoolId: userPoolId, Username: username, Password: password, Permanent: true }));
  const answer = await idp.send(
    new InitiateAuthCommand({ ClientId: clientId, AuthFlow: 'USER_PASSWORD_AUTH', AuthParameters: { USERNAME: username, PASSWORD: password } }),
  );
  return answer.AuthenticationResult!.IdToken!;
}

before(async () => {
  cloud = await startTestCloud();
  const pool = await handler(AUTH_RESOURCE_TYPES.userPool).create({ PoolName: 'users' }, ctx('UserPool'));
  userPoolId = String(pool.attributes.UserPoolId);
  clientId = String(
    (
      await handler(AUTH_RESOURCE_TYPES.userPoolClient).create(
        { UserPoolId: userPoolId, ClientName: 'web', ExplicitAuthFlows: ['ALLOW_USER_PASSWORD_AUTH', 'ALLOW_USER_SRP_AUTH', 'ALLOW_REFRESH_TOKEN_AUTH'] },
        ctx('UserPoolClientWeb'),
      )
    ).attributes.ClientId,
  );
  const role = async (name: string): Promise<string> =>
    String((await handler('Forte::IAM::Role').create({ RoleName: name, AssumeRolePolicyDocument: identityPoolTrust() }, ctx(name))).attributes.Arn);
  identityPoolId = String(
    (
      await handler(AUTH_RESOURCE_TYPES.identityPool).create(
        {
          IdentityPoolName: 'users_identitypool',
          AllowUnauthenticatedIdentities: false,
          CognitoIdentityProviders: [{ ProviderName: pool.attributes.ProviderName, ClientId: clientId }],
          Roles: { authenticated: await role('authRole'), unauthenticated: await role('unauthRole') },
          RoleMappings: {
            web: { Type: 'Token', AmbiguousRoleResolution: 'AuthenticatedRole', IdentityProvider: `${String(pool.attributes.ProviderName)}:${clientId}` },
          },
        },
        ctx('IdentityPool'),
      )
    ).attributes.IdentityPoolId,
  );
  identity = new CognitoIdentityClient({ endpoint: `${cloud.url}/cognito-identity/`, region: 'us-east-1', maxAttempts: 1 });
  idp = new CognitoIdentityProviderClient({ endpoint: `${cloud.url}/cognito-idp/`, region: 'us-east-1', credentials: cloud.credentials, maxAttempts: 1 });
});
after(() => cloud.close());

void describe('identity pools with ID tokens of a Forte user pool', () => {
  void it('accepts a real ID token under the provider name and under its issuer, for one stable identity', async () => {
    const token = await signIn('alice');
    const byProvider = await identity.send(
      new GetIdCommand({ IdentityPoolId: identityPoolId, Logins: { [`cognito-idp.us-east-1.amazonaws.com/${userPoolId}`]: token } }),
    );
    const issuerKey = `${cloud.url.replace(/^http:\/\//, '')}/${userPoolId}`;
    const byIssuer = await identity.send(new GetIdCommand({ IdentityPoolId: identityPoolId, Logins: { [issuerKey]: token } }));
    assert.equal(byIssuer.IdentityId, byProvider.IdentityId);
    const answer = await identity.send(new GetCredentialsForIdentityCommand({ IdentityId: byIssuer.IdentityId, Logins: { [issuerKey]: token } }));
    assert.match(answer.Credentials!.AccessKeyId!, /^ASIA/);
  });

  void it('refuses an altered token and the token of a disabled user', async () => {
    const token = await signIn('bob');
    const [header, payload, signature] = token.split('.') as [string, string, string];
    const claims = JSON.parse(Buffer.from(payload, 'base64url').toString('utf8')) as Record<string, unknown>;
    const altered = `${header}.${Buffer.from(JSON.stringify({ ...claims, sub: 'someone-else' })).toString('base64url')}.${signature}`;
    const logins = (t: string) => ({ [`cognito-idp.us-east-1.amazonaws.com/${userPoolId}`]: t });
    assert.equal(
      (await callFailure(identity.send(new GetIdCommand({ IdentityPoolId: identityPoolId, Logins: logins(altered) })))).name,
      'NotAuthorizedException',
    );
    const { IdentityId } = await identity.send(new GetIdCommand({ IdentityPoolId: identityPoolId, Logins: logins(token) }));
    await idp.send(new AdminDisableUserCommand({ UserPoolId: userPoolId, Username: 'bob' }));
    assert.equal(
      (await callFailure(identity.send(new GetCredentialsForIdentityCommand({ IdentityId, Logins: logins(token) })))).name,
      'NotAuthorizedException',
    );
  });

  void it("hands a group member the role of the user's highest-precedence group", async () => {
    const role = async (name: string): Promise<string> =>
      String((await handler('Forte::IAM::Role').create({ RoleName: name, AssumeRolePolicyDocument: identityPoolTrust() }, ctx(name))).attributes.Arn);
    const adminRole = await role('adminsGroupRole');
    const editorRole = await role('editorsGroupRole');
    await idp.send(new CreateGroupCommand({ UserPoolId: userPoolId, GroupName: 'editors', Precedence: 5, RoleArn: editorRole }));
    await idp.send(new CreateGroupCommand({ UserPoolId: userPoolId, GroupName: 'admins', Precedence: 1, RoleArn: adminRole }));
    await signIn('carol');
    for (const group of ['editors', 'admins']) await idp.send(new AdminAddUserToGroupCommand({ UserPoolId: userPoolId, Username: 'carol', GroupName: group }));
    const token = await signIn('carol');
    const claims = JSON.parse(Buffer.from(token.split('.')[1]!, 'base64url').toString('utf8')) as Record<string, unknown>;
    assert.deepEqual(claims['cognito:roles'], [adminRole, editorRole]);
    assert.equal(claims['cognito:preferred_role'], adminRole);

    const logins = { [`cognito-idp.us-east-1.amazonaws.com/${userPoolId}`]: token };
    const { IdentityId } = await identity.send(new GetIdCommand({ IdentityPoolId: identityPoolId, Logins: logins }));
    const { Credentials } = await identity.send(new GetCredentialsForIdentityCommand({ IdentityId, Logins: logins }));
    // The credentials resolve, for every service's SigV4 check, to the admins group's role.
    const resolved = await cloud.lookupCredentials(Credentials!.AccessKeyId!, Credentials!.SessionToken);
    const { expiresAt, ...principal } = resolved?.principal as { expiresAt?: number };
    const provider = `cognito-idp.us-east-1.amazonaws.com/${userPoolId}`;
    assert.deepEqual(principal, {
      kind: 'role',
      accessKeyId: Credentials!.AccessKeyId,
      roleArn: adminRole,
      identityId: IdentityId,
      identityPoolId,
      identityAuthType: 'authenticated',
      amr: ['authenticated', provider, `${provider}:CognitoSignIn:${String(claims.sub)}`],
    });
    assert.ok(
      expiresAt !== undefined && expiresAt - Credentials!.Expiration!.getTime() >= 0 && expiresAt - Credentials!.Expiration!.getTime() < 1000,
      "the principal carries the credentials' expiry",
    );

    // A member of no group with a role gets the pool's authenticated role.
    const plain = await signIn('dave');
    const plainClaims = JSON.parse(Buffer.from(plain.split('.')[1]!, 'base64url').toString('utf8')) as Record<string, unknown>;
    assert.equal(plainClaims['cognito:roles'], undefined);
  });
});
