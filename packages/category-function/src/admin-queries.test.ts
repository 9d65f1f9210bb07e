import assert from 'node:assert/strict';
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, beforeEach, describe, it } from 'node:test';
import { isUserError, type CategoryPlugin, type ResourceRef } from '@forte/protocol';
import { createFakePluginContext } from '@forte/testing';
import * as plugin from './index.js';

const categoryPlugin: CategoryPlugin = plugin;
const readJson = (path: string): any => JSON.parse(readFileSync(path, 'utf8'));

void describe("the Admin Queries function (addAdminQueriesFunction, for the auth category's adminQueries)", () => {
  let root: string;
  const ctx = () => createFakePluginContext(root, { plugin: 'function', command: 'add' }).ctx;
  const backend = (): Record<string, any> => readJson(join(root, 'amplify/backend/backend-config.json')).function;
  const templateOf = (name: string): any => readJson(join(root, 'amplify/backend/function', name, `${name}-cloudformation-template.json`));

  beforeEach(() => {
    root = mkdtempSync(join(tmpdir(), 'forte-fn-adminq-'));
  });
  afterEach(() => rmSync(root, { recursive: true, force: true }));

  void it('writes AdminQueries<id> with USERPOOL, GROUP and the user pool admin actions; a second call updates the group only', async () => {
    const name = await plugin.addAdminQueriesFunction(ctx(), { authResourceName: 'myauth', group: 'Admin' });
    assert.match(name, /^AdminQueries[0-9a-f]{8}$/);
    assert.deepEqual(backend()[name], {
      build: true,
      providerPlugin: 'awscloudformation',
      service: 'Lambda',
      dependsOn: [{ category: 'auth', resourceName: 'myauth', attributes: ['UserPoolId'] }],
    });
    const template = templateOf(name);
    const lambda = template.Resources.LambdaFunction.Properties;
    assert.equal(lambda.Environment.Variables.GROUP, 'Admin');
    assert.deepEqual(lambda.Environment.Variables.USERPOOL, { Ref: 'authmyauthUserPoolId' });
    assert.deepEqual(template.Parameters.authmyauthUserPoolId, { Type: 'String', Default: 'authmyauthUserPoolId' });
    const statement = template.Resources.lambdaexecutionpolicy.Properties.PolicyDocument.Statement[1];
    assert.ok(statement.Action.includes('cognito-idp:AdminAddUserToGroup') && statement.Action.includes('cognito-idp:ListUsers'));
    assert.deepEqual(statement.Resource['Fn::Join'][1].at(-1), { Ref: 'authmyauthUserPoolId' }, 'on its user pool only');
    const src = readFileSync(join(root, 'amplify/backend/function', name, 'src/index.js'), 'utf8');
    assert.match(src, /^\/\* Amplify Params - DO NOT EDIT\n\tENV\n\tGROUP\n\tREGION\n\tUSERPOOL\nAmplify Params - DO NOT EDIT \*\//);

    assert.equal(await plugin.addAdminQueriesFunction(ctx(), { authResourceName: 'myauth' }), name, 'the same function');
    assert.equal(templateOf(name).Resources.LambdaFunction.Properties.Environment.Variables.GROUP, 'NONE');
    assert.deepEqual(Object.keys(backend()), [name]);
    await assert.rejects(plugin.addAdminQueriesFunction(ctx(), { authResourceName: 'my-auth' }), (e: unknown) => isUserError(e));
  });

  void it('deploys a template Amplify wrote without Code (its admin-queries function template) from the deployment bucket, leaving the file as it is', async () => {
    const name = await plugin.addAdminQueriesFunction(ctx(), { authResourceName: 'myauth', group: 'Admin' });
    const file = join(root, 'amplify/backend/function', name, `${name}-cloudformation-template.json`);
    const amplifyWritten = templateOf(name);
    delete amplifyWritten.Resources.LambdaFunction.Properties.Code;
    delete amplifyWritten.Parameters.deploymentBucketName;
    delete amplifyWritten.Parameters.s3Key;
    writeFileSync(file, JSON.stringify(amplifyWritten, null, 4));
    const ref: ResourceRef = { category: 'function', resourceName: name, service: 'Lambda', dir: join(root, 'amplify/backend/function', name) };
    const built = await categoryPlugin.build!(createFakePluginContext(root, { plugin: 'function', command: 'push' }).ctx, ref);
    assert.deepEqual(built.template.Resources['LambdaFunction']!.Properties!['Code'], { S3Bucket: { Ref: 'deploymentBucketName' }, S3Key: { Ref: 's3Key' } });
    assert.deepEqual(built.template.Parameters!['s3Key'], { Type: 'String' });
    assert.equal(built.parameters!['s3Key'], built.assets![0]!.key);
    assert.equal(readJson(file).Resources.LambdaFunction.Properties.Code, undefined, 'the file on disk is unchanged');
  });
});
