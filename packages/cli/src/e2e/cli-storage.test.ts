import assert from 'node:assert/strict';
import { readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { after, before, describe, it } from 'node:test';
import { DynamoDBClient, GetItemCommand, PutItemCommand, type AttributeValue } from '@aws-sdk/client-dynamodb';
import { type ForteRun, initProject, removeProject, runForte, runForteInTerminal } from './forte-runner.js';

/** A function that works on the table it was given access to, through the env vars Amplify names, with @aws-sdk/client-dynamodb. */
const TABLE_FUNCTION = `const { DynamoDBClient, PutItemCommand, GetItemCommand, QueryCommand } = require('@aws-sdk/client-dynamodb');
const client = new DynamoDBClient({});
exports.handler = async (event) => {
  const TableName = process.env.STORAGE_BEER_NAME;
  const env = { name: TableName, arn: process.env.STORAGE_BEER_ARN, streamArn: process.env.STORAGE_BEER_STREAMARN };
  try {
    if (event.op === 'put') {
      await client.send(new PutItemCommand({ TableName, Item: event.item }));
      return { env, put: true };
    }
    if (event.op === 'get') return { env, item: (await client.send(new GetItemCommand({ TableName, Key: event.key }))).Item ?? null };
    const answer = await client.send(new QueryCommand({
      TableName, IndexName: event.index, KeyConditionExpression: '#k = :v',
      ExpressionAttributeNames: { '#k': event.attribute }, ExpressionAttributeValues: { ':v': event.value },
    }));
    return { env, items: answer.Items };
  } catch (error) {
    return { env, error: error.name };
  }
};
`;

const beer = (id: string, brand: string, style?: string): Record<string, AttributeValue> => ({
  id: { S: id },
  brand: { S: brand },
  ...(style ? { style: { S: style } } : {}),
});

void describe('forte add storage (NoSQL) → a function with access → push → items through the SDK; indexes backfilled, keys migrated (built binary, local cloud)', () => {
  let work: string;
  let home: string;
  let root: string;
  let db: DynamoDBClient;
  const forte = (args: string[], stdin?: string): Promise<ForteRun> => runForte(args, { cwd: root, home, ...(stdin === undefined ? {} : { stdin }) });
  const inputsFile = (): string => join(root, 'amplify/backend/storage/beer/cli-inputs.json');
  const meta = (): any => JSON.parse(readFileSync(join(root, 'amplify/backend/amplify-meta.json'), 'utf8'));
  const invoke = async (fn: string, event: unknown): Promise<any> => {
    writeFileSync(join(root, 'event.json'), JSON.stringify(event));
    const run = await forte(['function', 'invoke', fn, '--event', 'event.json']);
    assert.equal(run.code, 0, run.stderr + run.stdout);
    const result = run.stdout.slice(run.stdout.indexOf('Result:') + 'Result:'.length).trim();
    return JSON.parse(result);
  };

  before(async () => {
    ({ work, home, root } = await initProject('forte-storage-', 'beerapp'));
  });
  after(async () => {
    db?.destroy();
    await removeProject({ work, home });
  });

  void it('adds a table headlessly and two functions (read-write and read-only), pushes, and the functions use the table through STORAGE_BEER_*', async () => {
    const add = await forte(
      ['add', 'storage', '--headless'],
      JSON.stringify({
        version: 1,
        serviceConfiguration: { serviceName: 'DynamoDB', resourceName: 'beer', partitionKey: { fieldName: 'id', fieldType: 'string' } },
      }),
    );
    assert.equal(add.code, 0, add.stderr);
    assert.deepEqual(JSON.parse(readFileSync(inputsFile(), 'utf8')), {
      resourceName: 'beer',
      tableName: 'beer',
      partitionKey: { fieldName: 'id', fieldType: 'string' },
      gsi: [],
      triggerFunctions: [],
    });
    for (const [name, operations] of [
      ['beerfn', ['create', 'read', 'update', 'delete']],
      ['beerreader', ['read']],
    ] as const) {
      const fn = await forte(['add', 'function', '--headless'], JSON.stringify({ name, permissions: { storage: { beer: operations } } }));
      assert.equal(fn.code, 0, fn.stderr);
      writeFileSync(join(root, 'amplify/backend/function', name, 'src/index.js'), TABLE_FUNCTION);
    }
    // The table cannot go while a function depends on it.
    const refused = await forte(['remove', 'storage', 'beer', '--yes']);
    assert.equal(refused.code, 1);
    assert.match(refused.stderr, /beer cannot be removed: function beerfn, function beerreader depend on it/);

    const push = await forte(['push', '--yes']);
    assert.equal(push.code, 0, push.stderr + push.stdout);
    const output = meta().storage.beer.output;
    assert.equal(output.Name, 'beer-dev');
    assert.match(output.Arn, /^arn:aws:dynamodb:us-east-1:\d{12}:table\/beer-dev$/);
    assert.match(output.StreamArn, /^arn:aws:dynamodb:us-east-1:\d{12}:table\/beer-dev\/stream\/.+/);
    assert.equal(output.PartitionKeyName, 'id');
    assert.equal(output.PartitionKeyType, 'S');
    assert.equal(output.Region, 'us-east-1');
    assert.equal(output.SortKeyName, undefined);
    // aws-exports.js lists the table as Amplify's frontend-config-creator does.
    assert.match(
      readFileSync(join(root, 'src/aws-exports.js'), 'utf8'),
      /"aws_dynamodb_table_schemas": \[\s*\{\s*"tableName": "beer-dev",\s*"region": "us-east-1"/,
    );

    const put = await invoke('beerfn', { op: 'put', item: beer('b1', 'acme', 'ipa') });
    assert.deepEqual(put, { env: { name: 'beer-dev', arn: output.Arn, streamArn: output.StreamArn }, put: true });
    const got = await invoke('beerreader', { op: 'get', key: { id: { S: 'b1' } } });
    assert.deepEqual(got.item, beer('b1', 'acme', 'ipa'));
    // Read access does not write: the role's policy (dynamodb:Get*, Query, Scan...) has no PutItem.
    assert.deepEqual((await invoke('beerreader', { op: 'put', item: beer('b2', 'acme') })).error, 'AccessDeniedException');

    const cloud = JSON.parse(readFileSync(join(home, 'cloud', 'cloud.json'), 'utf8')) as { url: string };
    const keys = JSON.parse(readFileSync(join(home, 'cloud', 'admin-credentials.json'), 'utf8')) as { accessKeyId: string; secretAccessKey: string };
    db = new DynamoDBClient({ endpoint: `${cloud.url}/dynamodb`, region: 'us-east-1', credentials: keys, maxAttempts: 1 });
    assert.equal((await db.send(new GetItemCommand({ TableName: 'beer-dev', Key: { id: { S: 'b2' } } }))).Item, undefined);
  });

  void it('a new index is filled with the items already in the table', async () => {
    for (const item of [beer('b2', 'acme'), beer('b3', 'brewdog', 'stout')]) await db.send(new PutItemCommand({ TableName: 'beer-dev', Item: item }));
    const update = await forte(
      ['update', 'storage', '--headless'],
      JSON.stringify({
        version: 1,
        serviceModification: {
          serviceName: 'DynamoDB',
          resourceName: 'beer',
          gsi: [{ name: 'byBrand', partitionKey: { fieldName: 'brand', fieldType: 'string' } }],
        },
      }),
    );
    assert.equal(update.code, 0, update.stderr);
    const push = await forte(['push', '--yes']);
    assert.equal(push.code, 0, push.stderr + push.stdout);
    const answer = await invoke('beerreader', { op: 'query', index: 'byBrand', attribute: 'brand', value: { S: 'acme' } });
    assert.deepEqual(answer.items.map((i: Record<string, AttributeValue>) => i['id']!.S).sort(), ['b1', 'b2']);
  });

  void it('a key change moves every item, or is refused naming the items that cannot move, changing nothing', async () => {
    // Amplify's walkthrough never changes keys; an edited cli-inputs.json does. b2 has no "style".
    const inputs = JSON.parse(readFileSync(inputsFile(), 'utf8'));
    writeFileSync(inputsFile(), JSON.stringify({ ...inputs, partitionKey: { fieldName: 'style', fieldType: 'string' } }, null, 2));
    const refused = await forte(['push', '--yes']);
    assert.equal(refused.code, 1, refused.stdout);
    assert.match(
      refused.stdout + refused.stderr,
      /The key of table beer-dev cannot change to \(style\): 1 item\(s\) cannot be keyed by \(style\); for example \{"id":"b2"\}: Missing the key style in the item\. Nothing was changed/,
    );
    assert.deepEqual((await db.send(new GetItemCommand({ TableName: 'beer-dev', Key: { id: { S: 'b2' } } }))).Item, beer('b2', 'acme'), 'nothing moved');

    // Every item has an id and a brand: the new key (brand, id) takes them all, and the index stays filled.
    writeFileSync(
      inputsFile(),
      JSON.stringify({ ...inputs, partitionKey: { fieldName: 'brand', fieldType: 'string' }, sortKey: { fieldName: 'id', fieldType: 'string' } }, null, 2),
    );
    const moved = await forte(['push', '--yes']);
    assert.equal(moved.code, 0, moved.stderr + moved.stdout);
    assert.equal(meta().storage.beer.output.SortKeyName, 'id');
    assert.deepEqual(
      (await db.send(new GetItemCommand({ TableName: 'beer-dev', Key: { brand: { S: 'brewdog' }, id: { S: 'b3' } } }))).Item,
      beer('b3', 'brewdog', 'stout'),
    );
    const viaFunction = await invoke('beerfn', { op: 'get', key: { brand: { S: 'acme' }, id: { S: 'b1' } } });
    assert.deepEqual(viaFunction.item, beer('b1', 'acme', 'ipa'));
    const indexed = await invoke('beerreader', { op: 'query', index: 'byBrand', attribute: 'brand', value: { S: 'acme' } });
    assert.equal(indexed.items.length, 2);
  });

  void it("a new trigger function comes from the function category's Lambda trigger template and deploys with the table's stream mapping", async () => {
    const update = await forte(
      ['update', 'storage', '--headless'],
      JSON.stringify({
        version: 1,
        serviceModification: { serviceName: 'DynamoDB', resourceName: 'beer', lambdaTriggers: [{ mode: 'new', name: 'beertrigger' }] },
      }),
    );
    assert.equal(update.code, 0, update.stderr);
    assert.match(readFileSync(join(root, 'amplify/backend/function/beertrigger/src/index.js'), 'utf8'), /DynamoDB Record: %j/);
    const template = JSON.parse(readFileSync(join(root, 'amplify/backend/function/beertrigger/beertrigger-cloudformation-template.json'), 'utf8'));
    assert.deepEqual(template.Resources.beerTrigger.Properties.EventSourceArn, { Ref: 'storagebeerStreamArn' });
    assert.deepEqual(JSON.parse(readFileSync(inputsFile(), 'utf8')).triggerFunctions, ['beertrigger']);
    const push = await forte(['push', '--yes']);
    assert.equal(push.code, 0, push.stderr + push.stdout);
    assert.match(
      push.stdout,
      /functionbeertrigger\.beerTrigger\s.*CREATE_COMPLETE|CREATE_COMPLETE\s+AWS::Lambda::EventSourceMapping\s+functionbeertrigger\.beerTrigger/,
    );
    assert.equal(meta().function.beertrigger.output.Name, 'beertrigger-dev');
  });

  void it("interactive: Amplify's questions in a terminal write Amplify's cli-inputs.json", async () => {
    const erase = '\x7f'.repeat(24);
    const run = await runForteInTerminal(['add', 'storage'], { cwd: root, home }, [
      [/Select from one of the below mentioned services/, '\x1b[B\r'],
      [/Provide a friendly name/, `${erase}notes\r`],
      [/Provide table name/, `${erase}notes\r`],
      [/What would you like to name this column/, 'id\r'],
      [/Choose the data type/, '\r'],
      [/Would you like to add another column\?/, 'n\r'],
      [/Choose partition key for the table/, '\r'],
      [/Do you want to add a sort key to your table\?/, 'n\r'],
      [/Do you want to add global secondary indexes to your table\?/, 'n\r'],
      [/Do you want to add a Lambda Trigger for your Table\?/, '\r'],
    ]);
    assert.equal(run.code, 0, run.screen);
    assert.match(run.screen, /Successfully added resource notes locally/);
    assert.equal(
      readFileSync(join(root, 'amplify/backend/storage/notes/cli-inputs.json'), 'utf8'),
      JSON.stringify(
        { resourceName: 'notes', tableName: 'notes', partitionKey: { fieldName: 'id', fieldType: 'string' }, gsi: [], triggerFunctions: [] },
        null,
        2,
      ),
    );
  });

  void it('the CRUD function template\'s "Create a new DynamoDB table" walks into the storage questions in a terminal, as in Amplify', async () => {
    const erase = '\x7f'.repeat(24);
    const run = await runForteInTerminal(['add', 'function'], { cwd: root, home }, [
      [/Select which capability you want to add/, '\r'],
      [/Provide an AWS Lambda function name/, `${erase}stockfn\r`],
      [/Choose the runtime that you want to use/, '\r'],
      [/Choose the function template that you want to use/, '\x1b[B\r'],
      [/Choose a DynamoDB data source option/, '\x1b[B\r'],
      [/Provide a friendly name/, `${erase}stock\r`],
      [/Provide table name/, `${erase}stock\r`],
      [/What would you like to name this column/, 'sku\r'],
      [/Choose the data type/, '\r'],
      [/Would you like to add another column\?/, 'n\r'],
      [/Choose partition key for the table/, '\r'],
      [/Do you want to add a sort key to your table\?/, 'n\r'],
      [/Do you want to add global secondary indexes to your table\?/, 'n\r'],
      [/Do you want to add a Lambda Trigger for your Table\?/, '\r'],
      [/Do you want to configure advanced settings\?/, '\r'],
      [/Do you want to edit the local lambda function now\?/, '\r'],
    ]);
    assert.equal(run.code, 0, run.screen);
    assert.match(run.screen, /Successfully added DynamoDb table locally/);
    assert.deepEqual(JSON.parse(readFileSync(join(root, 'amplify/backend/storage/stock/cli-inputs.json'), 'utf8')).partitionKey, {
      fieldName: 'sku',
      fieldType: 'string',
    });
    const config = JSON.parse(readFileSync(join(root, 'amplify/backend/backend-config.json'), 'utf8'));
    assert.deepEqual(config.function.stockfn.dependsOn, [{ category: 'storage', resourceName: 'stock', attributes: ['Name', 'Arn'] }]);
    assert.match(readFileSync(join(root, 'amplify/backend/function/stockfn/src/app.js'), 'utf8'), /const tableName = 'stock'/);
  });

  void it('remove storage: the push deletes a table that holds items only with --allow-data-loss, after saying how many', async () => {
    // The CRUD function (its Express dependencies would be installed from the registry) goes first; then both new tables deploy.
    assert.equal((await forte(['remove', 'function', 'stockfn', '--yes'])).code, 0);
    const push = await forte(['push', '--yes']);
    assert.equal(push.code, 0, push.stderr + push.stdout);
    await db.send(new PutItemCommand({ TableName: 'notes-dev', Item: { id: { S: 'n1' } } }));
    const removed = await forte(['remove', 'storage', 'notes', '--yes']);
    assert.equal(removed.code, 0, removed.stderr);
    const refused = await forte(['push', '--yes']);
    assert.equal(refused.code, 1, refused.stdout);
    assert.match(refused.stdout + refused.stderr, /DynamoDBTable \(AWS::DynamoDB::Table\) holds 1 item/);
    assert.deepEqual((await db.send(new GetItemCommand({ TableName: 'notes-dev', Key: { id: { S: 'n1' } } }))).Item, { id: { S: 'n1' } }, 'still there');
    const approved = await forte(['push', '--yes', '--allow-data-loss']);
    assert.equal(approved.code, 0, approved.stderr + approved.stdout);
    await assert.rejects(db.send(new GetItemCommand({ TableName: 'notes-dev', Key: { id: { S: 'n1' } } })), /ResourceNotFoundException|not found/i);
    assert.equal(meta().storage.notes, undefined);
    assert.equal(meta().storage.stock.output.Name, 'stock-dev');
  });
});
