import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import { DescribeIdentityCommand, CognitoIdentityClient } from '@aws-sdk/client-cognito-identity';
import { AdminCreateUserCommand, AdminSetUserPasswordCommand, CognitoIdentityProviderClient } from '@aws-sdk/client-cognito-identity-provider';
import { GetObjectCommand, CreateBucketCommand, PutObjectCommand, S3Client } from '@aws-sdk/client-s3';
import type { ResourceContext } from '@forte/cloud';
import { AUTH_RESOURCE_TYPES } from '@forte/protocol';
import { Amplify } from 'aws-amplify';
import { fetchAuthSession, signIn, signOut } from 'aws-amplify/auth';
import { identityPoolTrust, startTestCloud, type TestCloud } from './index.js';

let cloud: TestCloud;
let admin: CognitoIdentityClient;
let userPoolId: string;
const bucket = 'amplify-identity';

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

before(async () => {
  cloud = await startTestCloud();
  const pool = await handler(AUTH_RESOURCE_TYPES.userPool).create({ PoolName: 'users' }, ctx('UserPool'));
  userPoolId = String(pool.attributes.UserPoolId);
  const clientId = String(
    (
      await handler(AUTH_RESOURCE_TYPES.userPoolClient).create(
        { UserPoolId: userPoolId, ClientName: 'web', ExplicitAuthFlows: ['ALLOW_USER_PASSWORD_AUTH', 'ALLOW_USER_SRP_AUTH', 'ALLOW_REFRESH_TOKEN_AUTH'] },
        ctx('UserPoolClientWeb'),
      )
    ).attributes.ClientId,
  );
  const role = async (name: string, statements: unknown[]): Promise<string> =>
    String(
      (
        await handler('Forte::IAM::Role').create(
          { RoleName: name, AssumeRolePolicyDocument: identityPoolTrust(), Policies: [{ PolicyName: 'p', PolicyDocument: { Statement: statements } }] },
          ctx(name),
        )
      ).attributes.Arn,
    );
  const own = { Effect: 'Allow', Action: 's3:GetObject', Resource: `arn:aws:s3:::${bucket}/private/\${cognito-identity.amazonaws.com:sub}/*` };
  const identityPool = await handler(AUTH_RESOURCE_TYPES.identityPool).create(
    {
      IdentityPoolName: 'users_identitypool',
      AllowUnauthenticatedIdentities: true,
      CognitoIdentityProviders: [{ ProviderName: pool.attributes.ProviderName, ClientId: clientId }],
      Roles: {
        authenticated: await role('authRole', [own]),
        unauthenticated: await role('unauthRole', [{ ...own, Resource: `arn:aws:s3:::${bucket}/public/*` }]),
      },
    },
    ctx('IdentityPool'),
  );
  Amplify.configure({
    Auth: {
      Cognito: {
        userPoolId,
        userPoolClientId: clientId,
        identityPoolId: String(identityPool.attributes.IdentityPoolId),
        allowGuestAccess: true,
        userPoolEndpoint: `${cloud.url}/cognito-idp/`,
        identityPoolEndpoint: `${cloud.url}/cognito-identity/`,
      },
    },
  });
  admin = new CognitoIdentityClient({ endpoint: `${cloud.url}/cognito-identity/`, region: 'us-east-1', credentials: cloud.credentials, maxAttempts: 1 });
  const idp = new CognitoIdentityProviderClient({ endpoint: `${cloud.url}/cognito-idp/`, region: 'us-east-1', credentials: cloud.credentials, maxAttempts: 1 });
  await idp.send(new AdminCreateUserCommand({ UserPoolId: userPoolId, Username: 'alice', MessageAction: 'SUPPRESS' }));
  await idp.send(new AdminSetUserPasswordCommand({ UserPoolId: userPoolId, Username: 'alice', Password: 'Correct-Horse-9', Permanent: true }));
  const s3 = new S3Client({ endpoint: `${cloud.url}/s3`, forcePathStyle: true, region: 'us-east-1', credentials: cloud.credentials, maxAttempts: 1 });
  await s3.send(new CreateBucketCommand({ Bucket: bucket }));
});
after(() => cloud.close());

void describe('identity pools through the unmodified aws-amplify v6', () => {
  let guestId: string | undefined;

  void it('fetchAuthSession gives a guest an identity and credentials, and keeps the identity on refresh', async () => {
    const session = await fetchAuthSession();
    guestId = session.identityId;
    assert.match(guestId ?? '', /^us-east-1:[0-9a-f-]{36}$/);
    assert.match(session.credentials?.accessKeyId ?? '', /^ASIA[A-Z0-9]{16}$/);
    assert.ok((session.credentials?.expiration?.getTime() ?? 0) > Date.now() + 59 * 60 * 1000);
    const refreshed = await fetchAuthSession({ forceRefresh: true });
    assert.equal(refreshed.identityId, guestId, 'the stored guest identity is reused');
    assert.notEqual(refreshed.credentials?.accessKeyId, session.credentials?.accessKeyId, 'new credentials were issued');
    assert.deepEqual((await admin.send(new DescribeIdentityCommand({ IdentityId: guestId }))).Logins, []);
  });

  void it("signing in turns the guest identity into the user's, whose credentials read its private prefix", async () => {
    const result = await signIn({ username: 'alice', password: 'Correct-Horse-9', options: { authFlowType: 'USER_PASSWORD_AUTH' } });
    assert.equal(result.isSignedIn, true);
    const session = await fetchAuthSession();
    assert.ok(session.tokens?.idToken);
    assert.equal(session.identityId, guestId, 'the guest identity id is kept after sign-in');
    assert.deepEqual((await admin.send(new DescribeIdentityCommand({ IdentityId: guestId }))).Logins, [`cognito-idp.us-east-1.amazonaws.com/${userPoolId}`]);

    const s3Admin = new S3Client({ endpoint: `${cloud.url}/s3`, forcePathStyle: true, region: 'us-east-1', credentials: cloud.credentials, maxAttempts: 1 });
    await s3Admin.send(new PutObjectCommand({ Bucket: bucket, Key: `private/${guestId}/a.txt`, Body: 'mine' }));
    const asUser = new S3Client({ endpoint: `${cloud.url}/s3`, forcePathStyle: true, region: 'us-east-1', credentials: session.credentials!, maxAttempts: 1 });
    assert.equal(await (await asUser.send(new GetObjectCommand({ Bucket: bucket, Key: `private/${guestId}/a.txt` }))).Body!.transformToString(), 'mine');

    await signOut();
    const again = await fetchAuthSession();
    assert.notEqual(again.identityId, guestId, 'after sign-out the device is a new guest');
    await signIn({ username: 'alice', password: 'Correct-Horse-9', options: { authFlowType: 'USER_PASSWORD_AUTH' } });
    assert.equal((await fetchAuthSession()).identityId, guestId, "signing in again finds the user's identity");
    await signOut();
  });
});
