/**
 * The bucket's stack as `build()` renders it, deployed to a real cloud with a user pool group whose role the identity
 * pool hands out by token (Amplify's userPoolGroups): a group member gets the group's role only, whose policy covers
 * the whole bucket; a signed-in user outside the group gets the authenticated role's prefixes.
 */
import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import { AdminAddUserToGroupCommand, CognitoIdentityProviderClient, CreateGroupCommand } from '@aws-sdk/client-cognito-identity-provider';
import { GetObjectCommand, ListObjectsV2Command, PutObjectCommand, S3Client } from '@aws-sdk/client-s3';
import type { Template } from '@forte/protocol';
import { createTestControlClient, createTestIdentityPool, createTestUsers, identityPoolTrust, startTestCloud, type TestCloud } from '@forte/testing';
import { Amplify } from 'aws-amplify';
import { fetchAuthSession, signIn, signOut } from 'aws-amplify/auth';
import { s3Parameters, s3Template } from './s3-template.js';
import type { S3Inputs } from './s3-inputs.js';

/** The password createTestUsers gives its users. */
const PASSWORD = 'Correct-Horse-9';
const INPUTS: S3Inputs = {
  resourceName: 'files',
  policyUUID: 'abcd1234',
  bucketName: 'groupfiles',
  storageAccess: 'auth',
  guestAccess: [],
  authAccess: ['CREATE_AND_UPDATE', 'READ', 'DELETE'],
  triggerFunction: 'NONE',
  groupAccess: { Admin: ['READ'] },
};

void describe("a bucket's group access, deployed (identity pool token role mapping, aws-amplify credentials)", () => {
  let cloud: TestCloud;
  let admin: S3Client;
  const bucket = INPUTS.bucketName;
  const handler = (type: string) => cloud.kernel.resourceHandler(type)!;
  const ctx = (logicalId: string) => ({
    appId: 'app1',
    appSlug: 'app1',
    envName: 'dev',
    stackName: 'amplify-app1-dev-12345-auth',
    logicalId,
    region: 'us-east-1',
    accountId: cloud.kernel.config.accountId,
    log: cloud.kernel.log,
  });
  const as = async (user: string): Promise<{ s3: S3Client; identityId: string }> => {
    await signOut().catch(() => undefined);
    assert.equal((await signIn({ username: user, password: PASSWORD, options: { authFlowType: 'USER_PASSWORD_AUTH' } })).isSignedIn, true);
    const session = await fetchAuthSession();
    return {
      s3: new S3Client({ endpoint: `${cloud.url}/s3`, forcePathStyle: true, region: 'us-east-1', credentials: session.credentials!, maxAttempts: 1 }),
      identityId: session.identityId!,
    };
  };
  const refused = async (call: Promise<unknown>, what: string): Promise<void> => {
    await assert.rejects(call, (e: { name?: string }) => e.name === 'AccessDenied', what);
  };
  const list = async (s3: S3Client, Prefix?: string) =>
    ((await s3.send(new ListObjectsV2Command({ Bucket: bucket, ...(Prefix === undefined ? {} : { Prefix }) }))).Contents ?? []).map((o) => o.Key);

  before(async () => {
    cloud = await startTestCloud();
    const users = await createTestUsers(cloud, { alice: [], bob: [] });
    const { userPoolId, clientId } = users;
    const identityPoolId = await createTestIdentityPool(cloud, users, { authenticated: {}, unauthenticated: {} }, { tokenRoles: true });
    // Amplify's userPoolGroups names a group's role <UserPoolId>-<Group>GroupRole; the bucket's group policy attaches to it.
    const adminRole = String(
      (
        await handler('AWS::IAM::Role').create(
          { RoleName: `${userPoolId}-AdminGroupRole`, AssumeRolePolicyDocument: identityPoolTrust() },
          ctx('AdminGroupRole'),
        )
      ).attributes.Arn,
    );
    const idp = new CognitoIdentityProviderClient({
      endpoint: `${cloud.url}/cognito-idp/`,
      region: 'us-east-1',
      credentials: cloud.credentials,
      maxAttempts: 1,
    });
    await idp.send(new CreateGroupCommand({ UserPoolId: userPoolId, GroupName: 'Admin', Precedence: 1, RoleArn: adminRole }));
    await idp.send(new AdminAddUserToGroupCommand({ UserPoolId: userPoolId, Username: 'bob', GroupName: 'Admin' }));
    idp.destroy();

    // The stack as the storage category builds it, with the values the push passes (env NONE: the bucket is named bucketName).
    const values = Object.fromEntries(Object.entries(s3Parameters(INPUTS)).map(([k, v]) => [k, Array.isArray(v) ? v.join(',') : v]));
    const parameters = { ...values, env: 'NONE', authRoleName: 'authRole', unauthRoleName: 'unauthRole', authmyauthUserPoolId: userPoolId };
    const control = createTestControlClient(cloud);
    const { app } = await control.call('CreateApp', { name: 'StorageApp' });
    await control.call('CreateEnvironment', { appId: app.appId, envName: 'dev' });
    const template: Template = s3Template(INPUTS, { authResource: 'myauth' });
    const { changeSet } = await control.call('CreateChangeSet', { appId: app.appId, envName: 'dev', template, parameters });
    const { deploymentId } = (await control.call('ExecuteChangeSet', { changeSetId: changeSet.changeSetId })).deployment;
    const deployment = await control.waitFor(deploymentId);
    assert.equal(deployment.status, 'SUCCEEDED', deployment.error);

    admin = new S3Client({ endpoint: `${cloud.url}/s3`, forcePathStyle: true, region: 'us-east-1', credentials: cloud.credentials, maxAttempts: 1 });
    Amplify.configure({
      Auth: {
        Cognito: {
          userPoolId,
          userPoolClientId: clientId,
          identityPoolId,
          allowGuestAccess: true,
          userPoolEndpoint: `${cloud.url}/cognito-idp/`,
          identityPoolEndpoint: `${cloud.url}/cognito-identity/`,
        },
      },
    });
  });
  after(async () => {
    await signOut().catch(() => undefined);
    admin?.destroy();
    await cloud?.close();
  });

  void it('a signed-in user outside the group keeps to the prefixes; a group member reads the whole bucket, and only what the group may do', async () => {
    const alice = await as('alice');
    await alice.s3.send(new PutObjectCommand({ Bucket: bucket, Key: `private/${alice.identityId}/secret.txt`, Body: 'alice only' }));
    await alice.s3.send(new PutObjectCommand({ Bucket: bucket, Key: 'public/hello.txt', Body: 'hello' }));
    await admin.send(new PutObjectCommand({ Bucket: bucket, Key: 'elsewhere/report.txt', Body: 'outside the prefixes' }));
    await refused(alice.s3.send(new GetObjectCommand({ Bucket: bucket, Key: 'elsewhere/report.txt' })), 'a user outside the four prefixes');
    await refused(list(alice.s3), 'a user listing the whole bucket');

    const bob = await as('bob');
    const read = async (Key: string) => (await bob.s3.send(new GetObjectCommand({ Bucket: bucket, Key }))).Body!.transformToString();
    assert.equal(await read(`private/${alice.identityId}/secret.txt`), 'alice only', "a group that may read reads everyone's private files");
    assert.equal(await read('elsewhere/report.txt'), 'outside the prefixes');
    assert.deepEqual((await list(bob.s3)).sort(), ['elsewhere/report.txt', `private/${alice.identityId}/secret.txt`, 'public/hello.txt']);
    // The group's role replaces the authenticated role: Admin may only read, although every signed-in user may write.
    await refused(bob.s3.send(new PutObjectCommand({ Bucket: bucket, Key: 'public/by-bob.txt', Body: 'x' })), 'a read-only group member writing public/');
    await refused(
      bob.s3.send(new PutObjectCommand({ Bucket: bucket, Key: `private/${bob.identityId}/mine.txt`, Body: 'x' })),
      'a read-only group member writing their own private prefix',
    );
  });
});
