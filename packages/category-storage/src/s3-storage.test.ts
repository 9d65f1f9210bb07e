import assert from 'node:assert/strict';
import { cpSync, existsSync, mkdirSync, mkdtempSync, readFileSync, readdirSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, beforeEach, describe, it } from 'node:test';
import { isUserError, type CategoryPlugin, type IdentityPoolSettings, type PluginContext } from '@forte/protocol';
import { sharedReference } from '@forte/protocol/shared-reference';
import { createFakePluginContext } from '@forte/testing';
import * as plugin from './index.js';

const categoryPlugin: CategoryPlugin = plugin;
const readJson = (path: string): any => JSON.parse(readFileSync(path, 'utf8'));
type Answers = Record<string, string | boolean | (string | boolean)[]>;

const shared = sharedReference('the Gen 1 project corpus', ['corpus/gen1-projects']);
const CORPUS = shared.dir === undefined ? '' : join(shared.dir, 'corpus/gen1-projects');
const corpusBackend = (app: string): string => join(CORPUS, app, '_snapshot.pre.generate/amplify/backend');
const corpusInputs = (app: string, resource: string): string => readFileSync(join(corpusBackend(app), 'storage', resource, 'cli-inputs.json'), 'utf8');

async function rejectsWithUserError(run: () => Promise<unknown>, pattern: RegExp): Promise<void> {
  await assert.rejects(run, (error: unknown) => {
    assert.ok(isUserError(error), `a UserError, not ${String(error)}`);
    assert.match(`${error.message} ${error.resolution}`, pattern);
    return true;
  });
}

/** The answers of a bucket like the corpus app backend-only's: guests read, signed-in users do everything. */
const AUTH_AND_GUEST: Answers = {
  'Select from one of the below mentioned services': 'S3',
  'Who should have access': 'authAndGuest',
  'for Authenticated users': 'create/update, read, delete',
  'for Guest users': 'read',
  'Lambda Trigger for your S3 Bucket': false,
};

void describe('category-storage: content (S3)', { skip: shared.skip }, () => {
  let root: string;
  const backend = (): any => readJson(join(root, 'amplify/backend/backend-config.json'));
  const inputsText = (name: string): string => readFileSync(join(root, 'amplify/backend/storage', name, 'cli-inputs.json'), 'utf8');
  const writeJson = (path: string, value: unknown): void => {
    mkdirSync(join(root, path, '..'), { recursive: true });
    writeFileSync(join(root, path), JSON.stringify(value, null, 2));
  };
  /** What the auth category answers of the auth resource's identity pool (its identityPoolSettings method). */
  let pool: IdentityPoolSettings;
  /** The other categories' methods the storage category called (`category.method`), in order. */
  let calls: string[];
  /** An auth resource as the auth category writes it, with an identity pool (guests allowed or not), and optional user pool groups. */
  const addAuth = (options: { guests?: boolean; groups?: string[] } = {}): void => {
    const config = existsSync(join(root, 'amplify/backend/backend-config.json')) ? backend() : {};
    config.auth = { myauth: { service: 'Cognito', providerPlugin: 'awscloudformation' } };
    pool = { identityPool: true, guests: options.guests ?? true };
    writeJson('amplify/backend/auth/myauth/cli-inputs.json', {
      version: '1',
      cognitoConfig: { authSelections: 'identityPoolAndUserPool', allowUnauthenticatedIdentities: options.guests ?? true },
    });
    if (options.groups) {
      config.auth.userPoolGroups = { service: 'Cognito-UserPool-Groups', providerPlugin: 'awscloudformation' };
      writeJson(
        'amplify/backend/auth/userPoolGroups/user-pool-group-precedence.json',
        options.groups.map((groupName, precedence) => ({ groupName, precedence: precedence + 1 })),
      );
    }
    writeJson('amplify/backend/backend-config.json', config);
  };
  const addFunction = (fn: string): void => {
    const config = existsSync(join(root, 'amplify/backend/backend-config.json')) ? backend() : {};
    config.function = { ...config.function, [fn]: { build: true, providerPlugin: 'awscloudformation', service: 'Lambda' } };
    writeJson('amplify/backend/backend-config.json', config);
  };
  /**
   * `invokePluginMethod` as the CLI offers it, with the other categories' methods standing in: auth's add (as
   * addAuth) and identity pool settings (as addAuth set them), the function category's S3 trigger (a Lambda entry).
   */
  const otherCategories = (ctx: PluginContext): void => {
    ctx.invokePluginMethod = async <T>(category: string, method: string, args: unknown[]): Promise<T> => {
      calls.push(`${category}.${method}`);
      const options = args[0] as { name?: string; resourceName?: string } | undefined;
      if (`${category}.${method}` === 'auth.executeCommand') {
        addAuth();
        return undefined as T;
      }
      if (`${category}.${method}` === 'auth.identityPoolSettings') {
        assert.equal(options?.resourceName, 'myauth');
        return pool as T;
      }
      assert.equal(`${category}.${method}`, 'function.createS3TriggerFunction');
      addFunction(options!.name!);
      return options!.name as T;
    };
  };
  const run = async (command: string, answers: Answers) => {
    const fake = createFakePluginContext(root, { plugin: 'storage', command, answers });
    otherCategories(fake.ctx);
    await categoryPlugin.executeCommand(fake.ctx);
    return fake;
  };
  const headless = async (command: string, payload: unknown) => {
    const fake = createFakePluginContext(root, { plugin: 'storage', command, yes: true, headless: true });
    otherCategories(fake.ctx);
    await categoryPlugin.executeHeadlessCommand!(fake.ctx, payload);
    return fake;
  };
  const build = async (name: string) =>
    categoryPlugin.build!(createFakePluginContext(root, { plugin: 'storage' }).ctx, { category: 'storage', resourceName: name, service: 'S3', dir: '' });
  /** The file as written, with its random policyUUID replaced by the corpus file's (every other byte must match). */
  const withPolicyId = (text: string, from: string, to: string): string => text.replace(`"policyUUID": "${from}"`, `"policyUUID": "${to}"`);

  beforeEach(() => {
    root = mkdtempSync(join(tmpdir(), 'forte-storage-s3-'));
    pool = {};
    calls = [];
  });
  afterEach(() => {
    rmSync(root, { recursive: true, force: true });
  });

  void it('ships a manifest owning S3 and DynamoDB', () => {
    assert.deepEqual(readJson(new URL('../forte-plugin.json', import.meta.url).pathname).services, ['S3', 'DynamoDB']);
  });

  void it("asks Amplify's questions and writes the corpus app backend-only's cli-inputs.json byte for byte (the default names taken)", async () => {
    addAuth();
    const fake = await run('add', AUTH_AND_GUEST);
    const [name] = Object.keys(backend().storage);
    const id = /^s3([0-9a-f]{8})$/.exec(name!)?.[1];
    assert.ok(id, `the default friendly name is s3<8 hex digits>: ${name}`);
    const written = readJson(join(root, 'amplify/backend/storage', name!, 'cli-inputs.json'));
    assert.match(written.bucketName, /^myapp[0-9a-f]{32}$/, "the project's name and a uuid, at most 47 characters");
    const expected = corpusInputs('backend-only', 's3c31471c3')
      .replaceAll('c31471c3', id!)
      .replace('backendonlycb1a13ab81664ecaa7d015068ab2d016', written.bucketName);
    assert.equal(inputsText(name!), expected);
    assert.deepEqual(backend().storage[name!], { service: 'S3', providerPlugin: 'awscloudformation', dependsOn: [] });
    assert.deepEqual(fake.asked.slice(0, 3), [
      'Select from one of the below mentioned services:',
      'Provide a friendly name for your resource that will be used to label this category in the project:',
      'Provide bucket name:',
    ]);
    assert.ok(fake.asked.includes('What kind of access do you want for Guest users? (create/update, read, delete; separate with commas)'));
    // One content storage resource per project, as in Amplify.
    const again = await run('add', { ...AUTH_AND_GUEST, 'Provide a friendly name': 'other' });
    assert.ok(again.printed.includes('Amazon S3 storage was already added to your project.'));
    assert.deepEqual(Object.keys(backend().storage), [name]);
  });

  void it("with user pool groups (Both): the corpus app media-vault's cli-inputs.json and dependsOn", async () => {
    addAuth({ groups: ['Admin', 'Basic'] });
    await run('add', {
      ...AUTH_AND_GUEST,
      'Provide a friendly name': 'mediavault',
      'Provide bucket name': 'mediavaultb574f210f1634e3a8d1934f263da5bed',
      'Restrict access by?': 'Both',
      'Select groups': 'Admin, Basic',
      'for Admin users': 'create/update, read, delete',
      'for Basic users': 'read',
    });
    const id = readJson(join(root, 'amplify/backend/storage/mediavault/cli-inputs.json')).policyUUID as string;
    assert.equal(inputsText('mediavault'), withPolicyId(corpusInputs('media-vault', 'mediavault'), 'd399ab0f', id));
    const corpusConfig = readJson(join(corpusBackend('media-vault'), 'backend-config.json'));
    const expectedDeps = (corpusConfig.storage.mediavault.dependsOn as { resourceName: string }[]).map((d) =>
      d.resourceName === 'mediavault1f08412d' ? { ...d, resourceName: 'myauth' } : d,
    );
    assert.deepEqual(backend().storage.mediavault.dependsOn, expectedDeps);
    // Its template: one policy per group on the whole bucket, on the role named after the user pool.
    const built = await build('mediavault');
    const admin = (built.template.Resources as any).AdminGroupPolicy;
    assert.deepEqual(admin.Properties.Roles, [{ 'Fn::Join': ['', [{ Ref: 'authmyauthUserPoolId' }, '-AdminGroupRole']] }]);
    assert.deepEqual(admin.Properties.PolicyDocument.Statement[0].Action, ['s3:PutObject', 's3:GetObject', 's3:ListBucket', 's3:DeleteObject']);
    assert.deepEqual(admin.Properties.PolicyDocument.Statement[0].Resource, { 'Fn::Join': ['', ['arn:aws:s3:::', { Ref: 'S3Bucket' }, '/*']] });
    assert.deepEqual((built.template.Resources as any).BasicGroupPolicy.Properties.PolicyDocument.Statement[0].Action, ['s3:GetObject', 's3:ListBucket']);
    assert.equal(built.template.Parameters!['authuserPoolGroupsBasicGroupRole']!.Default, 'authuserPoolGroupsBasicGroupRole');
    // Individual groups only: no access for signed-in users outside the groups, nor guests.
    await run('update', {
      'Select from one of the below mentioned services': 'S3',
      'Restrict access by?': 'Individual Groups',
      'Select groups': 'Admin',
      'for Admin users': 'read',
    });
    const updated = readJson(join(root, 'amplify/backend/storage/mediavault/cli-inputs.json'));
    assert.deepEqual([updated.authAccess, updated.guestAccess, updated.groupAccess], [[], [], { Admin: ['READ'], Basic: ['READ'] }]);
  });

  void it("an existing function as the trigger: the corpus app product-catalog's files; the stack's notification, invoke permission and bucket policy", async () => {
    addAuth();
    addFunction('S3Trigger1ef46783');
    await run('add', {
      'Select from one of the below mentioned services': 'S3',
      'Provide a friendly name': 's338e5b439',
      'Provide bucket name': 'productcatalogf95af07481f845caa6594c26ac9c8ed3',
      'Who should have access': 'auth',
      'for Authenticated users': 'create/update, read, delete',
      'Lambda Trigger for your S3 Bucket': true,
      'Select from the following options': ['existing', 'S3Trigger1ef46783'],
    });
    const id = readJson(join(root, 'amplify/backend/storage/s338e5b439/cli-inputs.json')).policyUUID as string;
    assert.equal(inputsText('s338e5b439'), withPolicyId(corpusInputs('product-catalog', 's338e5b439'), '38e5b439', id));
    assert.deepEqual(
      backend().storage.s338e5b439.dependsOn,
      readJson(join(corpusBackend('product-catalog'), 'backend-config.json')).storage.s338e5b439.dependsOn,
    );
    const { template, parameters } = await build('s338e5b439');
    const resources = template.Resources as any;
    assert.deepEqual(Object.keys(resources), [
      'S3Bucket',
      'TriggerPermissions',
      'S3AuthPublicPolicy',
      'S3AuthProtectedPolicy',
      'S3AuthPrivatePolicy',
      'S3AuthUploadPolicy',
      'S3AuthReadPolicy',
      'S3GuestReadPolicy',
      'S3TriggerBucketPolicy',
    ]);
    assert.deepEqual(resources.S3Bucket.Properties.NotificationConfiguration.LambdaConfigurations, [
      { Event: 's3:ObjectCreated:*', Function: { Ref: 'functionS3Trigger1ef46783Arn' } },
      { Event: 's3:ObjectRemoved:*', Function: { Ref: 'functionS3Trigger1ef46783Arn' } },
    ]);
    assert.deepEqual(resources.S3Bucket.DependsOn, ['TriggerPermissions']);
    assert.equal(resources.TriggerPermissions.Properties.Principal, 's3.amazonaws.com');
    assert.deepEqual(resources.S3TriggerBucketPolicy.Properties.Roles, [{ Ref: 'functionS3Trigger1ef46783LambdaExecutionRole' }]);
    // Amplify's build/parameters.json of that app (reference §4.2), value for value.
    assert.deepEqual(JSON.parse(JSON.stringify(parameters).replaceAll(id, '38e5b439')), {
      bucketName: 'productcatalogf95af07481f845caa6594c26ac9c8ed3',
      selectedGuestPermissions: [],
      selectedAuthenticatedPermissions: ['s3:PutObject', 's3:GetObject', 's3:ListBucket', 's3:DeleteObject'],
      unauthRoleName: { Ref: 'UnauthRoleName' },
      authRoleName: { Ref: 'AuthRoleName' },
      triggerFunction: 'S3Trigger1ef46783',
      s3PrivatePolicy: 'Private_policy_38e5b439',
      s3ProtectedPolicy: 'Protected_policy_38e5b439',
      s3PublicPolicy: 'Public_policy_38e5b439',
      s3ReadPolicy: 'read_policy_38e5b439',
      s3UploadsPolicy: 'Uploads_policy_38e5b439',
      authPolicyName: 's3_amplify_38e5b439',
      unauthPolicyName: 's3_amplify_38e5b439',
      AuthenticatedAllowList: 'ALLOW',
      GuestAllowList: 'DISALLOW',
      s3PermissionsAuthenticatedPrivate: 's3:PutObject,s3:GetObject,s3:DeleteObject',
      s3PermissionsAuthenticatedProtected: 's3:PutObject,s3:GetObject,s3:DeleteObject',
      s3PermissionsAuthenticatedPublic: 's3:PutObject,s3:GetObject,s3:DeleteObject',
      s3PermissionsAuthenticatedUploads: 's3:PutObject',
      s3PermissionsGuestPublic: 'DISALLOW',
      s3PermissionsGuestUploads: 'DISALLOW',
    });
    // Update: remove the trigger; the bucket no longer depends on the function.
    await run('update', {
      'Select from one of the below mentioned services': 'S3',
      'Who should have access': 'auth',
      'Select from the following options': 'Remove the Trigger',
    });
    assert.equal(readJson(join(root, 'amplify/backend/storage/s338e5b439/cli-inputs.json')).triggerFunction, 'NONE');
    assert.deepEqual(backend().storage.s338e5b439.dependsOn, []);
    assert.equal(((await build('s338e5b439')).template.Resources as any).TriggerPermissions, undefined);
  });

  void it('a new trigger function is created by the function category (its S3 trigger), named S3Trigger<8 hex>', async () => {
    addAuth();
    await run('add', { ...AUTH_AND_GUEST, 'Lambda Trigger for your S3 Bucket': true });
    assert.deepEqual(calls, ['function.createS3TriggerFunction', 'auth.identityPoolSettings']);
    const fn = Object.keys(backend().function)[0]!;
    assert.match(fn, /^S3Trigger[0-9a-f]{8}$/);
    const [bucket] = Object.keys(backend().storage);
    assert.equal(readJson(join(root, 'amplify/backend/storage', bucket!, 'cli-inputs.json')).triggerFunction, fn);
    assert.deepEqual(backend().storage[bucket!].dependsOn, [{ category: 'function', resourceName: fn, attributes: ['Name', 'Arn', 'LambdaExecutionRole'] }]);
  });

  void it('without auth it asks to add auth first (through the auth category); no ends the command; guests need guests in the identity pool', async () => {
    await run('add', { ...AUTH_AND_GUEST, 'add auth now?': false });
    assert.equal(existsSync(join(root, 'amplify/backend/storage')), false);
    assert.deepEqual(calls, []);
    await run('add', { ...AUTH_AND_GUEST, 'add auth now?': true });
    assert.deepEqual(calls, ['auth.executeCommand', 'auth.identityPoolSettings']);
    assert.equal(Object.keys(backend().storage).length, 1);
    rmSync(join(root, 'amplify'), { recursive: true });
    addAuth({ guests: false });
    await rejectsWithUserError(() => run('add', AUTH_AND_GUEST), /identity pool of auth myauth does not let guests in/);
    assert.equal(existsSync(join(root, 'amplify/backend/storage')), false);
  });

  void it("headless add / update / remove: Amplify's S3 requests; one bucket per project; groups need their roles; bad payloads named", async () => {
    addAuth({ groups: ['Admin'] });
    await headless('add', {
      version: 1,
      serviceConfiguration: {
        serviceName: 'S3',
        resourceName: 'avatars',
        bucketName: 'discus-avatars',
        permissions: { auth: ['CREATE_AND_UPDATE', 'READ', 'DELETE'] },
      },
    });
    const first = readJson(join(root, 'amplify/backend/storage/avatars/cli-inputs.json'));
    // Amplify's headless adapter writes its own key order and no triggerFunction when none is given.
    assert.deepEqual(Object.keys(first), ['resourceName', 'bucketName', 'policyUUID', 'storageAccess', 'guestAccess', 'authAccess']);
    const corpus = JSON.parse(corpusInputs('discussions-multi-ddb', 'avatars'));
    assert.deepEqual({ ...first, policyUUID: corpus.policyUUID, triggerFunction: 'NONE', groupAccess: {} }, corpus);
    await rejectsWithUserError(
      () => headless('add', { version: 1, serviceConfiguration: { serviceName: 'S3', permissions: { auth: ['READ'] } } }),
      /Amazon S3 storage was already added to your project \(storage avatars\)/,
    );
    await rejectsWithUserError(
      () => headless('add', { version: 1, serviceConfiguration: { serviceName: 'S3', permissions: { auth: ['WRITE'] } } }),
      /serviceConfiguration\.permissions\.auth\.0/,
    );
    await rejectsWithUserError(
      () => headless('add', { version: 1, serviceConfiguration: { serviceName: 'S3', bucketName: 'Upper_Case', permissions: { auth: [] } } }),
      /serviceConfiguration\.bucketName: bucket names use a-z 0-9 -/,
    );
    await rejectsWithUserError(
      () =>
        headless('update', {
          version: 1,
          serviceModification: { serviceName: 'S3', resourceName: 'avatars', permissions: { auth: ['READ'], groups: { Editors: ['READ'] } } },
        }),
      /grants the user pool group Editors[\s\S]*the groups Admin only/,
    );
    await headless('update', {
      version: 1,
      serviceModification: {
        serviceName: 'S3',
        resourceName: 'avatars',
        permissions: { auth: ['READ', 'CREATE_AND_UPDATE'], guest: ['READ'], groups: { Admin: ['DELETE', 'READ'] } },
        lambdaTrigger: { mode: 'new', name: 'S3Triggerabcd1234' },
      },
    });
    const next = readJson(join(root, 'amplify/backend/storage/avatars/cli-inputs.json'));
    assert.deepEqual(
      [next.storageAccess, next.authAccess, next.guestAccess, next.groupAccess, next.triggerFunction, next.policyUUID],
      ['authAndGuest', ['CREATE_AND_UPDATE', 'READ'], ['READ'], { Admin: ['READ', 'DELETE'] }, 'S3Triggerabcd1234', first.policyUUID],
    );
    assert.deepEqual(calls.slice(-2), ['auth.identityPoolSettings', 'function.createS3TriggerFunction']);
    await rejectsWithUserError(
      () => headless('remove', { version: 1, serviceConfiguration: { serviceName: 'DynamoDB', resourceName: 'avatars' } }),
      /storage avatars is a S3 resource, not DynamoDB/,
    );
    await headless('remove', { version: 1, serviceConfiguration: { serviceName: 'S3', resourceName: 'avatars', deleteBucketAndContents: true } });
    assert.equal(existsSync(join(root, 'amplify/backend/storage/avatars')), false);
    assert.equal(backend().storage, undefined);
    assert.ok(backend().function.S3Triggerabcd1234, 'the trigger function stays');
  });

  void it("every corpus app's bucket builds: the policies its permissions allow, guarded by their conditions, and the bucket name <bucketName><stack suffix>-<env>", async () => {
    const apps = readdirSync(CORPUS).filter((app) => existsSync(join(corpusBackend(app), 'backend-config.json')));
    let buckets = 0;
    for (const app of apps) {
      const config = readJson(join(corpusBackend(app), 'backend-config.json'));
      for (const [name, entry] of Object.entries<any>(config.storage ?? {})) {
        if (entry.service !== 'S3') continue;
        buckets++;
        rmSync(join(root, 'amplify'), { recursive: true, force: true });
        cpSync(corpusBackend(app), join(root, 'amplify/backend'), { recursive: true });
        const inputs = readJson(join(root, 'amplify/backend/storage', name, 'cli-inputs.json'));
        const { template } = await build(name);
        const resources = template.Resources as any;
        const bucket = resources.S3Bucket.Properties.BucketName;
        assert.deepEqual(bucket['Fn::If'][2], {
          'Fn::Join': ['', [{ Ref: 'bucketName' }, { 'Fn::Select': [3, { 'Fn::Split': ['-', { Ref: 'AWS::StackName' }] }] }, '-', { Ref: 'env' }]],
        });
        assert.equal(resources.S3Bucket.DeletionPolicy, 'Retain');
        assert.equal('S3GuestPublicPolicy' in resources, inputs.guestAccess.length > 0, `${app}: guests' public policy`);
        assert.equal('S3AuthPrivatePolicy' in resources, inputs.authAccess.length > 0, `${app}: users' private policy`);
        assert.deepEqual(resources.S3AuthPrivatePolicy?.Properties.PolicyDocument.Statement[0].Resource, [
          { 'Fn::Join': ['', ['arn:aws:s3:::', { Ref: 'S3Bucket' }, '/private/${cognito-identity.amazonaws.com:sub}/*']] },
        ]);
        assert.equal(resources.S3GuestReadPolicy.Condition, 'GuestReadAndList');
        assert.deepEqual(resources.S3GuestReadPolicy.Properties.PolicyDocument.Statement[1].Condition, {
          StringLike: { 's3:prefix': ['public/', 'public/*', 'protected/', 'protected/*'] },
        });
        assert.deepEqual(Object.keys(template.Outputs!), ['BucketName', 'Region']);
      }
    }
    assert.ok(buckets >= 6, `the corpus has its six buckets (${buckets})`);
  });

  void it("an older project's bucket (s3-cloudformation-template.json) deploys as written; update migrates it as Amplify does", async () => {
    addAuth({ groups: ['Admin'] });
    const config = backend();
    config.storage = { pics: { service: 'S3', providerPlugin: 'awscloudformation' } };
    writeJson('amplify/backend/backend-config.json', config);
    const legacyTemplate = {
      AWSTemplateFormatVersion: '2010-09-09',
      Resources: { S3Bucket: { Type: 'AWS::S3::Bucket', Properties: { BucketName: { Ref: 'bucketName' } } } },
    };
    writeJson('amplify/backend/storage/pics/s3-cloudformation-template.json', legacyTemplate);
    writeJson('amplify/backend/storage/pics/parameters.json', {
      bucketName: 'oldpics',
      authPolicyName: 's3_amplify_1234',
      selectedGuestPermissions: ['s3:GetObject', 's3:ListBucket'],
      selectedAuthenticatedPermissions: ['s3:PutObject', 's3:GetObject', 's3:ListBucket', 's3:DeleteObject'],
      s3PermissionsAuthenticatedPublic: 's3:PutObject,s3:GetObject,s3:DeleteObject',
      s3PermissionsGuestPublic: 'DISALLOW',
      s3PermissionsGuestUploads: 'DISALLOW',
      triggerFunction: 'NONE',
    });
    writeJson('amplify/backend/storage/pics/storage-params.json', { groupPermissionMap: { Admin: ['create/update', 'read'] } });
    const legacy = await build('pics');
    assert.deepEqual(legacy.template, legacyTemplate);
    assert.equal((legacy.parameters as any).bucketName, 'oldpics');
    assert.equal(legacy.sourceFile, 'amplify/backend/storage/pics/s3-cloudformation-template.json');

    await headless('update', { version: 1, serviceModification: { serviceName: 'S3', resourceName: 'pics', permissions: { auth: ['READ'] } } });
    for (const old of ['s3-cloudformation-template.json', 'parameters.json', 'storage-params.json'])
      assert.equal(existsSync(join(root, 'amplify/backend/storage/pics', old)), false, old);
    const migrated = readJson(join(root, 'amplify/backend/storage/pics/cli-inputs.json'));
    assert.deepEqual(Object.keys(migrated), [
      'resourceName',
      'bucketName',
      'policyUUID',
      'storageAccess',
      'guestAccess',
      'authAccess',
      'triggerFunction',
      'groupAccess',
    ]);
    assert.equal(migrated.bucketName, 'oldpics');
    assert.deepEqual(migrated.groupAccess, { Admin: ['CREATE_AND_UPDATE', 'READ'] }, 'storage-params.json groupPermissionMap');
    assert.deepEqual(migrated.authAccess, ['READ'], 'then the update applied');
    assert.match(migrated.policyUUID, /^[0-9a-f]{8}$/);
  });

  void it('a hand-edited cli-inputs.json that is not S3UserInputs stops the push naming the file and the field', async () => {
    addAuth();
    writeJson('amplify/backend/storage/pics/cli-inputs.json', {
      resourceName: 'pics',
      policyUUID: 'abcd1234',
      bucketName: 'pics',
      storageAccess: 'everyone',
      guestAccess: [],
      authAccess: [],
    });
    await rejectsWithUserError(() => build('pics'), /storage\/pics\/cli-inputs\.json is not a valid content storage definition: storageAccess/);
    writeJson('amplify/backend/storage/pics/cli-inputs.json', {
      resourceName: 'pics',
      policyUUID: 'abcd1234',
      bucketName: 'pics',
      storageAccess: 'auth',
      guestAccess: [],
      authAccess: ['READ'],
      groupAccess: { Admin: ['READ'] },
    });
    await rejectsWithUserError(
      () => build('pics'),
      /grants the user pool group Admin, whose access is a policy on the group's IAM role \(auth\/userPoolGroups\), and this project has no user pool groups/,
    );
  });
});
