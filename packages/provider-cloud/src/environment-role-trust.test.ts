import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import { CognitoIdentityClient, GetCredentialsForIdentityCommand, GetIdCommand } from '@aws-sdk/client-cognito-identity';
import {
  AdminCreateUserCommand,
  AdminSetUserPasswordCommand,
  CognitoIdentityProviderClient,
  InitiateAuthCommand,
} from '@aws-sdk/client-cognito-identity-provider';
import { AUTH_RESOURCE_TYPES, nestedTemplateKey, type Template } from '@forte/protocol';
import { startTestCloud, type TestCloud } from '@forte/testing';
import { createControlClient, type ControlClient } from './control-client.js';
import { followDeployment } from './follow-deployment.js';
import { buildRootTemplate, rootNames } from './root-template.js';
import { createSignedClient } from './signed-client.js';
import { stackOutputsOf } from './stack-outputs.js';

/** The auth nested stack as the auth category writes it (user pool, a client, an identity pool on the environment's roles). */
const authTemplate: Template = {
  Parameters: { env: { Type: 'String' }, AppId: { Type: 'String' }, AuthRoleArn: { Type: 'String' }, UnauthRoleArn: { Type: 'String' } },
  Resources: {
    UserPool: { Type: AUTH_RESOURCE_TYPES.userPool, Properties: { PoolName: { 'Fn::Join': ['-', ['users', { Ref: 'env' }]] } } },
    UserPoolClientWeb: {
      Type: AUTH_RESOURCE_TYPES.userPoolClient,
      Properties: {
        UserPoolId: { 'Fn::GetAtt': ['UserPool', 'UserPoolId'] },
        ClientName: 'web',
        ExplicitAuthFlows: ['ALLOW_USER_PASSWORD_AUTH', 'ALLOW_REFRESH_TOKEN_AUTH'],
      },
    },
    IdentityPool: {
      Type: AUTH_RESOURCE_TYPES.identityPool,
      Properties: {
        IdentityPoolName: { 'Fn::Join': ['__', ['users_identitypool', { Ref: 'env' }]] },
        AllowUnauthenticatedIdentities: true,
        CognitoIdentityProviders: [
          { ProviderName: { 'Fn::GetAtt': ['UserPool', 'ProviderName'] }, ClientId: { 'Fn::GetAtt': ['UserPoolClientWeb', 'ClientId'] } },
        ],
        Roles: { authenticated: { Ref: 'AuthRoleArn' }, unauthenticated: { Ref: 'UnauthRoleArn' } },
      },
    },
  },
  Outputs: {
    UserPoolId: { Value: { 'Fn::GetAtt': ['UserPool', 'UserPoolId'] } },
    AppClientIDWeb: { Value: { 'Fn::GetAtt': ['UserPoolClientWeb', 'ClientId'] } },
    IdentityPoolId: { Value: { 'Fn::GetAtt': ['IdentityPool', 'IdentityPoolId'] } },
  },
};
const resources = [{ category: 'auth', resourceName: 'users', template: authTemplate }];
const nestedTemplates = { [nestedTemplateKey('auth', 'users')]: authTemplate };

/** The root stack as earlier versions wrote it: roles trusted by any identity pool (amr only), ARNs read from the roles. */
function earlierRootTemplate(names: ReturnType<typeof rootNames>, appId: string): Template {
  const root = buildRootTemplate({ names, appId, envName: 'dev', resources });
  const amrOnly = (kind: string) => ({
    Version: '2012-10-17',
    Statement: [
      {
        Effect: 'Allow',
        Principal: { Federated: 'cognito-identity.amazonaws.com' },
        Action: 'sts:AssumeRoleWithWebIdentity',
        Condition: { 'ForAnyValue:StringLike': { 'cognito-identity.amazonaws.com:amr': kind } },
      },
    ],
  });
  root.Resources['AuthRole']!.Properties!['AssumeRolePolicyDocument'] = amrOnly('authenticated');
  root.Resources['UnauthRole']!.Properties!['AssumeRolePolicyDocument'] = amrOnly('unauthenticated');
  const parameters = root.Resources['authusers']!.Properties!['Parameters'] as Record<string, unknown>;
  parameters['AuthRoleArn'] = { 'Fn::GetAtt': ['AuthRole', 'Arn'] };
  parameters['UnauthRoleArn'] = { 'Fn::GetAtt': ['UnauthRole', 'Arn'] };
  return root;
}

let cloud: TestCloud;
let control: ControlClient;
let identity: CognitoIdentityClient;

async function deploy(appId: string, template: Template): Promise<Record<string, string>> {
  const { changeSet } = await control.call('CreateChangeSet', { appId, envName: 'dev', template, nestedTemplates });
  const { deployment } = await followDeployment(
    control,
    (await control.call('ExecuteChangeSet', { changeSetId: changeSet.changeSetId })).deployment,
    () => undefined,
  );
  assert.equal(deployment.status, 'SUCCEEDED', JSON.stringify(deployment));
  const stack = await control.call('DescribeStack', { appId, envName: 'dev' });
  const outputs = stackOutputsOf(stack.environment, stack.resources).resourceOutputs['authusers'] ?? {};
  return Object.fromEntries(Object.entries(outputs).map(([k, v]) => [k, String(v)]));
}

async function guestCredentials(identityPoolId: string) {
  const { IdentityId } = await identity.send(new GetIdCommand({ IdentityPoolId: identityPoolId }));
  return identity.send(new GetCredentialsForIdentityCommand({ IdentityId }));
}

async function roleOf(accessKeyId: string, sessionToken: string): Promise<string | undefined> {
  const found = await cloud.lookupCredentials(accessKeyId, sessionToken);
  return found?.principal.kind === 'role' ? found.principal.roleArn : undefined;
}

before(async () => {
  cloud = await startTestCloud();
  control = createControlClient(createSignedClient({ endpoint: cloud.url, ...cloud.credentials }));
  identity = new CognitoIdentityClient({ endpoint: `${cloud.url}/cognito-identity/`, region: 'us-east-1', maxAttempts: 1 });
});
after(() => cloud.close());

void describe("the environment's AuthRole and UnauthRole", () => {
  void it('work again after a push of an environment deployed by an earlier version, and only through its own identity pool', async () => {
    const { app } = await control.call('CreateApp', { name: 'Upgraded' });
    await control.call('CreateEnvironment', { appId: app.appId, envName: 'dev' });
    const names = rootNames(`amplify-upgraded-dev-${app.appId}`);
    const earlier = await deploy(app.appId, earlierRootTemplate(names, app.appId));
    // Earlier versions stored trust policies without their Principal.
    for (const name of [names.authRoleName, names.unauthRoleName]) {
      const row = await cloud.kernel.sql.get<{ assume_role_policy: string }>('SELECT assume_role_policy FROM iam_roles WHERE name = ?', [name]);
      const document = JSON.parse(row!.assume_role_policy) as { Statement: Array<Record<string, unknown>> };
      for (const statement of document.Statement) delete statement.Principal;
      await cloud.kernel.sql.run('UPDATE iam_roles SET assume_role_policy = ? WHERE name = ?', [JSON.stringify(document), name]);
    }
    const refused = await guestCredentials(earlier.IdentityPoolId!).catch((error: Error) => error);
    assert.equal((refused as Error).name, 'InvalidIdentityPoolConfigurationException', 'until the next push the stored trust names nobody');
    assert.match((refused as Error).message, /forte push --force/, 'the refusal says how to repair it');

    const outputs = await deploy(app.appId, buildRootTemplate({ names, appId: app.appId, envName: 'dev', resources }));
    assert.equal(outputs.IdentityPoolId, earlier.IdentityPoolId, 'the identity pool (and its identities) stay');
    const guest = (await guestCredentials(outputs.IdentityPoolId!)).Credentials!;
    assert.match(String(await roleOf(guest.AccessKeyId!, guest.SessionToken!)), new RegExp(`role/${names.unauthRoleName}$`));

    const idp = new CognitoIdentityProviderClient({
      endpoint: `${cloud.url}/cognito-idp/`,
      region: 'us-east-1',
      credentials: cloud.credentials,
      maxAttempts: 1,
    });
    await idp.send(new AdminCreateUserCommand({ UserPoolId: outputs.UserPoolId, Username: 'ana', MessageAction: 'SUPPRESS' }));
    await idp.send(new AdminSetUserPasswordCommand({ UserPoolId: outputs.UserPoolId, Username: 'ana', Password: 'Correct-Horse-9', Permanent: true }));
    const signedIn = await idp.send(
      new InitiateAuthCommand({
        ClientId: outputs.AppClientIDWeb,
        AuthFlow: 'USER_PASSWORD_AUTH',
        AuthParameters: { USERNAME: 'ana', PASSWORD: 'Correct-Horse-9' },
      }),
    );
    const logins = { [`cognito-idp.us-east-1.amazonaws.com/${outputs.UserPoolId}`]: signedIn.AuthenticationResult!.IdToken! };
    const { IdentityId } = await identity.send(new GetIdCommand({ IdentityPoolId: outputs.IdentityPoolId, Logins: logins }));
    const user = (await identity.send(new GetCredentialsForIdentityCommand({ IdentityId, Logins: logins }))).Credentials!;
    assert.match(String(await roleOf(user.AccessKeyId!, user.SessionToken!)), new RegExp(`role/${names.authRoleName}$`));

    // Another app's identity pool that names these roles gets nothing.
    const stolen = await cloud.kernel.resourceHandler(AUTH_RESOURCE_TYPES.identityPool)!.create(
      {
        IdentityPoolName: 'thief',
        AllowUnauthenticatedIdentities: true,
        Roles: {
          authenticated: `arn:aws:iam::${cloud.kernel.config.accountId}:role/${names.authRoleName}`,
          unauthenticated: `arn:aws:iam::${cloud.kernel.config.accountId}:role/${names.unauthRoleName}`,
        },
      },
      {
        appId: 'thief',
        appSlug: 'thief',
        envName: 'dev',
        stackName: 'thief',
        logicalId: 'IdentityPool',
        region: 'us-east-1',
        accountId: cloud.kernel.config.accountId,
        log: cloud.kernel.log,
      },
    );
    const thief = await guestCredentials(String(stolen.attributes.IdentityPoolId)).catch((error: Error) => error);
    assert.equal((thief as Error).name, 'InvalidIdentityPoolConfigurationException');
  });
});
