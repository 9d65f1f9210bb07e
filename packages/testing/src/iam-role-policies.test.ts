import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import { CognitoIdentityClient, GetCredentialsForIdentityCommand, GetIdCommand } from '@aws-sdk/client-cognito-identity';
import { CreateBucketCommand, GetObjectCommand, PutObjectCommand, S3Client } from '@aws-sdk/client-s3';
import type { ResourceContext, ResourceHandler } from '@forte/cloud';
import { AUTH_RESOURCE_TYPES, RESOURCE_TYPES } from '@forte/protocol';
import { callFailure, identityPoolTrust, startTestCloud, type TestCloud } from './index.js';

const bucket = 'role-policies';
const AUTH_ROLE = 'app1-dev-authRole';
const UNAUTH_ROLE = 'app1-dev-unauthRole';

let cloud: TestCloud;
let guest: S3Client;
let policies: ResourceHandler;
let roles: ResourceHandler;

/** The api's nested stack attaches policies to roles that the root stack owns. */
const ctx = (logicalId: string, stackName = 'amplify-app1-dev-apinotes'): ResourceContext => ({
  appId: 'app1',
  appSlug: 'app1',
  envName: 'dev',
  stackName,
  logicalId,
  region: 'us-east-1',
  accountId: cloud.kernel.config.accountId,
  log: cloud.kernel.log,
});

const readAccess = (roleName: string, prefix: string, policyName = 'GuestReads'): Record<string, unknown> => ({
  PolicyName: policyName,
  PolicyDocument: { Version: '2012-10-17', Statement: [{ Effect: 'Allow', Action: ['s3:GetObject'], Resource: [`arn:aws:s3:::${bucket}/${prefix}/*`] }] },
  Roles: [roleName],
});

const guestReads = async (key: string): Promise<string> => {
  try {
    return await (await guest.send(new GetObjectCommand({ Bucket: bucket, Key: key }))).Body!.transformToString();
  } catch (error) {
    return (error as Error).name;
  }
};

const createRole = async (name: string): Promise<string> =>
  String((await roles.create({ RoleName: name, AssumeRolePolicyDocument: identityPoolTrust() }, ctx(name, 'amplify-app1-dev'))).attributes.Arn);

before(async () => {
  cloud = await startTestCloud();
  policies = cloud.kernel.resourceHandler(RESOURCE_TYPES.policy)!;
  roles = cloud.kernel.resourceHandler(RESOURCE_TYPES.role)!;
  // Roles without policies of their own, as the root stack creates them.
  const authArn = await createRole(AUTH_ROLE);
  const unauthArn = await createRole(UNAUTH_ROLE);
  const pool = await cloud.kernel
    .resourceHandler(AUTH_RESOURCE_TYPES.identityPool)!
    .create(
      { IdentityPoolName: 'pool', AllowUnauthenticatedIdentities: true, Roles: { authenticated: authArn, unauthenticated: unauthArn } },
      ctx('IdentityPool', 'amplify-app1-dev-auth'),
    );
  const identity = new CognitoIdentityClient({
    endpoint: `${cloud.url}/cognito-identity/`,
    region: 'us-east-1',
    credentials: cloud.credentials,
    maxAttempts: 1,
  });
  const { IdentityId } = await identity.send(new GetIdCommand({ IdentityPoolId: String(pool.attributes.IdentityPoolId) }));
  const { Credentials } = await identity.send(new GetCredentialsForIdentityCommand({ IdentityId }));
  guest = new S3Client({
    endpoint: `${cloud.url}/s3`,
    forcePathStyle: true,
    region: 'us-east-1',
    maxAttempts: 1,
    credentials: { accessKeyId: Credentials!.AccessKeyId!, secretAccessKey: Credentials!.SecretKey!, sessionToken: Credentials!.SessionToken! },
  });
  const admin = new S3Client({ endpoint: `${cloud.url}/s3`, forcePathStyle: true, region: 'us-east-1', credentials: cloud.credentials, maxAttempts: 1 });
  await admin.send(new CreateBucketCommand({ Bucket: bucket }));
  await admin.send(new PutObjectCommand({ Bucket: bucket, Key: 'public/a.txt', Body: 'a' }));
  await admin.send(new PutObjectCommand({ Bucket: bucket, Key: 'other/b.txt', Body: 'b' }));
});
after(() => cloud.close());

void describe('Forte::IAM::Policy: policies attached to roles of another stack', () => {
  void it('a guest gains access when a policy is attached to the unauthenticated role, and loses it when the policy is deleted', async () => {
    assert.equal(await guestReads('public/a.txt'), 'AccessDenied', 'the role alone grants nothing');
    const created = await policies.create(readAccess(UNAUTH_ROLE, 'public'), ctx('UnauthRolePolicy01'));
    assert.match(created.physicalId, /^GuestReads-[A-Z0-9]{12}$/);
    assert.deepEqual(created.attributes, { Id: created.physicalId, PolicyName: 'GuestReads' });
    assert.equal(await guestReads('public/a.txt'), 'a');
    assert.equal(await guestReads('other/b.txt'), 'AccessDenied', 'only what the policy names');
    assert.equal(
      (await callFailure(guest.send(new PutObjectCommand({ Bucket: bucket, Key: 'public/c.txt', Body: 'c' })))).name,
      'AccessDenied',
      'only the actions it names',
    );

    const again = await policies.create(readAccess(UNAUTH_ROLE, 'public'), ctx('UnauthRolePolicy01'));
    assert.equal(again.physicalId, created.physicalId, 'a repeated create adopts the policy');
    await policies.delete(created.physicalId, {}, ctx('UnauthRolePolicy01'));
    assert.equal(await guestReads('public/a.txt'), 'AccessDenied', 'deleting the resource detaches the policy (the repeated create added no second copy)');
    await policies.delete(created.physicalId, {}, ctx('UnauthRolePolicy01'));
  });

  void it('a policy on the authenticated role gives guests nothing', async () => {
    const created = await policies.create(readAccess(AUTH_ROLE, 'public', 'SignedInReads'), ctx('AuthRolePolicy01'));
    try {
      assert.equal(await guestReads('public/a.txt'), 'AccessDenied');
    } finally {
      await policies.delete(created.physicalId, {}, ctx('AuthRolePolicy01'));
    }
  });

  void it('an update changes the grant and the roles in place', async () => {
    const created = await policies.create(readAccess(AUTH_ROLE, 'public'), ctx('Moving'));
    assert.equal(await guestReads('public/a.txt'), 'AccessDenied');
    const moved = await policies.update(created.physicalId, readAccess(UNAUTH_ROLE, 'other'), readAccess(AUTH_ROLE, 'public'), ctx('Moving'));
    assert.notEqual(moved, 'replace');
    assert.equal(moved !== 'replace' && moved.physicalId, created.physicalId);
    assert.equal(await guestReads('other/b.txt'), 'b');
    assert.equal(await guestReads('public/a.txt'), 'AccessDenied', 'the old grant is gone');
    await policies.delete(created.physicalId, {}, ctx('Moving'));
    assert.equal(await guestReads('other/b.txt'), 'AccessDenied');
  });

  void it('refuses a role that does not exist, users and groups, and an invalid document, attaching nothing', async () => {
    await assert.rejects(policies.create({ ...readAccess(UNAUTH_ROLE, 'public'), Roles: [UNAUTH_ROLE, 'no-such-role'] }, ctx('Missing')), {
      code: 'NoSuchEntity',
      message: 'Forte::IAM::Policy GuestReads: the role no-such-role does not exist. Name a role that is deployed (a Forte::IAM::Role) in Roles.',
    });
    assert.equal(await guestReads('public/a.txt'), 'AccessDenied', 'the existing role got nothing either');
    await assert.rejects(policies.create({ ...readAccess(UNAUTH_ROLE, 'public'), Users: ['bob'] }, ctx('Users')), {
      code: 'ValidationException',
      message: /Users: Forte has no IAM users/,
    });
    await assert.rejects(policies.create({ ...readAccess(UNAUTH_ROLE, 'public'), Roles: [] }, ctx('NoRoles')), {
      code: 'ValidationException',
      message: /Roles: name at least one role/,
    });
    await assert.rejects(
      policies.create(
        { ...readAccess(UNAUTH_ROLE, 'public'), PolicyDocument: { Statement: [{ Effect: 'Allow', NotAction: 's3:*', Resource: '*' }] } },
        ctx('NotAction'),
      ),
      { code: 'ValidationException', message: /NotAction/ },
    );
    assert.equal(await guestReads('public/a.txt'), 'AccessDenied');
  });

  void it('deleting a role detaches its policies: a new role of the same name starts without them', async () => {
    const created = await policies.create(readAccess(UNAUTH_ROLE, 'public'), ctx('Orphan'));
    assert.equal(await guestReads('public/a.txt'), 'a');
    await roles.delete(UNAUTH_ROLE, {}, ctx(UNAUTH_ROLE, 'amplify-app1-dev'));
    assert.equal(await guestReads('public/a.txt'), 'AccessDenied');
    await createRole(UNAUTH_ROLE);
    assert.equal(await guestReads('public/a.txt'), 'AccessDenied', 'the stale attachment did not come back');
    await policies.delete(created.physicalId, {}, ctx('Orphan'));
  });
});

void describe('AWS::IAM::Role: the role of a function template', () => {
  const awsRoles = (): ResourceHandler => cloud.kernel.resourceHandler('AWS::IAM::Role')!;
  const lambdaTrust = { Version: '2012-10-17', Statement: [{ Effect: 'Allow', Principal: { Service: ['lambda.amazonaws.com'] }, Action: ['sts:AssumeRole'] }] };
  const allows = (roleArn: string, action: string, resource: string): Promise<boolean> =>
    cloud.kernel.authorize({ kind: 'role', accessKeyId: 'ASIATEST', roleArn }, action, resource).then(
      () => true,
      () => false,
    );

  void it('shares the Forte::IAM::Role store: Path in the ARN, managed policies applied, a name made when none is given', async () => {
    const fnCtx = ctx('myfn.LambdaExecutionRole', 'amplify-app1-dev-functionmyfn');
    const created = await awsRoles().create(
      {
        RoleName: 'myfnRole-dev',
        Path: '/service-role/',
        AssumeRolePolicyDocument: lambdaTrust,
        ManagedPolicyArns: ['arn:aws:iam::aws:policy/service-role/AWSLambdaBasicExecutionRole'],
      },
      fnCtx,
    );
    const arn = `arn:aws:iam::${cloud.kernel.config.accountId}:role/service-role/myfnRole-dev`;
    assert.deepEqual(created.attributes, { Arn: arn, RoleName: 'myfnRole-dev', RoleId: created.attributes.RoleId });
    assert.equal(created.physicalId, 'myfnRole-dev');
    assert.equal(await allows(arn, 'logs:PutLogEvents', 'arn:aws:logs:us-east-1:1:log-group:/aws/lambda/x:log-stream:y'), true, 'the managed policy applies');
    assert.equal(await allows(arn, 's3:GetObject', `arn:aws:s3:::${bucket}/public/a.txt`), false);
    // A Forte::IAM::Policy (or AWS::IAM::Policy) attaches to it by name, as to any role.
    const policy = await cloud.kernel.resourceHandler('AWS::IAM::Policy')!.create(readAccess('myfnRole-dev', 'public', 'FnReads'), ctx('myfn.Reads'));
    assert.equal(await allows(arn, 's3:GetObject', `arn:aws:s3:::${bucket}/public/a.txt`), true);
    assert.equal(await cloud.kernel.checkRoleTrust({ roleArn: arn, servicePrincipal: 'lambda.amazonaws.com' }), undefined);
    await policies.delete(policy.physicalId, {}, ctx('myfn.Reads'));
    await awsRoles().delete('myfnRole-dev', {}, fnCtx);
    assert.match(String(await cloud.kernel.checkRoleTrust({ roleArn: arn, servicePrincipal: 'lambda.amazonaws.com' })), /does not exist/);

    const named = await awsRoles().create({ AssumeRolePolicyDocument: lambdaTrust }, fnCtx);
    assert.match(named.physicalId, /^amplify-app1-dev-functionmyfn-LambdaExecutionRole-[0-9A-F]{12}$/);
    assert.equal((await awsRoles().create({ AssumeRolePolicyDocument: lambdaTrust }, fnCtx)).physicalId, named.physicalId, 'a repeated create adopts it');
    await awsRoles().delete(named.physicalId, {}, fnCtx);
  });

  void it('refuses a managed policy Forte does not provide and a permissions boundary, naming them', async () => {
    await assert.rejects(awsRoles().create({ RoleName: 'admin-dev', ManagedPolicyArns: ['arn:aws:iam::aws:policy/AdministratorAccess'] }, ctx('Admin')), {
      code: 'ValidationException',
      message: /AWS::IAM::Role admin-dev: ManagedPolicyArns names arn:aws:iam::aws:policy\/AdministratorAccess, which Forte does not provide/,
    });
    await assert.rejects(awsRoles().create({ RoleName: 'bounded-dev', PermissionsBoundary: 'arn:aws:iam::1:policy/b' }, ctx('Bounded')), {
      code: 'ValidationException',
      message: /AWS::IAM::Role PermissionsBoundary: permissions boundaries are not supported/,
    });
    await assert.rejects(awsRoles().create({ RoleName: 'pathless-dev', Path: 'service-role' }, ctx('Pathless')), {
      code: 'ValidationException',
      message: /AWS::IAM::Role Path: a path starts and ends with \//,
    });
  });
});
