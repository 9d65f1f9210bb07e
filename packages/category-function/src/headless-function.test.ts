import assert from 'node:assert/strict';
import { mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, beforeEach, describe, it } from 'node:test';
import { isUserError, type CategoryPlugin } from '@forte/protocol';
import { createFakePluginContext } from '@forte/testing';
import * as plugin from './index.js';

const categoryPlugin: CategoryPlugin = plugin;
const readJson = (path: string): any => JSON.parse(readFileSync(path, 'utf8'));

void describe('forte add|update function --headless', () => {
  let root: string;
  const fnDir = (name: string): string => join(root, 'amplify/backend/function', name);
  const headless = async (command: string, payload: unknown): Promise<void> => {
    const { ctx } = createFakePluginContext(root, { plugin: 'function', command, headless: true });
    await categoryPlugin.executeHeadlessCommand!(ctx, payload);
  };

  beforeEach(() => {
    root = mkdtempSync(join(tmpdir(), 'forte-fn-headless-'));
    mkdirSync(join(root, 'amplify/backend'), { recursive: true });
    writeFileSync(join(root, 'amplify/backend/backend-config.json'), JSON.stringify({ auth: { pool: { service: 'Cognito' } } }));
  });
  afterEach(() => {
    rmSync(root, { recursive: true, force: true });
  });

  void it('adds a function with permissions, schedule, env vars, a layer and a package manager, then updates it', async () => {
    await headless('add', { capability: 'layer', name: 'shared' });
    await headless('add', {
      name: 'nightly',
      runtime: 'nodejs',
      template: 'hello-world',
      permissions: { auth: { pool: ['read'] } },
      schedule: 'cron(0 3 * * ? *)',
      environmentVariables: { STAGE: 'beta' },
      layers: [{ projectLayer: 'shared' }, { arn: 'arn:aws:lambda:us-east-1:123456789012:layer:x:1' }],
      packageManager: 'pnpm',
    });
    const t = readJson(join(fnDir('nightly'), 'nightly-cloudformation-template.json'));
    assert.deepEqual(t.Resources.LambdaFunction.Properties.Environment.Variables.AUTH_POOL_USERPOOLID, { Ref: 'authpoolUserPoolId' });
    assert.deepEqual(t.Resources.LambdaFunction.Properties.Layers, [{ Ref: 'functionsharedArn' }, 'arn:aws:lambda:us-east-1:123456789012:layer:x:1']);
    assert.deepEqual(readJson(join(fnDir('nightly'), 'parameters.json')), { CloudWatchRule: 'cron(0 3 * * ? *)' });
    assert.equal(readJson(join(fnDir('nightly'), 'amplify.state')).scripts.build, 'pnpm install');
    assert.deepEqual(readJson(join(root, 'amplify/team-provider-info.json')).dev.categories.function.nightly, { stage: 'beta' });

    await headless('update', { name: 'nightly', schedule: 'NONE', environmentVariables: { LIMIT: '3' }, permissions: {} });
    const u = readJson(join(fnDir('nightly'), 'nightly-cloudformation-template.json'));
    assert.equal(u.Resources.CloudWatchEvent, undefined);
    assert.equal(u.Resources.AmplifyResourcesPolicy, undefined);
    assert.deepEqual(Object.keys(u.Resources.LambdaFunction.Properties.Environment.Variables).sort(), ['ENV', 'LIMIT', 'REGION', 'STAGE']);
    assert.deepEqual(u.Resources.LambdaFunction.Properties.Layers[0], { Ref: 'functionsharedArn' }, 'what the request leaves out stays');
  });

  void it('the CRUD and trigger templates take their data source from the request', async () => {
    writeFileSync(
      join(root, 'amplify/backend/backend-config.json'),
      JSON.stringify({ api: { blog: { service: 'AppSync' } }, storage: { notes: { service: 'DynamoDB' } } }),
    );
    mkdirSync(join(root, 'amplify/backend/api/blog'), { recursive: true });
    writeFileSync(join(root, 'amplify/backend/api/blog/schema.graphql'), 'type Post @model { id: ID! }\ntype Comment @model { id: ID! }\n');
    await headless('add', { name: 'notesapi', template: 'crud', crudTable: 'notes' });
    assert.deepEqual(readJson(join(root, 'amplify/backend/backend-config.json')).function.notesapi.dependsOn, [
      { category: 'storage', resourceName: 'notes', attributes: ['Name', 'Arn'] },
    ]);
    await headless('add', { name: 'onpost', template: 'trigger', trigger: { type: 'dynamodb-model', models: ['Post'] } });
    const t = readJson(join(fnDir('onpost'), 'onpost-cloudformation-template.json'));
    assert.deepEqual(t.Resources.LambdaEventSourceMappingPost.Properties.EventSourceArn, {
      'Fn::ImportValue': { 'Fn::Sub': '${apiblogGraphQLAPIIdOutput}:GetAtt:PostTable:StreamArn' },
    });
    await assert.rejects(
      headless('add', { name: 'x', template: 'trigger', trigger: { type: 'dynamodb-model', models: ['Nope'] } }),
      /trigger\.models: Nope is not an @model type/,
    );
    await assert.rejects(
      headless('add', { name: 'y', template: 'crud', crudTable: 'other' }),
      /crudTable must name a storage DynamoDB table of the project; other is not one/,
    );
    await assert.rejects(headless('add', { name: 'z', template: 'trigger' }), /needs a "trigger" event source/);
    await assert.rejects(
      headless('add', { name: 'w', template: 'trigger', trigger: { type: 'kinesis-arn', arn: 'arn:aws:sqs:us-east-1:123456789012:q' } }),
      /trigger\.arn: a Kinesis stream ARN/,
    );
    await assert.rejects(
      headless('add', { name: 'v', template: 'trigger', trigger: { type: 'kinesis-analytics', resourceName: 'clicks' } }),
      /No Kinesis streams resource/,
    );
  });

  const invalid: [string, Record<string, unknown>, RegExp][] = [
    ['name', { name: 'my-fn' }, /name: function names use letters and digits only/],
    ['runtime', { name: 'a', runtime: 'python3.12' }, /runtime: Forte runs Node\.js functions only/],
    ['template', { name: 'a', template: 'lambda-auth' }, /template: Invalid option/],
    ['permissions category', { name: 'a', permissions: { analytics: { k: ['read'] } } }, /permissions/],
    ['permissions operation', { name: 'a', permissions: { auth: { pool: ['write'] } } }, /permissions\.auth\.pool\.0/],
    ['permissions resource', { name: 'a', permissions: { storage: { nothere: ['read'] } } }, /storage nothere/],
    ['schedule', { name: 'a', schedule: 'cron(0 12 * * * *)' }, /schedule: Exactly one of day-of-month/],
    ['environment variable name', { name: 'a', environmentVariables: { 'BAD-KEY': 'x' } }, /environmentVariables\.BAD-KEY/],
    ['environment variable value', { name: 'a', environmentVariables: { K: 3 } }, /environmentVariables\.K/],
    ['secret name', { name: 'a', secrets: { 'no spaces': 'x' } }, /secrets\.no spaces/],
    ['secret value', { name: 'a', secrets: { TOKEN: '' } }, /secrets\.TOKEN: a secret needs a value/],
    ['layer', { name: 'a', layers: [{ arn: 'arn:aws:s3:::bucket' }] }, /layers\.0/],
    ['package manager', { name: 'a', packageManager: 'bun' }, /packageManager/],
    ['unknown field', { name: 'a', handler: 'main.run' }, /Unrecognized key.*handler/],
  ];
  for (const [what, payload, pattern] of invalid) {
    void it(`refuses an invalid ${what}, naming the field, and writes nothing`, async () => {
      await assert.rejects(headless('add', payload), (e: unknown) => {
        assert.ok(isUserError(e), String(e));
        assert.match(e.message, pattern);
        return true;
      });
      assert.deepEqual(readJson(join(root, 'amplify/backend/backend-config.json')), { auth: { pool: { service: 'Cognito' } } });
    });
  }

  void it('refuses an update of a template whose LambdaFunction was renamed, naming the file', async () => {
    await headless('add', { name: 'renamed' });
    const file = join(fnDir('renamed'), 'renamed-cloudformation-template.json');
    const t = readJson(file);
    t.Resources.MyFunction = t.Resources.LambdaFunction;
    delete t.Resources.LambdaFunction;
    writeFileSync(file, JSON.stringify(t));
    await assert.rejects(
      headless('update', { name: 'renamed', schedule: 'rate(1 hour)' }),
      /renamed-cloudformation-template\.json has no LambdaFunction resource/,
    );
  });

  void it('refuses an update of a function that does not exist', async () => {
    await assert.rejects(headless('update', { name: 'ghost' }), /no function ghost/);
  });
});
