import assert from 'node:assert/strict';
import { existsSync, mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, beforeEach, describe, it } from 'node:test';
import { AUTH_RESOURCE_TYPES, isUserError, templateSchema, type CategoryPlugin, type ResourceRef } from '@forte/protocol';
import { createFakePluginContext } from '@forte/testing';
import * as plugin from './index.js';

const categoryPlugin: CategoryPlugin = plugin;
const readJson = (path: string): any => JSON.parse(readFileSync(path, 'utf8'));

const addRequest = (includeIdentityPool: boolean, groups: string[]) => ({
  version: 2,
  resourceName: 'shopauth',
  serviceConfiguration: {
    serviceName: 'Cognito',
    includeIdentityPool,
    userPoolConfiguration: {
      signinMethod: 'EMAIL',
      requiredSignupAttributes: ['EMAIL'],
      userPoolGroups: groups.map((groupName) => ({ groupName })),
    },
  },
});
const updateGroups = (groups: string[]) => ({
  version: 2,
  serviceModification: { serviceName: 'Cognito', userPoolModification: { userPoolGroups: groups.map((groupName) => ({ groupName })) } },
});

void describe("category-auth: Amplify's auth/userPoolGroups resource (groups and their IAM roles)", () => {
  let root: string;
  const ctx = (command: string) => createFakePluginContext(root, { plugin: 'auth', command, headless: true });
  const groupsDir = (): string => join(root, 'amplify/backend/auth/userPoolGroups');
  const precedence = (): any => readJson(join(groupsDir(), 'user-pool-group-precedence.json'));
  const backend = (): any => readJson(join(root, 'amplify/backend/backend-config.json'));
  const ref = (name: string, service: string): ResourceRef => ({
    category: 'auth',
    resourceName: name,
    service,
    dir: join(root, 'amplify/backend/auth', name),
  });
  const buildGroups = async () => (await categoryPlugin.build!(ctx('push').ctx, ref('userPoolGroups', 'Cognito-UserPool-Groups'))).template as any;
  const buildAuth = async () => (await categoryPlugin.build!(ctx('push').ctx, ref('shopauth', 'Cognito'))).template as any;

  beforeEach(() => {
    root = mkdtempSync(join(tmpdir(), 'forte-auth-groups-'));
  });
  afterEach(() => rmSync(root, { recursive: true, force: true }));

  void it('add auth with groups writes the precedence file and the backend-config entry as Amplify, and builds the groups with their roles', async () => {
    await categoryPlugin.executeHeadlessCommand!(ctx('add').ctx, addRequest(true, ['Admin', 'Editors']));
    assert.deepEqual(precedence(), [
      { groupName: 'Admin', precedence: 1 },
      { groupName: 'Editors', precedence: 2 },
    ]);
    const entry = {
      service: 'Cognito-UserPool-Groups',
      providerPlugin: 'awscloudformation',
      dependsOn: [{ category: 'auth', resourceName: 'shopauth', attributes: ['UserPoolId', 'AppClientIDWeb', 'AppClientID', 'IdentityPoolId'] }],
    };
    assert.deepEqual(backend().auth.userPoolGroups, entry);
    assert.deepEqual(readJson(join(root, 'amplify/backend/amplify-meta.json')).auth.userPoolGroups, entry);

    const t = await buildGroups();
    assert.ok(templateSchema.safeParse(t).success);
    assert.deepEqual(Object.keys(t.Parameters), [
      'env',
      'AuthRoleArn',
      'UnauthRoleArn',
      'authshopauthUserPoolId',
      'authshopauthIdentityPoolId',
      'authshopauthAppClientID',
      'authshopauthAppClientIDWeb',
    ]);
    assert.deepEqual(Object.keys(t.Resources), ['AdminGroup', 'AdminGroupRole', 'EditorsGroup', 'EditorsGroupRole']);
    assert.deepEqual(t.Resources.EditorsGroup, {
      Type: AUTH_RESOURCE_TYPES.userPoolGroup,
      Properties: {
        UserPoolId: { Ref: 'authshopauthUserPoolId' },
        GroupName: 'Editors',
        Precedence: 2,
        RoleArn: { 'Fn::GetAtt': ['EditorsGroupRole', 'Arn'] },
      },
    });
    const role = t.Resources.AdminGroupRole;
    assert.equal(role.Type, 'AWS::IAM::Role');
    assert.deepEqual(role.Properties.RoleName, { 'Fn::Join': ['', [{ Ref: 'authshopauthUserPoolId' }, '-AdminGroupRole']] });
    assert.deepEqual(role.Properties.AssumeRolePolicyDocument.Statement, [
      {
        Sid: '',
        Effect: 'Allow',
        Principal: { Federated: 'cognito-identity.amazonaws.com' },
        Action: 'sts:AssumeRoleWithWebIdentity',
        Condition: {
          StringEquals: { 'cognito-identity.amazonaws.com:aud': { Ref: 'authshopauthIdentityPoolId' } },
          'ForAnyValue:StringLike': { 'cognito-identity.amazonaws.com:amr': 'authenticated' },
        },
      },
    ]);
    assert.equal(role.Properties.Policies, undefined);
    assert.deepEqual(t.Outputs, {
      AdminGroupRole: { Value: { 'Fn::GetAtt': ['AdminGroupRole', 'Arn'] } },
      EditorsGroupRole: { Value: { 'Fn::GetAtt': ['EditorsGroupRole', 'Arn'] } },
    });

    // The auth stack leaves the groups to that resource and maps each app client's users to their group's role.
    const auth = await buildAuth();
    assert.deepEqual(
      Object.values(auth.Resources).filter((r: any) => r.Type === AUTH_RESOURCE_TYPES.userPoolGroup),
      [],
    );
    const mappings = auth.Resources.IdentityPool.Properties.RoleMappings;
    assert.deepEqual(
      Object.values(mappings).map((m: any) => [m.Type, m.AmbiguousRoleResolution]),
      [
        ['Token', 'AuthenticatedRole'],
        ['Token', 'AuthenticatedRole'],
      ],
    );
  });

  void it('update keeps what a user added to a group (customPolicies, with ${env}), reorders precedence, and removing every group removes the resource', async () => {
    await categoryPlugin.executeHeadlessCommand!(ctx('add').ctx, addRequest(true, ['Admin', 'Editors']));
    const policy = {
      PolicyName: 'admin-bucket',
      PolicyDocument: { Version: '2012-10-17', Statement: [{ Effect: 'Allow', Action: ['s3:GetObject'], Resource: 'arn:aws:s3:::reports-${env}/*' }] },
    };
    const edited = precedence();
    edited[0].customPolicies = [policy];
    writeFileSync(join(groupsDir(), 'user-pool-group-precedence.json'), JSON.stringify(edited));

    await categoryPlugin.executeHeadlessCommand!(ctx('update').ctx, updateGroups(['Ops', 'Admin']));
    assert.deepEqual(precedence(), [
      { groupName: 'Ops', precedence: 1 },
      { groupName: 'Admin', precedence: 2, customPolicies: [policy] },
    ]);
    const t = await buildGroups();
    assert.deepEqual(Object.keys(t.Resources), ['OpsGroup', 'OpsGroupRole', 'AdminGroup', 'AdminGroupRole']);
    assert.deepEqual(t.Resources.AdminGroupRole.Properties.Policies, [
      {
        PolicyName: 'admin-bucket',
        PolicyDocument: {
          Version: '2012-10-17',
          Statement: [{ Effect: 'Allow', Action: ['s3:GetObject'], Resource: { 'Fn::Sub': ['arn:aws:s3:::reports-${env}/*', { env: { Ref: 'env' } }] } }],
        },
      },
    ]);

    await categoryPlugin.executeHeadlessCommand!(ctx('update').ctx, updateGroups([]));
    assert.equal(existsSync(groupsDir()), false);
    assert.equal(backend().auth.userPoolGroups, undefined);
    assert.equal(readJson(join(root, 'amplify/backend/amplify-meta.json')).auth.userPoolGroups, undefined);
    assert.equal((await buildAuth()).Resources.IdentityPool.Properties.RoleMappings, undefined, 'no groups, no role mapping');
  });

  void it('without an identity pool the groups have no roles (nothing could assume them)', async () => {
    await categoryPlugin.executeHeadlessCommand!(ctx('add').ctx, addRequest(false, ['Admin']));
    assert.deepEqual(backend().auth.userPoolGroups.dependsOn[0].attributes, ['UserPoolId', 'AppClientIDWeb', 'AppClientID']);
    const t = await buildGroups();
    assert.deepEqual(Object.keys(t.Parameters), [
      'env',
      'AuthRoleArn',
      'UnauthRoleArn',
      'authshopauthUserPoolId',
      'authshopauthAppClientID',
      'authshopauthAppClientIDWeb',
    ]);
    assert.deepEqual(t.Resources, {
      AdminGroup: { Type: AUTH_RESOURCE_TYPES.userPoolGroup, Properties: { UserPoolId: { Ref: 'authshopauthUserPoolId' }, GroupName: 'Admin', Precedence: 1 } },
    });
    assert.deepEqual(t.Outputs, {});
  });

  void it('the interactive walkthrough writes the groups resource too', async () => {
    const f = createFakePluginContext(root, {
      plugin: 'auth',
      command: 'add',
      answers: {
        'default authentication': 'default',
        'configure advanced settings': true,
        'add User Pool Groups': true,
        'names of your user pool groups': 'Admin, Staff',
      },
    });
    await categoryPlugin.executeCommand(f.ctx);
    assert.deepEqual(precedence(), [
      { groupName: 'Admin', precedence: 1 },
      { groupName: 'Staff', precedence: 2 },
    ]);
    assert.equal(backend().auth.userPoolGroups.service, 'Cognito-UserPool-Groups');
    // As Amplify's walkthrough, a name that cannot name a role is refused where it is typed.
    const again = createFakePluginContext(root, {
      plugin: 'auth',
      command: 'update',
      answers: { 'add User Pool Groups': true, 'names of your user pool groups': 'Admin, red-team' },
    });
    await assert.rejects(categoryPlugin.executeCommand(again.ctx), /names of your user pool groups.*: group names are letters and digits/);
  });

  void it('a pool pushed with its groups in the auth stack (before the groups resource) keeps them there, also after an update', async () => {
    const cognitoConfig = {
      resourceName: 'shopauth',
      authSelections: 'identityPoolAndUserPool',
      userPoolName: 'shop_userpool',
      identityPoolName: 'shop_identitypool',
      userPoolGroupList: ['Admin'],
    };
    for (const dir of [join(root, 'amplify/backend/auth/shopauth'), join(root, 'amplify/#current-cloud-backend/auth/shopauth')]) {
      mkdirSync(dir, { recursive: true });
      writeFileSync(join(dir, 'cli-inputs.json'), JSON.stringify({ version: '1', cognitoConfig }));
    }
    writeFileSync(
      join(root, 'amplify/backend/backend-config.json'),
      JSON.stringify({ auth: { shopauth: { service: 'Cognito', providerPlugin: 'awscloudformation', dependsOn: [] } } }),
    );
    assert.equal((await buildAuth()).Resources.UserPoolGroup0Admin.Type, AUTH_RESOURCE_TYPES.userPoolGroup);
    // Moving them would delete the deployed groups (and members) after the new stack made them: they stay, and the
    // update says so. They name no role, so names Amplify's walkthrough would refuse stay allowed there.
    const f = ctx('update');
    await categoryPlugin.executeHeadlessCommand!(f.ctx, updateGroups(['Admin', 'Ops', 'night-shift']));
    assert.equal(existsSync(groupsDir()), false);
    assert.equal(backend().auth.userPoolGroups, undefined);
    assert.match(f.printed.join('\n'), /groups of shopauth stay in its own stack.*no IAM roles/);
    const auth = await buildAuth();
    assert.deepEqual(
      ['UserPoolGroup0Admin', 'UserPoolGroup1Ops', 'UserPoolGroup2nightshift'].map((id) => auth.Resources[id]?.Properties.GroupName),
      ['Admin', 'Ops', 'night-shift'],
    );
  });

  void it('refuses to drop a group whose role a REST API uses, and group names that cannot name a role; nothing is written', async () => {
    await categoryPlugin.executeHeadlessCommand!(ctx('add').ctx, addRequest(true, ['Admin', 'Editors']));
    const config = backend();
    config.api = {
      reports: {
        service: 'API Gateway',
        providerPlugin: 'awscloudformation',
        dependsOn: [
          { category: 'auth', resourceName: 'shopauth', attributes: ['UserPoolId'] },
          { category: 'auth', resourceName: 'userPoolGroups', attributes: ['AdminGroupRole'] },
        ],
      },
    };
    writeFileSync(join(root, 'amplify/backend/backend-config.json'), JSON.stringify(config));
    const inputsBefore = readFileSync(join(root, 'amplify/backend/auth/shopauth/cli-inputs.json'), 'utf8');
    await assert.rejects(
      categoryPlugin.executeHeadlessCommand!(ctx('update').ctx, updateGroups(['Editors'])),
      (e: unknown) =>
        isUserError(e) &&
        /User pool group roles are still used by: api reports \(group Admin\)\. Nothing was changed\./.test(e.message) &&
        /forte update api/.test(e.resolution),
    );
    await assert.rejects(
      categoryPlugin.executeHeadlessCommand!(ctx('update').ctx, updateGroups(['Admin', 'Editors', 'red-team'])),
      (e: unknown) => isUserError(e) && /letters and digits .*: red-team/.test(e.message),
    );
    assert.equal(readFileSync(join(root, 'amplify/backend/auth/shopauth/cli-inputs.json'), 'utf8'), inputsBefore);
    assert.deepEqual(
      precedence().map((g: any) => g.groupName),
      ['Admin', 'Editors'],
    );
    // Keeping Admin is fine.
    await categoryPlugin.executeHeadlessCommand!(ctx('update').ctx, updateGroups(['Admin']));
    assert.deepEqual(precedence(), [{ groupName: 'Admin', precedence: 1 }]);
  });

  void it('a broken precedence file fails the build naming it', async () => {
    await categoryPlugin.executeHeadlessCommand!(ctx('add').ctx, addRequest(true, ['Admin']));
    writeFileSync(join(groupsDir(), 'user-pool-group-precedence.json'), JSON.stringify([{ groupName: 'Admin' }]));
    await assert.rejects(buildGroups(), (e: unknown) => isUserError(e) && /user-pool-group-precedence\.json is not a list of groups/.test(e.message));
  });
});
