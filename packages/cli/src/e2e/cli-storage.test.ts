import assert from 'node:assert/strict';
import { readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { after, before, describe, it } from 'node:test';
import { DynamoDBClient, GetItemCommand, type AttributeValue } from '@aws-sdk/client-dynamodb';
import { type ForteRun, initProject, removeProject, runForte } from './forte-runner.js';

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

void describe('forte add storage (NoSQL) → functions with access → push → items through the SDK from the functions (built binary, local cloud)', () => {
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
        serviceConfiguration: {
          serviceName: 'DynamoDB',
          resourceName: 'beer',
          partitionKey: { fieldName: 'id', fieldType: 'string' },
          gsi: [{ name: 'byBrand', partitionKey: { fieldName: 'brand', fieldType: 'string' } }],
        },
      }),
    );
    assert.equal(add.code, 0, add.stderr);
    assert.deepEqual(JSON.parse(readFileSync(inputsFile(), 'utf8')), {
      resourceName: 'beer',
      tableName: 'beer',
      partitionKey: { fieldName: 'id', fieldType: 'string' },
      gsi: [{ name: 'byBrand', partitionKey: { fieldName: 'brand', fieldType: 'string' } }],
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
    // Read access reaches the table's indexes (`<arn>/index/*`) too.
    const byBrand = await invoke('beerreader', { op: 'query', index: 'byBrand', attribute: 'brand', value: { S: 'acme' } });
    assert.deepEqual(byBrand.items, [beer('b1', 'acme', 'ipa')]);
    // Read access does not write: the role's policy (dynamodb:Get*, Query, Scan...) has no PutItem.
    assert.deepEqual((await invoke('beerreader', { op: 'put', item: beer('b2', 'acme') })).error, 'AccessDeniedException');

    const cloud = JSON.parse(readFileSync(join(home, 'cloud', 'cloud.json'), 'utf8')) as { url: string };
    const keys = JSON.parse(readFileSync(join(home, 'cloud', 'admin-credentials.json'), 'utf8')) as { accessKeyId: string; secretAccessKey: string };
    db = new DynamoDBClient({ endpoint: `${cloud.url}/dynamodb`, region: 'us-east-1', credentials: keys, maxAttempts: 1 });
    assert.equal((await db.send(new GetItemCommand({ TableName: 'beer-dev', Key: { id: { S: 'b2' } } }))).Item, undefined);
  });
});
