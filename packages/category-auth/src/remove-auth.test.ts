import assert from 'node:assert/strict';
import { existsSync, mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, beforeEach, describe, it } from 'node:test';
import { isUserError, type CategoryPlugin } from '@forte/protocol';
import { createFakePluginContext } from '@forte/testing';
import * as plugin from './index.js';

const categoryPlugin: CategoryPlugin = plugin;
const readJson = (path: string): any => JSON.parse(readFileSync(path, 'utf8'));

void describe('forte remove auth: refused while other resources depend on the pool', () => {
  let root: string;
  const backendFile = (): string => join(root, 'amplify/backend/backend-config.json');
  const remove = () => categoryPlugin.executeCommand(createFakePluginContext(root, { plugin: 'auth', command: 'remove', yes: true }).ctx);
  const restApi = (name: string, setting: string): void => {
    mkdirSync(join(root, 'amplify/backend/api', name), { recursive: true });
    const permissions = setting === 'open' ? { setting } : { setting, auth: ['read'] };
    writeFileSync(
      join(root, 'amplify/backend/api', name, 'cli-inputs.json'),
      JSON.stringify({ version: 1, paths: { '/items': { lambdaFunction: 'fn', permissions } } }),
    );
  };

  beforeEach(async () => {
    root = mkdtempSync(join(tmpdir(), 'forte-auth-remove-'));
    await categoryPlugin.executeHeadlessCommand!(createFakePluginContext(root, { plugin: 'auth', command: 'add', headless: true }).ctx, {
      version: 2,
      resourceName: 'shopauth',
      serviceConfiguration: {
        serviceName: 'Cognito',
        includeIdentityPool: true,
        userPoolConfiguration: { signinMethod: 'EMAIL', requiredSignupAttributes: ['EMAIL'], userPoolGroups: [{ groupName: 'Admin' }] },
      },
    });
  });
  afterEach(() => rmSync(root, { recursive: true, force: true }));

  void it('names every dependant and the commands that remove them (an API before its function); nothing is removed', async () => {
    const config = readJson(backendFile());
    const onAuth = (attributes: string[]) => ({ category: 'auth', resourceName: 'shopauth', attributes });
    config.function = {
      AdminQueries1a2b3c4d: { service: 'Lambda', providerPlugin: 'awscloudformation', build: true, dependsOn: [onAuth(['UserPoolId'])] },
      fn: { service: 'Lambda', providerPlugin: 'awscloudformation', build: true },
    };
    config.api = {
      AdminQueries: {
        service: 'API Gateway',
        providerPlugin: 'awscloudformation',
        dependsOn: [onAuth(['UserPoolId']), { category: 'function', resourceName: 'AdminQueries1a2b3c4d', attributes: ['Arn', 'Name'] }],
      },
      reports: {
        service: 'API Gateway',
        providerPlugin: 'awscloudformation',
        dependsOn: [{ category: 'auth', resourceName: 'userPoolGroups', attributes: ['AdminGroupRole'] }],
      },
      signed: { service: 'API Gateway', providerPlugin: 'awscloudformation', dependsOn: [] },
      public: { service: 'API Gateway', providerPlugin: 'awscloudformation', dependsOn: [] },
      shopgql: { service: 'AppSync', providerPlugin: 'awscloudformation', dependsOn: [onAuth(['UserPoolId'])] },
    };
    config.storage = {
      photos: { service: 'S3', providerPlugin: 'awscloudformation', dependsOn: [] },
      orders: { service: 'DynamoDB', providerPlugin: 'awscloudformation' },
    };
    writeFileSync(backendFile(), JSON.stringify(config));
    restApi('signed', 'private');
    restApi('public', 'open');

    await assert.rejects(remove(), (e: unknown) => {
      assert.ok(isUserError(e));
      assert.equal(
        e.message,
        'auth shopauth cannot be removed because other resources depend on it: ' +
          'api AdminQueries (API Gateway: uses the user pool (UserPoolId)); ' +
          'api reports (API Gateway: grants user pool groups through their roles); ' +
          "api signed (API Gateway: signs its paths for the identity pool's users); " +
          'api shopgql (AppSync: uses the user pool (UserPoolId)); ' +
          "storage photos (S3: gives the identity pool's users access); " +
          'function AdminQueries1a2b3c4d (Lambda: uses the user pool (UserPoolId)). Nothing was removed.',
      );
      assert.equal(
        e.resolution,
        'Remove the dependants first: `forte remove api AdminQueries`, then `forte remove api reports`, then `forte remove api signed`, then ' +
          '`forte remove api shopgql`, then `forte remove storage photos`, then `forte remove function AdminQueries1a2b3c4d`; then `forte remove auth`.',
      );
      return true;
    });
    assert.ok(existsSync(join(root, 'amplify/backend/auth/shopauth/cli-inputs.json')));
    assert.ok(existsSync(join(root, 'amplify/backend/auth/userPoolGroups/user-pool-group-precedence.json')));
    assert.deepEqual(Object.keys(readJson(backendFile()).auth), ['shopauth', 'userPoolGroups']);
  });

  void it('with only independent resources left (an open REST API, a table, a function), removes the pool and its groups resource', async () => {
    const config = readJson(backendFile());
    config.api = { public: { service: 'API Gateway', providerPlugin: 'awscloudformation', dependsOn: [] } };
    config.storage = { orders: { service: 'DynamoDB', providerPlugin: 'awscloudformation' } };
    config.function = { fn: { service: 'Lambda', providerPlugin: 'awscloudformation', build: true } };
    writeFileSync(backendFile(), JSON.stringify(config));
    restApi('public', 'open');
    await remove();
    assert.equal(readJson(backendFile()).auth, undefined);
    assert.equal(readJson(join(root, 'amplify/backend/amplify-meta.json')).auth, undefined);
    assert.equal(existsSync(join(root, 'amplify/backend/auth/shopauth')), false);
    assert.equal(existsSync(join(root, 'amplify/backend/auth/userPoolGroups')), false);
  });
});
