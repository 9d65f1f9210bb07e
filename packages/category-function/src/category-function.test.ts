import assert from 'node:assert/strict';
import { existsSync, mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, beforeEach, describe, it } from 'node:test';
import { isUserError, type CategoryPlugin } from '@forte/protocol';
import { createFakePluginContext } from '@forte/testing';
import * as plugin from './index.js';
import { validateScheduleExpression } from './schedule-expression.js';

const categoryPlugin: CategoryPlugin = plugin;
const readJson = (path: string): any => JSON.parse(readFileSync(path, 'utf8'));
type Answers = Record<string, string | boolean | (string | boolean)[]>;

const HELLO: Answers = { 'Select which capability': 'function', 'Choose the function template': 'hello-world', 'configure advanced settings': false };
const ADVANCED: Answers = { ...HELLO, 'configure advanced settings': true, 'package manager': 'npm' };

async function rejectsWithUserError(run: () => Promise<unknown>, pattern: RegExp): Promise<void> {
  await assert.rejects(run, (error: unknown) => {
    assert.ok(isUserError(error), `a UserError, not ${String(error)}`);
    assert.match(`${error.message} ${error.resolution}`, pattern);
    return true;
  });
}

void describe('category-function', () => {
  let root: string;
  const fnDir = (name: string): string => join(root, 'amplify/backend/function', name);
  const template = (name: string): any => readJson(join(fnDir(name), `${name}-cloudformation-template.json`));
  const backend = (): any => readJson(join(root, 'amplify/backend/backend-config.json'));
  const run = async (command: string, answers: Answers, subCommands: string[] = []) => {
    const fake = createFakePluginContext(root, { plugin: 'function', command, answers });
    fake.ctx.input.subCommands = subCommands;
    await categoryPlugin.executeCommand(fake.ctx);
    return fake;
  };
  const withBackend = (config: Record<string, unknown>): void => {
    mkdirSync(join(root, 'amplify/backend'), { recursive: true });
    writeFileSync(join(root, 'amplify/backend/backend-config.json'), JSON.stringify(config));
  };

  beforeEach(() => {
    root = mkdtempSync(join(tmpdir(), 'forte-fn-cat-'));
  });
  afterEach(() => {
    rmSync(root, { recursive: true, force: true });
  });

  void it('ships a manifest named function owning Lambda and LambdaLayer, with its commands', () => {
    const manifest = readJson(new URL('../forte-plugin.json', import.meta.url).pathname);
    assert.equal(manifest.name, 'function');
    assert.deepEqual(manifest.services, ['Lambda', 'LambdaLayer']);
    for (const c of ['add', 'update', 'remove', 'build', 'invoke', 'mock', 'logs']) assert.ok(manifest.commands.includes(c), c);
  });

  void it('names a new function after the project with eight hex digits, and refuses names Amplify refuses', async () => {
    await run('add', HELLO);
    const [name] = Object.keys(backend().function);
    assert.match(name!, /^myapp[0-9a-f]{8}$/);
    assert.equal(template(name!).Resources.LambdaFunction.Properties.Runtime, 'nodejs22.x');
    await assert.rejects(run('add', { ...HELLO, 'function name': 'my-fn' }), /a-z A-Z 0-9/);
  });

  void it('says Forte runs Node.js only when another runtime is chosen', async () => {
    await rejectsWithUserError(() => run('add', { ...HELLO, 'function name': 'py', 'Choose the runtime': 'Python' }), /Node\.js functions only/);
    assert.ok(!existsSync(fnDir('py')));
  });

  void it('Serverless ExpressJS: app.js with the routes, express in package.json, app.js as the editor file', async () => {
    await run('add', { ...HELLO, 'function name': 'api', 'Choose the function template': 'serverless' });
    assert.match(readFileSync(join(fnDir('api'), 'src/app.js'), 'utf8'), /app\.get\('\/item'/);
    assert.match(readFileSync(join(fnDir('api'), 'src/index.js'), 'utf8'), /aws-serverless-express/);
    assert.ok(readJson(join(fnDir('api'), 'src/package.json')).dependencies.express);
    assert.equal(readJson(join(fnDir('api'), 'amplify.state')).defaultEditorFile, 'src/app.js');
  });

  void it("addLambdaAuthorizerFunction (for the api category): Amplify's lambda-auth function without questions, which AppSync may invoke", async () => {
    const fake = createFakePluginContext(root, { plugin: 'function', command: 'add', answers: {} });
    const name = await plugin.addLambdaAuthorizerFunction(fake.ctx);
    assert.match(name, /^graphQlLambdaAuthorizer[0-9a-f]{8}$/);
    assert.deepEqual(fake.asked, [], 'no function questions');
    assert.equal(backend().function[name].service, 'Lambda');
    assert.deepEqual(template(name).Resources.PermissionForAppSyncToInvokeLambda, {
      Type: 'AWS::Lambda::Permission',
      Properties: { FunctionName: { Ref: 'LambdaFunction' }, Action: 'lambda:InvokeFunction', Principal: 'appsync.amazonaws.com' },
    });
    // The handler answers AppSync's authorizer contract: allowed for the template's token only.
    const handlerFile = join(fnDir(name), 'src/index.js');
    const { handler } = (await import(handlerFile)) as { handler: (event: unknown) => Promise<any> };
    const event = readJson(join(fnDir(name), 'src/event.json'));
    const allowed = await handler(event);
    assert.equal(allowed.isAuthorized, true);
    assert.equal(typeof allowed.ttlOverride, 'number');
    assert.ok(Array.isArray(allowed.deniedFields));
    assert.equal((await handler({ ...event, authorizationToken: 'other' })).isAuthorized, false);

    // An existing function chosen as the authorizer gets the permission once; a name that is no function is refused.
    await run('add', HELLO);
    const other = Object.keys(backend().function).find((n) => n !== name)!;
    plugin.addAppSyncInvokeMethodPermission(fake.ctx, other);
    plugin.addAppSyncInvokeMethodPermission(fake.ctx, other);
    assert.equal(template(other).Resources.PermissionForAppSyncToInvokeLambda.Properties.Principal, 'appsync.amazonaws.com');
    assert.throws(
      () => plugin.addAppSyncInvokeMethodPermission(fake.ctx, 'nosuch'),
      (e: unknown) => isUserError(e) && /nosuch/.test(e.message),
    );
  });

  void it('addFunctionResource (for the api category): the function questions without the capability one, the API path routed, the name returned', async () => {
    const fake = createFakePluginContext(root, {
      plugin: 'api',
      command: 'add',
      answers: { ...HELLO, 'function name': 'orders', 'Choose the function template': 'serverless' },
    });
    const name = await plugin.addFunctionResource(fake.ctx, { path: '/orders/{id}' });
    assert.equal(name, 'orders');
    assert.ok(!fake.asked.some((q) => q.startsWith('Select which capability')));
    assert.ok(fake.asked.includes('Provide an AWS Lambda function name:'));
    const app = readFileSync(join(fnDir('orders'), 'src/app.js'), 'utf8');
    for (const verb of ['get', 'post', 'put', 'delete']) {
      assert.match(app, new RegExp(`app\\.${verb}\\('/orders/:id', `));
      assert.match(app, new RegExp(`app\\.${verb}\\('/orders/:id/\\*', `));
    }
    assert.equal(backend().function.orders.service, 'Lambda');
    // The headless form: an add function request, checked as `forte add function --headless` checks it.
    const headless = createFakePluginContext(root, { plugin: 'api', command: 'add', headless: true });
    assert.equal(await plugin.addFunctionResource(headless.ctx, { path: '/beer', request: { name: 'beerLambda', template: 'serverless' } }), 'beerLambda');
    assert.match(readFileSync(join(fnDir('beerLambda'), 'src/app.js'), 'utf8'), /app\.get\('\/beer\/\*'/);
    await rejectsWithUserError(() => plugin.addFunctionResource(headless.ctx, { request: { capability: 'layer', name: 'l' } }), /not a layer/);
    await rejectsWithUserError(() => plugin.addFunctionResource(headless.ctx, { request: { template: 'nope' } }), /template/);
  });

  void it('CRUD: refuses clearly without a storage table, and with one depends on it and gets its table policy', async () => {
    await rejectsWithUserError(
      () => run('add', { ...HELLO, 'function name': 'crud', 'Choose the function template': 'crud' }),
      /Add one with `forte add storage` \(NoSQL Database\)/,
    );
    assert.ok(!existsSync(fnDir('crud')));
    withBackend({ storage: { notes: { service: 'DynamoDB', providerPlugin: 'awscloudformation' } } });
    mkdirSync(join(root, 'amplify/backend/storage/notes'), { recursive: true });
    writeFileSync(
      join(root, 'amplify/backend/storage/notes/cli-inputs.json'),
      JSON.stringify({ tableName: 'notes', partitionKey: { fieldName: 'pk' }, sortKey: { fieldName: 'sk' } }),
    );
    await run('add', {
      ...HELLO,
      'function name': 'crud',
      'Choose the function template': 'crud',
      'DynamoDB data source': 'currentProject',
      'already configured DynamoDB tables': 'notes',
    });
    const t = template('crud');
    assert.deepEqual(t.Parameters.storagenotesArn, { Type: 'String', Default: 'storagenotesArn' });
    assert.deepEqual(t.Resources.lambdaexecutionpolicy.Properties.PolicyDocument.Statement[1].Resource[0], { Ref: 'storagenotesArn' });
    assert.deepEqual(backend().function.crud.dependsOn, [{ category: 'storage', resourceName: 'notes', attributes: ['Name', 'Arn'] }]);
    const app = readFileSync(join(fnDir('crud'), 'src/app.js'), 'utf8');
    assert.match(app, /const tableName = 'notes'/);
    assert.match(app, /const sortKeyName = 'sk'/);
  });

  void it("createTriggerFunction (for the storage walkthrough): the Lambda trigger template's DynamoDB handler, no event source of its own", async () => {
    const fake = createFakePluginContext(root, { plugin: 'function' });
    assert.equal(await plugin.createTriggerFunction(fake.ctx, { name: 'notesTrigger0a1b2c3d' }), 'notesTrigger0a1b2c3d');
    assert.match(readFileSync(join(fnDir('notesTrigger0a1b2c3d'), 'src/index.js'), 'utf8'), /DynamoDB Record: %j/);
    const t = template('notesTrigger0a1b2c3d');
    assert.match(JSON.stringify(t.Resources.LambdaFunction.Properties.FunctionName), /"notesTrigger0a1b2c3d"/);
    assert.equal(t.Resources.LambdaEventSourceMapping, undefined, 'the storage category wires the stream');
    assert.deepEqual(backend().function.notesTrigger0a1b2c3d, { build: true, providerPlugin: 'awscloudformation', service: 'Lambda' });
    await rejectsWithUserError(() => plugin.createTriggerFunction(fake.ctx, { name: 'bad-name' }), /bad-name is not a function name/);
    await rejectsWithUserError(() => plugin.createTriggerFunction(fake.ctx, { name: 'notesTrigger0a1b2c3d' }), /already exists/);
  });

  void it('CRUD: "Create a new DynamoDB table" runs the storage category\'s NoSQL walkthrough (invokePluginMethod) and uses its table', async () => {
    const fake = createFakePluginContext(root, {
      plugin: 'function',
      command: 'add',
      answers: { ...HELLO, 'function name': 'beerfn', 'Choose the function template': 'crud', 'DynamoDB data source': 'newResource' },
    });
    const calls: unknown[] = [];
    fake.ctx.invokePluginMethod = async <T>(category: string, method: string): Promise<T> => {
      calls.push([category, method]);
      withBackend({ storage: { beer: { service: 'DynamoDB', providerPlugin: 'awscloudformation' } } });
      mkdirSync(join(root, 'amplify/backend/storage/beer'), { recursive: true });
      writeFileSync(join(root, 'amplify/backend/storage/beer/cli-inputs.json'), JSON.stringify({ tableName: 'beer', partitionKey: { fieldName: 'id' } }));
      return 'beer' as T;
    };
    await categoryPlugin.executeCommand(fake.ctx);
    assert.deepEqual(calls, [['storage', 'addNoSqlTable']]);
    assert.ok(fake.printed.includes('Successfully added DynamoDb table locally'));
    assert.deepEqual(backend().function.beerfn.dependsOn, [{ category: 'storage', resourceName: 'beer', attributes: ['Name', 'Arn'] }]);
    assert.match(readFileSync(join(fnDir('beerfn'), 'src/app.js'), 'utf8'), /const tableName = 'beer'/);
  });

  void it('Lambda trigger: a Kinesis stream ARN, the analytics Kinesis stream, or a storage table stream by its StreamArn', async () => {
    const kinesisArn = 'arn:aws:kinesis:us-east-1:123456789012:stream/clicks';
    const kinesis = { ...HELLO, 'Choose the function template': 'trigger', 'What event source': 'kinesis', 'Kinesis event source option': 'arn' };
    await assert.rejects(
      run('add', { ...kinesis, 'function name': 'k', 'ARN of Amazon Kinesis data stream': 'arn:aws:sqs:us-east-1:123456789012:q' }),
      /Enter a kinesis stream ARN/,
    );
    await run('add', { ...kinesis, 'function name': 'kin', 'ARN of Amazon Kinesis data stream': kinesisArn });
    const k = template('kin');
    assert.ok(k.Resources.LambdaTriggerPolicy.Properties.PolicyDocument.Statement[0].Action.includes('kinesis:GetRecords'));
    assert.equal(k.Resources.LambdaEventSourceMapping.Properties.StartingPosition, 'LATEST');
    assert.match(readFileSync(join(fnDir('kin'), 'src/index.js'), 'utf8'), /kinesis\.data/);
    assert.equal(k.Resources.LambdaEventSourceMapping.Properties.EventSourceArn, kinesisArn);

    // The project's analytics stream (Amplify: "Use Analytics category kinesis stream in the current Amplify project").
    const analytics = { ...kinesis, 'Kinesis event source option': 'analytics' };
    await rejectsWithUserError(() => run('add', { ...analytics, 'function name': 'none' }), /No Kinesis streams resource to select/);
    withBackend({ analytics: { clicks: { service: 'Kinesis', providerPlugin: 'awscloudformation' } } });
    await run('add', { ...analytics, 'function name': 'clicker' });
    const c = template('clicker');
    assert.deepEqual(c.Parameters.analyticsclickskinesisStreamArn, { Type: 'String', Default: 'analyticsclickskinesisStreamArn' });
    assert.deepEqual(c.Resources.LambdaEventSourceMapping.Properties.EventSourceArn, { Ref: 'analyticsclickskinesisStreamArn' });
    assert.deepEqual(c.Resources.LambdaTriggerPolicy.Properties.PolicyDocument.Statement[0].Resource, { Ref: 'analyticsclickskinesisStreamArn' });
    assert.deepEqual(backend().function.clicker.dependsOn, [{ category: 'analytics', resourceName: 'clicks', attributes: ['kinesisStreamArn'] }]);
    assert.match(readFileSync(join(fnDir('clicker'), 'src/index.js'), 'utf8'), /kinesis\.data/);
    withBackend({ analytics: { clicks: { service: 'Kinesis' }, views: { service: 'Kinesis' }, pins: { service: 'Pinpoint' } } });
    await run('add', { ...analytics, 'function name': 'viewer', 'Select an Analytics resource Kinesis stream': 'views' });
    assert.deepEqual(template('viewer').Resources.LambdaEventSourceMapping.Properties.EventSourceArn, { Ref: 'analyticsviewskinesisStreamArn' });

    withBackend({ storage: { notes: { service: 'DynamoDB' } } });
    await run('add', {
      ...HELLO,
      'function name': 'ddb',
      'Choose the function template': 'trigger',
      'What event source': 'dynamodb',
      'event source option': 'storage',
      'Choose a DynamoDB table': 'notes',
    });
    const d = template('ddb');
    assert.deepEqual(d.Resources.LambdaEventSourceMapping.Properties.EventSourceArn, { Ref: 'storagenotesStreamArn' });
    assert.deepEqual(backend().function.ddb.dependsOn, [{ category: 'storage', resourceName: 'notes', attributes: ['StreamArn'] }]);
  });

  void it('recurring schedule: parameters.json CloudWatchRule, the rule and its invoke permission; bad cron is refused', async () => {
    await run('add', { ...ADVANCED, 'function name': 'daily', 'recurring schedule': true, 'At which interval': 'Daily', 'start time': '07:30' });
    assert.deepEqual(readJson(join(fnDir('daily'), 'parameters.json')), { CloudWatchRule: 'cron(30 7 * * ? *)' });
    const t = template('daily');
    assert.deepEqual(t.Resources.CloudWatchEvent.Properties.ScheduleExpression, { Ref: 'CloudWatchRule' });
    assert.equal(t.Resources.PermissionForEventsToInvokeLambda.Properties.Principal, 'events.amazonaws.com');
    assert.deepEqual(t.Outputs.CloudWatchEventRule, { Value: { Ref: 'CloudWatchEvent' } });
    await run('add', { ...ADVANCED, 'function name': 'often', 'recurring schedule': true, 'At which interval': 'Minutes', 'Enter rate': '5' });
    assert.equal(readJson(join(fnDir('often'), 'parameters.json')).CloudWatchRule, 'rate(5 minutes)');
    await assert.rejects(
      run('add', {
        ...ADVANCED,
        'function name': 'bad',
        'recurring schedule': true,
        'At which interval': 'Custom AWS cron expression',
        'Custom cron': '0 12 * * * *',
      }),
      /day-of-month/,
    );
  });

  void it('validates schedule expressions as EventBridge does', () => {
    for (const ok of ['rate(1 minute)', 'rate(5 minutes)', 'rate(2 hours)', 'cron(0 12 * * ? *)', 'cron(0/15 8-17 ? * MON-FRI *)'])
      assert.equal(validateScheduleExpression(ok), true, ok);
    for (const bad of [
      'rate(1 minutes)',
      'rate(5 minute)',
      'rate(0 minutes)',
      'cron(0 12 * * *)',
      'cron(0 12 * * * *)',
      'cron(61 12 * * ? *)',
      'every day',
      'cron(0 25 ? * * *)',
    ])
      assert.notEqual(validateScheduleExpression(bad), true, bad);
  });

  void it('environment variables: parameter, env var, team-provider-info value and backend-config parameter; package manager choices', async () => {
    await run('add', {
      ...ADVANCED,
      'function name': 'withenv',
      'environment variables for this function': true,
      'environment variable name': ['API_URL', 'maxItems'],
      'environment variable value': ['https://example.com', '10'],
      'with environment variables': ['add', 'done'],
      'package manager': 'yarn',
    });
    const t = template('withenv');
    assert.deepEqual(t.Parameters.apiUrl, { Type: 'String' });
    assert.deepEqual(t.Resources.LambdaFunction.Properties.Environment.Variables.maxItems, { Ref: 'maxItems' });
    assert.deepEqual(readJson(join(root, 'amplify/team-provider-info.json')).dev.categories.function.withenv, {
      apiUrl: 'https://example.com',
      maxItems: '10',
    });
    assert.ok(backend().parameters.AMPLIFY_function_withenv_apiUrl);
    assert.deepEqual(readJson(join(fnDir('withenv'), 'function-parameters.json')).environmentVariableList, [
      { cloudFormationParameterName: 'apiUrl', environmentVariableName: 'API_URL' },
      { cloudFormationParameterName: 'maxItems', environmentVariableName: 'maxItems' },
    ]);
    assert.equal(readJson(join(fnDir('withenv'), 'amplify.state')).scripts.build, 'yarn --no-bin-links --production');
    await run(
      'update',
      {
        'Which setting': 'Environment variables configuration',
        'environment variables for this function': true,
        'with environment variables': ['update', 'remove', 'done'],
        'variable do you want to update': 'maxItems',
        'environment variable value': '20',
        'variable do you want to remove': 'API_URL',
      },
      ['withenv'],
    );
    const u = template('withenv');
    assert.equal(u.Parameters.apiUrl, undefined);
    assert.equal(u.Resources.LambdaFunction.Properties.Environment.Variables.API_URL, undefined);
    assert.deepEqual(readJson(join(root, 'amplify/team-provider-info.json')).dev.categories.function.withenv, { maxItems: '20' });
    assert.equal(backend().parameters.AMPLIFY_function_withenv_apiUrl, undefined);
    assert.equal(
      readJson(join(fnDir('withenv'), 'amplify.state')).scripts.build,
      'yarn --no-bin-links --production',
      'the package manager kept as the default',
    );
    await run('add', { ...ADVANCED, 'function name': 'custombuild', 'package manager': 'custom', 'build your function': 'make -C src' });
    assert.equal(readJson(join(fnDir('custombuild'), 'amplify.state')).scripts.build, 'make -C src');
  });

  void it('Lambda layers: the layer folder, a function using its latest version, and a pinned external ARN', async () => {
    await run('add', { 'Select which capability': 'layer', 'name for your Lambda layer': 'shared' });
    for (const f of ['lib/nodejs/package.json', 'opt', 'layer-configuration.json', 'parameters.json', 'shared-awscloudformation-template.json'])
      assert.ok(existsSync(join(fnDir('shared'), f)), f);
    assert.deepEqual(readJson(join(fnDir('shared'), 'parameters.json')), { runtimes: ['nodejs22.x'], description: '' });
    assert.equal(backend().function.shared.service, 'LambdaLayer');
    const external = 'arn:aws:lambda:us-east-1:123456789012:layer:tools:3';
    await run('add', {
      ...ADVANCED,
      'function name': 'layered',
      'enable Lambda layers': true,
      'select layers in this project': 'shared',
      'Layer ARNs': external,
    });
    const t = template('layered');
    assert.deepEqual(t.Resources.LambdaFunction.Properties.Layers, [{ Ref: 'functionsharedArn' }, external]);
    assert.deepEqual(t.Parameters.functionsharedArn, { Type: 'String', Default: 'functionsharedArn' });
    assert.deepEqual(backend().function.layered.dependsOn, [{ category: 'function', resourceName: 'shared', attributes: ['Arn'] }]);
    assert.equal(readJson(join(fnDir('layered'), 'function-parameters.json')).lambdaLayers[0].resourceName, 'shared');
    const remove = createFakePluginContext(root, { plugin: 'function', command: 'remove', yes: true });
    remove.ctx.input.subCommands = ['shared'];
    await rejectsWithUserError(() => categoryPlugin.executeCommand(remove.ctx), /shared cannot be removed: function layered depends on it/);
  });

  void it('access to an @model table (listed under storage): the table name and ARN by import of the API stack export', async () => {
    withBackend({
      api: { fitnesstracker: { service: 'AppSync', output: { authConfig: { defaultAuthentication: { authenticationType: 'AMAZON_COGNITO_USER_POOLS' } } } } },
    });
    mkdirSync(join(root, 'amplify/backend/api/fitnesstracker'), { recursive: true });
    writeFileSync(
      join(root, 'amplify/backend/api/fitnesstracker/schema.graphql'),
      'type Meal @model @auth(rules: [{ allow: owner }]) { id: ID! name: String }\n# type Old @model\n',
    );
    await run('add', {
      ...ADVANCED,
      'function name': 'lognutrition',
      'access other resources': true,
      'Select the categories': 'storage',
      'permit on Meal:@model(appsync)': 'create, read, update, delete',
    });
    const t = template('lognutrition');
    const tableName = { 'Fn::ImportValue': { 'Fn::Sub': '${apifitnesstrackerGraphQLAPIIdOutput}:GetAtt:MealTable:Name' } };
    const tableArn = ['arn:aws:dynamodb:', { Ref: 'AWS::Region' }, ':', { Ref: 'AWS::AccountId' }, ':table/', tableName];
    // The real lognutrition function of Amplify's fitness-tracker project has exactly these variables.
    assert.deepEqual(t.Resources.LambdaFunction.Properties.Environment.Variables, {
      ENV: { Ref: 'env' },
      REGION: { Ref: 'AWS::Region' },
      API_FITNESSTRACKER_MEALTABLE_NAME: tableName,
      API_FITNESSTRACKER_MEALTABLE_ARN: { 'Fn::Join': ['', tableArn] },
      API_FITNESSTRACKER_GRAPHQLAPIIDOUTPUT: { Ref: 'apifitnesstrackerGraphQLAPIIdOutput' },
    });
    assert.deepEqual(t.Resources.AmplifyResourcesPolicy.Properties.PolicyDocument.Statement[0].Resource, [
      { 'Fn::Join': ['', tableArn] },
      { 'Fn::Join': ['', [...tableArn, '/index/*']] },
    ]);
    assert.deepEqual(readJson(join(fnDir('lognutrition'), 'function-parameters.json')).permissions, {
      storage: { 'Meal:@model(appsync)': ['create', 'read', 'update', 'delete'] },
    });
    assert.deepEqual(backend().function.lognutrition.dependsOn, [{ category: 'api', resourceName: 'fitnesstracker', attributes: ['GraphQLAPIIdOutput'] }]);
  });

  void it('update: changes access and schedule in place, keeping hand edits elsewhere in the template', async () => {
    withBackend({ auth: { pool: { service: 'Cognito' } }, storage: { files: { service: 'S3' } } });
    await run('add', { ...ADVANCED, 'function name': 'worker', 'access other resources': true, 'Select the categories': 'auth', 'permit on pool': 'read' });
    assert.ok(template('worker').Resources.LambdaFunction.Properties.Environment.Variables.AUTH_POOL_USERPOOLID);
    const file = join(fnDir('worker'), 'worker-cloudformation-template.json');
    const edited = template('worker');
    edited.Resources.LambdaFunction.Properties.Environment.Variables.HAND = 'made';
    edited.Resources.LambdaFunction.Properties.Timeout = 60;
    edited.Resources.ExtraTopicPolicy = {
      Type: 'AWS::IAM::Policy',
      Properties: { PolicyName: 'extra', Roles: [{ Ref: 'LambdaExecutionRole' }], PolicyDocument: { Statement: [] } },
    };
    writeFileSync(file, JSON.stringify(edited, null, 2));
    await run(
      'update',
      {
        'Which setting': 'Resource access permissions, Scheduled recurring invocation',
        'access other resources': true,
        'Select the categories': 'storage',
        'permit on files': 'read',
        'recurring schedule': true,
        'At which interval': 'Hourly',
        'Enter rate': '1',
        'package manager': 'npm',
      },
      ['worker'],
    );
    const t = template('worker');
    const vars = t.Resources.LambdaFunction.Properties.Environment.Variables;
    assert.equal(vars.HAND, 'made');
    assert.equal(t.Resources.LambdaFunction.Properties.Timeout, 60);
    assert.ok(t.Resources.ExtraTopicPolicy);
    assert.equal(vars.AUTH_POOL_USERPOOLID, undefined, 'the access no longer given is gone');
    assert.equal(t.Parameters.authpoolUserPoolId, undefined);
    assert.deepEqual(vars.STORAGE_FILES_BUCKETNAME, { Ref: 'storagefilesBucketName' });
    assert.deepEqual(t.Resources.AmplifyResourcesPolicy.Properties.PolicyDocument.Statement[0], {
      Effect: 'Allow',
      Action: 's3:ListBucket',
      Resource: [{ 'Fn::Join': ['', ['arn:aws:s3:::', { Ref: 'storagefilesBucketName' }]] }],
    });
    assert.equal(readJson(join(fnDir('worker'), 'parameters.json')).CloudWatchRule, 'rate(1 hour)');
    assert.deepEqual(backend().function.worker.dependsOn, [{ category: 'storage', resourceName: 'files', attributes: ['BucketName'] }]);
    assert.deepEqual(readJson(join(fnDir('worker'), 'function-parameters.json')).permissions, { storage: { files: ['read'] } });
    await run(
      'update',
      { 'Which setting': 'Resource access permissions, Scheduled recurring invocation', 'access other resources': false, 'recurring schedule': false },
      ['worker'],
    );
    const cleared = template('worker');
    assert.equal(cleared.Resources.AmplifyResourcesPolicy, undefined);
    assert.equal(cleared.Resources.CloudWatchEvent, undefined);
    assert.equal(cleared.Resources.LambdaFunction.Properties.Environment.Variables.HAND, 'made');
    assert.equal(backend().function.worker.dependsOn, undefined);
  });

  void it('remove: refused while another resource depends on the function (naming it), then removes files and entries', async () => {
    await run('add', { ...HELLO, 'function name': 'target' });
    await run('add', {
      ...ADVANCED,
      'function name': 'caller',
      'access other resources': true,
      'Select the categories': 'function',
      'permit on target': 'read',
    });
    assert.deepEqual(template('caller').Resources.LambdaFunction.Properties.Environment.Variables.FUNCTION_TARGET_NAME, { Ref: 'functiontargetName' });
    const yes = createFakePluginContext(root, { plugin: 'function', command: 'remove', yes: true });
    yes.ctx.input.subCommands = ['target'];
    await rejectsWithUserError(() => categoryPlugin.executeCommand(yes.ctx), /target cannot be removed: function caller depends on it/);
    assert.ok(existsSync(fnDir('target')));
    const removeCaller = createFakePluginContext(root, { plugin: 'function', command: 'remove', yes: true });
    removeCaller.ctx.input.subCommands = ['caller'];
    await categoryPlugin.executeCommand(removeCaller.ctx);
    await categoryPlugin.executeCommand(yes.ctx);
    assert.ok(!existsSync(fnDir('target')));
    assert.equal(backend().function, undefined);
    assert.deepEqual(Object.keys(backend().parameters), []);
  });
});
