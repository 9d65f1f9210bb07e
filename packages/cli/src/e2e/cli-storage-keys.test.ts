import assert from 'node:assert/strict';
import { readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { after, before, describe, it } from 'node:test';
import { DynamoDBClient, GetItemCommand, PutItemCommand, QueryCommand, type AttributeValue } from '@aws-sdk/client-dynamodb';
import { type ForteRun, initProject, removeProject, runForte } from './forte-runner.js';

const beer = (id: string, brand: string, style?: string): Record<string, AttributeValue> => ({
  id: { S: id },
  brand: { S: brand },
  ...(style ? { style: { S: style } } : {}),
});

void describe('a deployed NoSQL table with items: a new index is backfilled, a key change migrates or is refused (built binary, local cloud)', () => {
  let work: string;
  let home: string;
  let root: string;
  let db: DynamoDBClient;
  const forte = (args: string[], stdin?: string): Promise<ForteRun> => runForte(args, { cwd: root, home, ...(stdin === undefined ? {} : { stdin }) });
  const inputsFile = (): string => join(root, 'amplify/backend/storage/beer/cli-inputs.json');
  const meta = (): any => JSON.parse(readFileSync(join(root, 'amplify/backend/amplify-meta.json'), 'utf8'));
  /** The ids the byBrand index answers for a brand, sorted. */
  const brand = async (value: string): Promise<string[]> => {
    const answer = await db.send(
      new QueryCommand({
        TableName: 'beer-dev',
        IndexName: 'byBrand',
        KeyConditionExpression: 'brand = :b',
        ExpressionAttributeValues: { ':b': { S: value } },
      }),
    );
    return (answer.Items ?? []).map((i) => i['id']!.S!).sort();
  };

  before(async () => {
    ({ work, home, root } = await initProject('forte-storage-keys-', 'keysapp'));
    const add = await forte(
      ['add', 'storage', '--headless'],
      JSON.stringify({
        version: 1,
        serviceConfiguration: { serviceName: 'DynamoDB', resourceName: 'beer', partitionKey: { fieldName: 'id', fieldType: 'string' } },
      }),
    );
    assert.equal(add.code, 0, add.stderr);
    const push = await forte(['push', '--yes']);
    assert.equal(push.code, 0, push.stderr + push.stdout);
    const cloud = JSON.parse(readFileSync(join(home, 'cloud', 'cloud.json'), 'utf8')) as { url: string };
    const keys = JSON.parse(readFileSync(join(home, 'cloud', 'admin-credentials.json'), 'utf8')) as { accessKeyId: string; secretAccessKey: string };
    db = new DynamoDBClient({ endpoint: `${cloud.url}/dynamodb`, region: 'us-east-1', credentials: keys, maxAttempts: 1 });
  });
  after(async () => {
    db?.destroy();
    await removeProject({ work, home });
  });

  void it('a new index is filled with the items already in the table', async () => {
    for (const item of [beer('b1', 'acme', 'ipa'), beer('b2', 'acme'), beer('b3', 'brewdog', 'stout')])
      await db.send(new PutItemCommand({ TableName: 'beer-dev', Item: item }));
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
    assert.deepEqual(await brand('acme'), ['b1', 'b2']);
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
    assert.deepEqual(
      (await db.send(new GetItemCommand({ TableName: 'beer-dev', Key: { brand: { S: 'acme' }, id: { S: 'b1' } } }))).Item,
      beer('b1', 'acme', 'ipa'),
    );
    assert.deepEqual(await brand('acme'), ['b1', 'b2'], 'the index is rebuilt under the new key');
  });
});
