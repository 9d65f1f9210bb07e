import assert from 'node:assert/strict';
import { existsSync, mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, beforeEach, describe, it } from 'node:test';
import { isUserError, type CategoryPlugin, type PluginContext } from '@forte/protocol';
import { createFakePluginContext } from '@forte/testing';
import * as plugin from './index.js';

const categoryPlugin: CategoryPlugin = plugin;
const readJson = (path: string): any => JSON.parse(readFileSync(path, 'utf8'));
type Answers = Record<string, string | boolean | (string | boolean)[]>;

/** The real Gen 1 projects (../shared next to the repository); these tests fail where it is missing. */
const CORPUS_STORAGE = new URL('../../../../shared/corpus/gen1-projects/discussions-multi-ddb/_snapshot.pre.generate/amplify/backend/storage/', import.meta.url)
  .pathname;

/** The answers that made the corpus app's `activity` table (its README's walkthrough). */
const ACTIVITY: Answers = {
  'Select from one of the below mentioned services': 'DynamoDB',
  'Provide a friendly name': 'activity',
  'Provide table name': 'activity',
  'What would you like to name this column': ['id', 'userId', 'activityType', 'timestamp'],
  'Choose the data type': 'string',
  'Would you like to add another column?': [true, true, true, false],
  'Choose partition key for the table': 'id',
  'sort key to your table': true,
  'Choose sort key for the table': 'userId',
  'add global secondary indexes to your table': true,
  'Provide the GSI name': 'byUserId',
  'Choose partition key for the GSI': 'userId',
  'sort key to your global secondary index': true,
  'Choose sort key for the GSI': 'timestamp',
  'add more global secondary indexes': false,
  'Lambda Trigger for your Table': false,
};

async function rejectsWithUserError(run: () => Promise<unknown>, pattern: RegExp): Promise<void> {
  await assert.rejects(run, (error: unknown) => {
    assert.ok(isUserError(error), `a UserError, not ${String(error)}`);
    assert.match(`${error.message} ${error.resolution}`, pattern);
    return true;
  });
}

void describe('category-storage (NoSQL tables)', () => {
  let root: string;
  const backend = (): any => readJson(join(root, 'amplify/backend/backend-config.json'));
  const inputsText = (name: string): string => readFileSync(join(root, 'amplify/backend/storage', name, 'cli-inputs.json'), 'utf8');
  const fnTemplateFile = (fn: string): string => join(root, 'amplify/backend/function', fn, `${fn}-cloudformation-template.json`);
  const context = (command: string, answers: Answers, extra: { subCommands?: string[]; yes?: boolean } = {}) => {
    const fake = createFakePluginContext(root, { plugin: 'storage', command, answers, ...(extra.yes ? { yes: true } : {}) });
    fake.ctx.input.subCommands = extra.subCommands ?? [];
    return fake;
  };
  const run = async (command: string, answers: Answers, extra: { subCommands?: string[]; ctx?: (ctx: PluginContext) => void } = {}) => {
    const fake = context(command, answers, extra);
    extra.ctx?.(fake.ctx);
    await categoryPlugin.executeCommand(fake.ctx);
    return fake;
  };
  const headless = async (command: string, payload: unknown, ctx?: (ctx: PluginContext) => void) => {
    const fake = createFakePluginContext(root, { plugin: 'storage', command, yes: true, headless: true });
    ctx?.(fake.ctx);
    await categoryPlugin.executeHeadlessCommand!(fake.ctx, payload);
    return fake;
  };
  /** A function folder as the function category writes it (template and backend-config entry only). */
  const addFunction = (fn: string): void => {
    const config = existsSync(join(root, 'amplify/backend/backend-config.json')) ? backend() : {};
    config.function = { ...config.function, [fn]: { build: true, providerPlugin: 'awscloudformation', service: 'Lambda' } };
    mkdirSync(join(root, 'amplify/backend/function', fn), { recursive: true });
    writeFileSync(join(root, 'amplify/backend/backend-config.json'), JSON.stringify(config));
    writeFileSync(
      fnTemplateFile(fn),
      JSON.stringify({
        Parameters: { env: { Type: 'String' } },
        Resources: { LambdaFunction: { Type: 'AWS::Lambda::Function' }, LambdaExecutionRole: { Type: 'AWS::IAM::Role' } },
      }),
    );
  };
  /** `invokePluginMethod` as the CLI offers it, with the function category's createTriggerFunction standing in. */
  const functionCategory = (calls: unknown[][]) => (ctx: PluginContext) => {
    ctx.invokePluginMethod = async <T>(category: string, method: string, args: unknown[]): Promise<T> => {
      calls.push([category, method, args]);
      addFunction((args[0] as { name: string }).name);
      return (args[0] as { name: string }).name as T;
    };
  };

  beforeEach(() => {
    root = mkdtempSync(join(tmpdir(), 'forte-storage-cat-'));
  });
  afterEach(() => {
    rmSync(root, { recursive: true, force: true });
  });

  void it('ships a manifest named storage owning S3 and DynamoDB', () => {
    const manifest = readJson(new URL('../forte-plugin.json', import.meta.url).pathname);
    assert.equal(manifest.name, 'storage');
    assert.equal(manifest.type, 'category');
    assert.deepEqual(manifest.services, ['S3', 'DynamoDB']);
    for (const c of ['add', 'update', 'remove']) assert.ok(manifest.commands.includes(c), c);
  });

  void it("asks Amplify's questions in Amplify's order and writes the corpus app's cli-inputs.json byte for byte", async () => {
    const fake = await run('add', ACTIVITY);
    assert.ok(existsSync(CORPUS_STORAGE), `${CORPUS_STORAGE} is missing: this test reads the corpus in ../shared`);
    assert.equal(inputsText('activity'), readFileSync(join(CORPUS_STORAGE, 'activity/cli-inputs.json'), 'utf8'));
    assert.deepEqual(backend().storage.activity, { service: 'DynamoDB', providerPlugin: 'awscloudformation' });
    assert.deepEqual(readJson(join(root, 'amplify/backend/amplify-meta.json')).storage.activity, { service: 'DynamoDB', providerPlugin: 'awscloudformation' });
    const order = [
      'Select from one of the below mentioned services:',
      'Provide a friendly name',
      'Provide table name',
      ...['id', 'userId', 'activityType', 'timestamp'].flatMap(() => [
        'What would you like to name this column',
        'Choose the data type',
        'Would you like to add another column?',
      ]),
      'Choose partition key for the table',
      'Do you want to add a sort key to your table?',
      'Choose sort key for the table',
      'Do you want to add global secondary indexes to your table?',
      'Provide the GSI name',
      'Choose partition key for the GSI',
      'Do you want to add a sort key to your global secondary index?',
      'Choose sort key for the GSI',
      'Do you want to add more global secondary indexes to your table?',
      'Do you want to add a Lambda Trigger for your Table?',
    ];
    assert.deepEqual(fake.asked, order);
    assert.ok(fake.printed.includes('Welcome to the NoSQL DynamoDB database wizard'));

    // The second table: a GSI without a sort key.
    await run('add', {
      ...ACTIVITY,
      'Provide a friendly name': 'bookmarks',
      'Provide table name': 'bookmarks',
      'What would you like to name this column': ['userId', 'postId', 'createdAt'],
      'Would you like to add another column?': [true, true, false],
      'Choose partition key for the table': 'userId',
      'Choose sort key for the table': 'postId',
      'Provide the GSI name': 'byPost',
      'Choose partition key for the GSI': 'postId',
      'sort key to your global secondary index': false,
    });
    // The corpus file has a final newline (edited after Amplify wrote it): the same JSON, keys in the same order.
    assert.equal(inputsText('bookmarks'), JSON.stringify(readJson(join(CORPUS_STORAGE, 'bookmarks/cli-inputs.json')), null, 2));
  });

  void it("addNoSqlTable (for the function category's CRUD template): the NoSQL questions without the service question", async () => {
    const fake = context('add', ACTIVITY);
    assert.equal(await plugin.addNoSqlTable(fake.ctx), 'activity');
    assert.equal(fake.asked[0], 'Provide a friendly name');
    assert.deepEqual(JSON.parse(inputsText('activity')).partitionKey, { fieldName: 'id', fieldType: 'string' });
  });

  void it("builds Amplify's template (its own snapshot test's case) and build/parameters.json values", async () => {
    mkdirSync(join(root, 'amplify/backend/storage/mockResource'), { recursive: true });
    writeFileSync(
      join(root, 'amplify/backend/storage/mockResource/cli-inputs.json'),
      JSON.stringify({
        resourceName: 'mockResource',
        tableName: 'mocktablename',
        partitionKey: { fieldName: 'id', fieldType: 'string' },
        sortKey: { fieldName: 'name', fieldType: 'number' },
        gsi: [
          { name: 'gsiname', partitionKey: { fieldName: 'name', fieldType: 'number' } },
          { name: 'updategsiname', partitionKey: { fieldName: 'col', fieldType: 'string' } },
        ],
        triggerFunctions: [],
      }),
    );
    const fake = context('push', {});
    const built = await categoryPlugin.build!(fake.ctx, { category: 'storage', resourceName: 'mockResource', service: 'DynamoDB', dir: '' });
    const gsi = (name: string, attribute: string) => ({
      IndexName: name,
      KeySchema: [{ AttributeName: attribute, KeyType: 'HASH' }],
      Projection: { ProjectionType: 'ALL' },
      ProvisionedThroughput: { ReadCapacityUnits: 5, WriteCapacityUnits: 5 },
    });
    // amplify-cli packages/amplify-category-storage/src/__tests__/.../__snapshots__/ddb-stack-transform.test.ts.snap
    assert.deepEqual(built.template, {
      AWSTemplateFormatVersion: '2010-09-09',
      Conditions: { ShouldNotCreateEnvResources: { 'Fn::Equals': [{ Ref: 'env' }, 'NONE'] } },
      Description: 'DDB Resource for AWS Amplify CLI',
      Outputs: {
        Arn: { Value: { 'Fn::GetAtt': ['DynamoDBTable', 'Arn'] } },
        Name: { Value: { Ref: 'DynamoDBTable' } },
        PartitionKeyName: { Value: { Ref: 'partitionKeyName' } },
        PartitionKeyType: { Value: { Ref: 'partitionKeyType' } },
        Region: { Value: { Ref: 'AWS::Region' } },
        SortKeyName: { Value: { Ref: 'sortKeyName' } },
        SortKeyType: { Value: { Ref: 'sortKeyType' } },
        StreamArn: { Value: { 'Fn::GetAtt': ['DynamoDBTable', 'StreamArn'] } },
      },
      Parameters: {
        env: { Type: 'String' },
        partitionKeyName: { Type: 'String' },
        partitionKeyType: { Type: 'String' },
        sortKeyName: { Type: 'String' },
        sortKeyType: { Type: 'String' },
        tableName: { Type: 'String' },
      },
      Resources: {
        DynamoDBTable: {
          Properties: {
            AttributeDefinitions: [
              { AttributeName: 'id', AttributeType: 'S' },
              { AttributeName: 'name', AttributeType: 'N' },
              { AttributeName: 'col', AttributeType: 'S' },
            ],
            GlobalSecondaryIndexes: [gsi('gsiname', 'name'), gsi('updategsiname', 'col')],
            KeySchema: [
              { AttributeName: 'id', KeyType: 'HASH' },
              { AttributeName: 'name', KeyType: 'RANGE' },
            ],
            ProvisionedThroughput: { ReadCapacityUnits: 5, WriteCapacityUnits: 5 },
            StreamSpecification: { StreamViewType: 'NEW_IMAGE' },
            TableName: { 'Fn::If': ['ShouldNotCreateEnvResources', { Ref: 'tableName' }, { 'Fn::Join': ['', [{ Ref: 'tableName' }, '-', { Ref: 'env' }]] }] },
          },
          Type: 'AWS::DynamoDB::Table',
        },
      },
    });
    assert.deepEqual(built.parameters, { partitionKeyName: 'id', partitionKeyType: 'S', sortKeyName: 'name', sortKeyType: 'N', tableName: 'mocktablename' });

    // A hand-edited file that DynamoDB would refuse is refused at build, naming the file and the problem.
    writeFileSync(
      join(root, 'amplify/backend/storage/mockResource/cli-inputs.json'),
      JSON.stringify({ resourceName: 'mockResource', tableName: 'm', partitionKey: { fieldName: 'flag', fieldType: 'boolean' } }),
    );
    await rejectsWithUserError(
      () => categoryPlugin.build!(fake.ctx, { category: 'storage', resourceName: 'mockResource', service: 'DynamoDB', dir: '' }),
      /storage\/mockResource\/cli-inputs\.json is not a valid NoSQL table definition: partitionKey flag is a boolean: keys are string, number or binary/,
    );
    await rejectsWithUserError(
      () => categoryPlugin.build!(fake.ctx, { category: 'storage', resourceName: 'pics', service: 'S3', dir: '' }),
      /storage\/pics\/cli-inputs\.json is missing: storage pics has no bucket definition/,
    );
  });

  void it("an older project's table without cli-inputs.json deploys its own template as written (trailing commas as Amplify reads them)", async () => {
    const dir = join(root, 'amplify/backend/storage/old');
    mkdirSync(dir, { recursive: true });
    const legacy = `{ "Parameters": { "tableName": { "Type": "String" }, "env": { "Type": "String" }, },
      "Resources": { "DynamoDBTable": { "Type": "AWS::DynamoDB::Table", "Properties": { "TableName": { "Ref": "tableName" },
        "KeySchema": [{ "AttributeName": "id", "KeyType": "HASH" }], "AttributeDefinitions": [{ "AttributeName": "id", "AttributeType": "S" }],
        "ProvisionedThroughput": { "ReadCapacityUnits": "5", "WriteCapacityUnits": "5" }, } } } }`;
    writeFileSync(join(dir, 'old-cloudformation-template.json'), legacy);
    writeFileSync(join(dir, 'parameters.json'), JSON.stringify({ tableName: 'old', partitionKeyName: 'id', partitionKeyType: 'S' }));
    const fake = context('push', {});
    const built = await categoryPlugin.build!(fake.ctx, { category: 'storage', resourceName: 'old', service: 'DynamoDB', dir });
    assert.equal((built.template.Resources['DynamoDBTable'] as any).Properties.ProvisionedThroughput.ReadCapacityUnits, '5');
    assert.deepEqual(built.parameters, { tableName: 'old', partitionKeyName: 'id', partitionKeyType: 'S' });
    assert.equal(built.sourceFile, 'amplify/backend/storage/old/old-cloudformation-template.json');
    writeFileSync(
      join(root, 'amplify/backend/backend-config.json'),
      JSON.stringify({ storage: { old: { service: 'DynamoDB', providerPlugin: 'awscloudformation' } } }),
    );
    await rejectsWithUserError(
      () => run('update', { 'Select from one of the below mentioned services': 'DynamoDB', 'Do you want to migrate storage resource "old"?': false }),
      /storage old was not changed/,
    );
    assert.ok(existsSync(join(dir, 'old-cloudformation-template.json')), 'No keeps the old files');

    // Yes: Amplify's migration (DynamoDBInputState.migrate) writes cli-inputs.json in its key order and drops the old files.
    writeFileSync(join(dir, 'storage-params.json'), JSON.stringify({ triggerFunctions: [] }));
    const fake2 = await run('update', {
      'Select from one of the below mentioned services': 'DynamoDB',
      'Do you want to migrate storage resource "old"?': true,
      'Would you like to add another column?': false,
      'add global secondary indexes to your table': false,
    });
    assert.ok(fake2.printed.includes('storage old migrated to cli-inputs.json.'));
    assert.equal(
      inputsText('old'),
      JSON.stringify({ resourceName: 'old', tableName: 'old', partitionKey: { fieldName: 'id', fieldType: 'string' }, triggerFunctions: [], gsi: [] }, null, 2),
    );
    for (const file of ['old-cloudformation-template.json', 'parameters.json', 'storage-params.json']) assert.ok(!existsSync(join(dir, file)), file);
    assert.equal((await categoryPlugin.build!(fake.ctx, { category: 'storage', resourceName: 'old', service: 'DynamoDB', dir })).sourceFile, undefined);
  });

  void it('a table needs a key column; --yes alone does not guess columns', async () => {
    await rejectsWithUserError(
      () =>
        run('add', {
          ...ACTIVITY,
          'What would you like to name this column': 'tags',
          'Choose the data type': 'list',
          'Would you like to add another column?': false,
        }),
      /no column that can be its partition key/,
    );
    assert.ok(!existsSync(join(root, 'amplify/backend/storage/activity')));
    const fake = context('add', {}, { yes: true });
    await rejectsWithUserError(() => categoryPlugin.executeCommand(fake.ctx), /forte add storage --headless/);
  });

  void it('update adds columns and indexes, can drop the existing ones, never asks for the keys', async () => {
    await run('add', ACTIVITY);
    const fake = await run('update', {
      'Select from one of the below mentioned services': 'DynamoDB',
      'Specify the resource': 'activity',
      'Would you like to add another column?': [true, false],
      'What would you like to name this column': 'activityType',
      'Choose the data type': 'string',
      'keep existing global secondary indexes': true,
      'add global secondary indexes to your table': true,
      'Provide the GSI name': 'byType',
      'Choose partition key for the GSI': 'activityType',
      'sort key to your global secondary index': false,
      'add more global secondary indexes': false,
      'Lambda Trigger for your Table': false,
    });
    assert.ok(!fake.asked.some((q) => /partition key for the table|sort key to your table/.test(q)), 'keys cannot change (Amplify)');
    const inputs = JSON.parse(inputsText('activity'));
    assert.deepEqual(inputs.partitionKey, { fieldName: 'id', fieldType: 'string' });
    assert.deepEqual(
      inputs.gsi.map((g: any) => g.name),
      ['byUserId', 'byType'],
    );
    await assert.rejects(
      run('update', {
        'Select from one of the below mentioned services': 'DynamoDB',
        'Would you like to add another column?': false,
        'keep existing global secondary indexes': true,
        'add global secondary indexes to your table': true,
        'Provide the GSI name': 'byType',
      }),
      /already has an index named byType/,
    );
    await run('update', {
      'Select from one of the below mentioned services': 'DynamoDB',
      'Would you like to add another column?': false,
      'keep existing global secondary indexes': false,
      'add global secondary indexes to your table': false,
      'Lambda Trigger for your Table': false,
    });
    assert.deepEqual(JSON.parse(inputsText('activity')).gsi, []);
  });

  void it('a Lambda trigger: an existing function gets the policy, the event source mapping and the dependency; remove takes them out', async () => {
    addFunction('recorder');
    await run('add', {
      ...ACTIVITY,
      'Lambda Trigger for your Table': true,
      'Select from the following options': ['existing', 'recorder'],
    });
    assert.deepEqual(JSON.parse(inputsText('activity')).triggerFunctions, ['recorder']);
    const t = readJson(fnTemplateFile('recorder'));
    assert.deepEqual(t.Parameters.storageactivityStreamArn, { Type: 'String', Default: 'storageactivityStreamArn' });
    assert.deepEqual(t.Resources.activityTriggerPolicy.Properties.PolicyDocument.Statement[0], {
      Effect: 'Allow',
      Action: ['dynamodb:DescribeStream', 'dynamodb:GetRecords', 'dynamodb:GetShardIterator', 'dynamodb:ListStreams'],
      Resource: [{ Ref: 'storageactivityStreamArn' }],
    });
    assert.deepEqual(t.Resources.activityTrigger, {
      Type: 'AWS::Lambda::EventSourceMapping',
      DependsOn: ['activityTriggerPolicy'],
      Properties: {
        BatchSize: 100,
        Enabled: true,
        EventSourceArn: { Ref: 'storageactivityStreamArn' },
        FunctionName: { 'Fn::GetAtt': ['LambdaFunction', 'Arn'] },
        StartingPosition: 'LATEST',
      },
    });
    assert.deepEqual(backend().function.recorder.dependsOn, [{ category: 'storage', resourceName: 'activity', attributes: ['Name', 'Arn', 'StreamArn'] }]);
    await rejectsWithUserError(() => run('remove', {}, { subCommands: ['activity'] }), /activity cannot be removed: function recorder depends on it/);

    await run('update', {
      'Select from one of the below mentioned services': 'DynamoDB',
      'Would you like to add another column?': false,
      'keep existing global secondary indexes': true,
      'add global secondary indexes to your table': false,
      'Select from the following options': 'remove',
      'Select from the function you would like to remove': 'recorder',
    });
    assert.deepEqual(JSON.parse(inputsText('activity')).triggerFunctions, []);
    const after = readJson(fnTemplateFile('recorder'));
    assert.equal(after.Resources.activityTrigger, undefined);
    assert.equal(after.Resources.activityTriggerPolicy, undefined);
  });

  void it('a trigger that cannot be made is printed and the table is added without it, as in Amplify', async () => {
    const fake = await run('add', { ...ACTIVITY, 'Lambda Trigger for your Table': true, 'Select from the following options': 'existing' });
    assert.ok(fake.printed.some((p) => /No functions were found in the project/.test(p)));
    assert.deepEqual(JSON.parse(inputsText('activity')).triggerFunctions, []);
  });

  void it("a new trigger function comes from the function category's Lambda trigger template, named <table>Trigger<8 hex>", async () => {
    const calls: unknown[][] = [];
    await run('add', { ...ACTIVITY, 'Lambda Trigger for your Table': true, 'Select from the following options': 'new' }, { ctx: functionCategory(calls) });
    assert.equal(calls.length, 1);
    const [category, method, args] = calls[0] as [string, string, [{ name: string }]];
    assert.equal(category, 'function');
    assert.equal(method, 'createTriggerFunction');
    assert.match(args[0].name, /^activityTrigger[0-9a-f]{8}$/);
    assert.deepEqual(JSON.parse(inputsText('activity')).triggerFunctions, [args[0].name]);
    assert.ok(readJson(fnTemplateFile(args[0].name)).Resources.activityTrigger);
  });

  void it('headless add / update / remove: the JSON form, key changes refused as in Amplify, bad payloads named', async () => {
    addFunction('recorder');
    const calls: unknown[][] = [];
    const add = {
      version: 1,
      serviceConfiguration: {
        serviceName: 'DynamoDB',
        resourceName: 'activity',
        partitionKey: { fieldName: 'id', fieldType: 'string' },
        sortKey: { fieldName: 'userId', fieldType: 'string' },
        gsi: [{ name: 'byUserId', partitionKey: { fieldName: 'userId', fieldType: 'string' }, sortKey: { fieldName: 'timestamp', fieldType: 'string' } }],
      },
    };
    await headless('add', add);
    assert.equal(inputsText('activity'), readFileSync(join(CORPUS_STORAGE, 'activity/cli-inputs.json'), 'utf8'), 'the same file as the walkthrough');
    await rejectsWithUserError(() => headless('add', add), /storage activity already exists/);
    await rejectsWithUserError(
      () =>
        headless('add', {
          version: 1,
          serviceConfiguration: { ...add.serviceConfiguration, resourceName: 'x', partitionKey: { fieldName: 'id', fieldType: 'map' } },
        }),
      /serviceConfiguration\.partitionKey\.fieldType/,
    );
    await rejectsWithUserError(
      () => headless('add', { version: 1, serviceConfiguration: { serviceName: 'S3', resourceName: 'pics' } }),
      /serviceConfiguration\.permissions: /,
    );

    await headless(
      'update',
      {
        version: 1,
        serviceModification: {
          serviceName: 'DynamoDB',
          resourceName: 'activity',
          gsi: [{ name: 'byType', partitionKey: { fieldName: 'activityType', fieldType: 'string' } }],
          lambdaTriggers: [{ mode: 'existing', name: 'recorder' }, { mode: 'new' }],
        },
      },
      functionCategory(calls),
    );
    const inputs = JSON.parse(inputsText('activity'));
    assert.deepEqual(
      inputs.gsi.map((g: any) => g.name),
      ['byType'],
    );
    assert.equal(inputs.triggerFunctions.length, 2);
    assert.equal(inputs.triggerFunctions[0], 'recorder');
    assert.match(inputs.triggerFunctions[1], /^activityTrigger[0-9a-f]{8}$/);
    await rejectsWithUserError(
      () =>
        headless('update', {
          version: 1,
          serviceModification: { serviceName: 'DynamoDB', resourceName: 'activity', partitionKey: { fieldName: 'userId', fieldType: 'string' } },
        }),
      /partitionKey of storage activity cannot be changed once added/,
    );
    await headless('update', { version: 1, serviceModification: { serviceName: 'DynamoDB', resourceName: 'activity', lambdaTriggers: [] } });
    assert.deepEqual(JSON.parse(inputsText('activity')).triggerFunctions, []);
    assert.equal(readJson(fnTemplateFile('recorder')).Resources.activityTrigger, undefined);

    // Still a dependency of both functions (Amplify keeps it): remove is refused until they drop it.
    await rejectsWithUserError(
      () => headless('remove', { version: 1, serviceConfiguration: { serviceName: 'DynamoDB', resourceName: 'activity' } }),
      /activity cannot be removed: function recorder, function activityTrigger[0-9a-f]{8} depend on it/,
    );
    const config = backend();
    for (const fn of Object.values<any>(config.function)) delete fn.dependsOn;
    writeFileSync(join(root, 'amplify/backend/backend-config.json'), JSON.stringify(config));
    mkdirSync(join(root, 'amplify'), { recursive: true });
    writeFileSync(join(root, 'amplify/team-provider-info.json'), JSON.stringify({ dev: { categories: { storage: { activity: {} } } } }));
    await headless('remove', { version: 1, serviceConfiguration: { serviceName: 'DynamoDB', resourceName: 'activity' } });
    assert.ok(!existsSync(join(root, 'amplify/backend/storage/activity')));
    assert.equal(backend().storage, undefined);
    assert.deepEqual(readJson(join(root, 'amplify/team-provider-info.json')).dev.categories.storage, {});
  });
});
