import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import {
  CreateTableCommand,
  DeleteTableCommand,
  DescribeTableCommand,
  DynamoDBClient,
  GetItemCommand,
  ListTablesCommand,
  PutItemCommand,
  QueryCommand,
  ResourceNotFoundException,
  UpdateTableCommand,
} from '@aws-sdk/client-dynamodb';
import { CognitoIdentityClient, GetCredentialsForIdentityCommand, GetIdCommand } from '@aws-sdk/client-cognito-identity';
import { TABLES, type ResourceContext } from '@forte/cloud';
import { AUTH_RESOURCE_TYPES, DYNAMODB_RESOURCE_TYPES } from '@forte/protocol';
import { callFailure, identityPoolTrust, startTestCloud, type TestCloud } from './index.js';

let cloud: TestCloud;
let client: DynamoDBClient;

const ctx = (logicalId: string): ResourceContext => ({
  appId: 'app1',
  appSlug: 'app1',
  envName: 'dev',
  stackName: 'amplify-app1-dev-api',
  logicalId,
  region: 'us-east-1',
  accountId: cloud.kernel.config.accountId,
  log: cloud.kernel.log,
});
const handler = (type: string) => cloud.kernel.resourceHandler(type)!;
const keys = (hash: string, range?: string) => [
  { AttributeName: hash, KeyType: 'HASH' as const },
  ...(range ? [{ AttributeName: range, KeyType: 'RANGE' as const }] : []),
];

before(async () => {
  cloud = await startTestCloud();
  client = new DynamoDBClient({ endpoint: `${cloud.url}/dynamodb`, region: cloud.credentials.region, credentials: cloud.credentials, maxAttempts: 1 });
});
after(() => cloud.close());

void describe('DynamoDB tables through @aws-sdk/client-dynamodb', () => {
  void it('creates, describes, lists (paged) and deletes tables', async () => {
    const created = await client.send(
      new CreateTableCommand({
        TableName: 'Alpha',
        KeySchema: keys('id'),
        AttributeDefinitions: [{ AttributeName: 'id', AttributeType: 'S' }],
        BillingMode: 'PAY_PER_REQUEST',
        StreamSpecification: { StreamEnabled: true, StreamViewType: 'NEW_AND_OLD_IMAGES' },
      }),
    );
    const arn = `arn:aws:dynamodb:us-east-1:${cloud.kernel.config.accountId}:table/Alpha`;
    assert.equal(created.TableDescription?.TableArn, arn);
    assert.equal(created.TableDescription?.TableStatus, 'ACTIVE');
    assert.match(created.TableDescription?.LatestStreamArn ?? '', new RegExp(`^${arn}/stream/\\d{4}-`));
    for (const name of ['Beta', 'Gamma'])
      await client.send(
        new CreateTableCommand({
          TableName: name,
          KeySchema: keys('id'),
          AttributeDefinitions: [{ AttributeName: 'id', AttributeType: 'S' }],
          ProvisionedThroughput: { ReadCapacityUnits: 1, WriteCapacityUnits: 1 },
        }),
      );
    await client.send(new PutItemCommand({ TableName: 'Alpha', Item: { id: { S: 'x' } } }));
    const described = (await client.send(new DescribeTableCommand({ TableName: 'Alpha' }))).Table!;
    assert.equal(described.ItemCount, 1);
    assert.deepEqual(described.KeySchema, keys('id'));
    assert.equal(described.BillingModeSummary?.BillingMode, 'PAY_PER_REQUEST');
    assert.ok(described.CreationDateTime instanceof Date);

    const first = await client.send(new ListTablesCommand({ Limit: 2 }));
    assert.deepEqual(first.TableNames, ['Alpha', 'Beta']);
    assert.equal(first.LastEvaluatedTableName, 'Beta');
    const rest = await client.send(new ListTablesCommand({ ExclusiveStartTableName: first.LastEvaluatedTableName }));
    assert.deepEqual(rest.TableNames, ['Gamma']);
    assert.equal(rest.LastEvaluatedTableName, undefined);

    assert.equal(
      (
        await callFailure(
          client.send(
            new CreateTableCommand({
              TableName: 'Alpha',
              KeySchema: keys('id'),
              AttributeDefinitions: [{ AttributeName: 'id', AttributeType: 'S' }],
              BillingMode: 'PAY_PER_REQUEST',
            }),
          ),
        )
      ).name,
      'ResourceInUseException',
    );
    const deleted = await client.send(new DeleteTableCommand({ TableName: 'Gamma' }));
    assert.equal(deleted.TableDescription?.TableStatus, 'DELETING');
    const gone = await client.send(new DescribeTableCommand({ TableName: 'Gamma' })).catch((e: unknown) => e);
    assert.ok(gone instanceof ResourceNotFoundException);
    assert.equal((await callFailure(client.send(new DeleteTableCommand({ TableName: 'Gamma' })))).name, 'ResourceNotFoundException');
  });

  void it('refuses malformed table definitions with ValidationException', async () => {
    const bad = [
      { TableName: 'x', KeySchema: keys('id'), AttributeDefinitions: [{ AttributeName: 'id', AttributeType: 'S' as const }] },
      { TableName: 'NoDef', KeySchema: keys('id'), AttributeDefinitions: [{ AttributeName: 'other', AttributeType: 'S' as const }] },
      {
        TableName: 'Extra',
        KeySchema: keys('id'),
        AttributeDefinitions: [
          { AttributeName: 'id', AttributeType: 'S' as const },
          { AttributeName: 'more', AttributeType: 'N' as const },
        ],
      },
      {
        TableName: 'RangeFirst',
        KeySchema: [{ AttributeName: 'id', KeyType: 'RANGE' as const }],
        AttributeDefinitions: [{ AttributeName: 'id', AttributeType: 'S' as const }],
      },
    ];
    for (const input of bad)
      assert.equal(
        (await callFailure(client.send(new CreateTableCommand({ ...input, BillingMode: 'PAY_PER_REQUEST' })))).name,
        'ValidationException',
        input.TableName,
      );
  });

  void it('adds several GSIs at once with backfill, removes one, keeps indexes sparse and typed', async () => {
    await client.send(
      new CreateTableCommand({
        TableName: 'Posts',
        KeySchema: keys('id'),
        AttributeDefinitions: [{ AttributeName: 'id', AttributeType: 'S' }],
        BillingMode: 'PAY_PER_REQUEST',
      }),
    );
    const posts = [
      { id: 'p1', author: 'ann', at: 3, status: 'draft' },
      { id: 'p2', author: 'bob', at: 1, status: 'live' },
      { id: 'p3', author: 'ann', at: 1, status: 'live' },
      { id: 'p4', author: 'ann', at: 2 },
      { id: 'p5', at: 9, status: 'live' },
    ];
    for (const p of posts) {
      const item: Record<string, { S: string } | { N: string }> = { id: { S: p.id }, at: { N: String(p.at) } };
      if (p.author) item.author = { S: p.author };
      if (p.status) item.status = { S: p.status };
      await client.send(new PutItemCommand({ TableName: 'Posts', Item: item }));
    }
    const updated = await client.send(
      new UpdateTableCommand({
        TableName: 'Posts',
        AttributeDefinitions: [
          { AttributeName: 'author', AttributeType: 'S' },
          { AttributeName: 'at', AttributeType: 'N' },
          { AttributeName: 'status', AttributeType: 'S' },
        ],
        GlobalSecondaryIndexUpdates: [
          { Create: { IndexName: 'byAuthor', KeySchema: keys('author', 'at'), Projection: { ProjectionType: 'ALL' } } },
          { Create: { IndexName: 'byStatus', KeySchema: keys('status'), Projection: { ProjectionType: 'KEYS_ONLY' } } },
        ],
      }),
    );
    assert.deepEqual(
      updated.TableDescription?.GlobalSecondaryIndexes?.map((i) => [i.IndexName, i.IndexStatus, i.ItemCount]),
      [
        ['byAuthor', 'ACTIVE', 4],
        ['byStatus', 'ACTIVE', 4],
      ],
    );

    const byAuthor = (author: string, forward = true) =>
      client.send(
        new QueryCommand({
          TableName: 'Posts',
          IndexName: 'byAuthor',
          KeyConditionExpression: 'author = :a',
          ExpressionAttributeValues: { ':a': { S: author } },
          ScanIndexForward: forward,
        }),
      );
    assert.deepEqual(
      (await byAuthor('ann')).Items?.map((i) => i.id?.S),
      ['p3', 'p4', 'p1'],
      'backfilled, sorted by the index sort key',
    );
    assert.deepEqual(
      (await byAuthor('ann', false)).Items?.map((i) => i.id?.S),
      ['p1', 'p4', 'p3'],
    );

    // New writes maintain both indexes; an item leaving the index key leaves the index.
    await client.send(new PutItemCommand({ TableName: 'Posts', Item: { id: { S: 'p6' }, author: { S: 'ann' }, at: { N: '0' }, status: { S: 'live' } } }));
    await client.send(new PutItemCommand({ TableName: 'Posts', Item: { id: { S: 'p1' }, at: { N: '3' } } }));
    assert.deepEqual(
      (await byAuthor('ann')).Items?.map((i) => i.id?.S),
      ['p6', 'p3', 'p4'],
    );
    const live = await client.send(
      new QueryCommand({
        TableName: 'Posts',
        IndexName: 'byStatus',
        KeyConditionExpression: '#s = :s',
        ExpressionAttributeNames: { '#s': 'status' },
        ExpressionAttributeValues: { ':s': { S: 'live' } },
        Limit: 2,
      }),
    );
    assert.equal(live.Count, 2);
    assert.ok(
      live.Items?.every((i) => Object.keys(i).sort().join() === 'id,status'),
      'KEYS_ONLY answers the keys of the table and the index',
    );
    assert.deepEqual(Object.keys(live.LastEvaluatedKey ?? {}).sort(), ['id', 'status'], 'an index page key holds both keys');
    const next = await client.send(
      new QueryCommand({
        TableName: 'Posts',
        IndexName: 'byStatus',
        KeyConditionExpression: '#s = :s',
        ExpressionAttributeNames: { '#s': 'status' },
        ExpressionAttributeValues: { ':s': { S: 'live' } },
        ExclusiveStartKey: live.LastEvaluatedKey,
      }),
    );
    assert.equal(next.Count, 2);
    assert.equal(new Set([...live.Items!, ...next.Items!].map((i) => i.id?.S)).size, 4);

    const mismatch = await callFailure(client.send(new PutItemCommand({ TableName: 'Posts', Item: { id: { S: 'p7' }, author: { N: '1' } } })));
    assert.match(mismatch.message, /Type mismatch for Index Key author Expected: S Actual: N IndexName: byAuthor/);
    assert.match(
      (
        await callFailure(
          client.send(
            new QueryCommand({ TableName: 'Posts', IndexName: 'nope', KeyConditionExpression: 'id = :a', ExpressionAttributeValues: { ':a': { S: 'x' } } }),
          ),
        )
      ).message,
      /does not have the specified index: nope/,
    );

    await client.send(new UpdateTableCommand({ TableName: 'Posts', GlobalSecondaryIndexUpdates: [{ Delete: { IndexName: 'byStatus' } }] }));
    const after = (await client.send(new DescribeTableCommand({ TableName: 'Posts' }))).Table!;
    assert.deepEqual(
      after.GlobalSecondaryIndexes?.map((i) => i.IndexName),
      ['byAuthor'],
    );
    assert.deepEqual(after.AttributeDefinitions?.map((a) => a.AttributeName).sort(), ['at', 'author', 'id']);
    assert.equal(
      (
        await callFailure(
          client.send(
            new QueryCommand({
              TableName: 'Posts',
              IndexName: 'byStatus',
              KeyConditionExpression: '#s = :s',
              ExpressionAttributeNames: { '#s': 'status' },
              ExpressionAttributeValues: { ':s': { S: 'live' } },
            }),
          ),
        )
      ).name,
      'ValidationException',
    );
    // Re-adding the removed index rebuilds it from the items, not from stale entries.
    await client.send(
      new UpdateTableCommand({
        TableName: 'Posts',
        AttributeDefinitions: [{ AttributeName: 'status', AttributeType: 'S' }],
        GlobalSecondaryIndexUpdates: [{ Create: { IndexName: 'byStatus', KeySchema: keys('status'), Projection: { ProjectionType: 'ALL' } } }],
      }),
    );
    const rebuilt = await client.send(
      new QueryCommand({
        TableName: 'Posts',
        IndexName: 'byStatus',
        KeyConditionExpression: '#s = :s',
        ExpressionAttributeNames: { '#s': 'status' },
        ExpressionAttributeValues: { ':s': { S: 'live' } },
      }),
    );
    assert.equal(rebuilt.Count, 4);
  });
});

void describe('Forte::DynamoDB::Table and the kernel table engine', () => {
  const props = (indexes: { name: string; hash: string }[]) => ({
    TableName: 'Todo-abc-dev',
    KeySchema: keys('id'),
    AttributeDefinitions: [{ AttributeName: 'id', AttributeType: 'S' }, ...indexes.map((i) => ({ AttributeName: i.hash, AttributeType: 'S' }))],
    GlobalSecondaryIndexes: indexes.map((i) => ({ IndexName: i.name, KeySchema: keys(i.hash), Projection: { ProjectionType: 'ALL' } })),
    BillingMode: 'PAY_PER_REQUEST',
    StreamSpecification: { StreamViewType: 'NEW_AND_OLD_IMAGES' },
    TimeToLiveSpecification: { AttributeName: '_ttl', Enabled: true },
  });

  void it('creates idempotently, updates GSIs in place, replaces on a new name and deletes idempotently', async () => {
    const tables = handler(DYNAMODB_RESOURCE_TYPES.table);
    const created = await tables.create(props([{ name: 'byOwner', hash: 'owner' }]), ctx('TodoTable'));
    assert.equal(created.physicalId, 'Todo-abc-dev');
    assert.equal(created.attributes.TableName, 'Todo-abc-dev');
    assert.equal(created.attributes.Arn, `arn:aws:dynamodb:us-east-1:${cloud.kernel.config.accountId}:table/Todo-abc-dev`);
    // AWS's stream ARN, which function templates import (`<apiId>:GetAtt:TodoTable:StreamArn`) for their triggers.
    assert.match(
      String(created.attributes.StreamArn),
      new RegExp(`^arn:aws:dynamodb:us-east-1:${cloud.kernel.config.accountId}:table/Todo-abc-dev/stream/\\d{4}-\\d\\d-\\d\\dT\\d\\d:\\d\\d:\\d\\d\\.\\d{3}$`),
    );
    await client.send(new PutItemCommand({ TableName: 'Todo-abc-dev', Item: { id: { S: 't1' }, owner: { S: 'ann' }, list: { S: 'home' } } }));
    const again = await tables.create(props([{ name: 'byOwner', hash: 'owner' }]), ctx('TodoTable'));
    assert.deepEqual(again, created, 'create adopts the existing table');

    const updated = await tables.update(
      'Todo-abc-dev',
      props([{ name: 'byList', hash: 'list' }]),
      props([{ name: 'byOwner', hash: 'owner' }]),
      ctx('TodoTable'),
    );
    assert.notEqual(updated, 'replace');
    assert.equal(updated !== 'replace' && updated.attributes.StreamArn, created.attributes.StreamArn, 'the stream keeps its ARN while the table lives');
    const table = (await client.send(new DescribeTableCommand({ TableName: 'Todo-abc-dev' }))).Table!;
    assert.deepEqual(
      table.GlobalSecondaryIndexes?.map((i) => [i.IndexName, i.ItemCount]),
      [['byList', 1]],
    );
    assert.equal(
      (await client.send(new GetItemCommand({ TableName: 'Todo-abc-dev', Key: { id: { S: 't1' } } }))).Item?.owner?.S,
      'ann',
      'items survive an update',
    );
    assert.equal(await tables.update('Todo-abc-dev', { ...props([]), TableName: 'Todo-abc-prod' }, props([]), ctx('TodoTable')), 'replace');
    assert.deepEqual(tables.replaceOn, ['TableName']);
    assert.ok(tables.migrateOn?.KeySchema, 'a key change is made in place');

    await tables.delete('Todo-abc-dev', props([]), ctx('TodoTable'));
    await tables.delete('Todo-abc-dev', props([]), ctx('TodoTable'));
    assert.equal((await callFailure(client.send(new DescribeTableCommand({ TableName: 'Todo-abc-dev' })))).name, 'ResourceNotFoundException');
  });

  void it("AWS::DynamoDB::Table (the storage category's NoSQL tables) is the same handler and store, and its refusals name that type", async () => {
    const tables = handler(DYNAMODB_RESOURCE_TYPES.awsTable);
    // Amplify's NoSQL table: provisioned 5/5 (older templates write the numbers as strings), a NEW_IMAGE stream.
    const amplifyTable = {
      TableName: 'notes-dev',
      KeySchema: keys('id'),
      AttributeDefinitions: [{ AttributeName: 'id', AttributeType: 'S' }],
      GlobalSecondaryIndexes: [],
      ProvisionedThroughput: { ReadCapacityUnits: '5', WriteCapacityUnits: '5' },
      StreamSpecification: { StreamViewType: 'NEW_IMAGE' },
    };
    const created = await tables.create(amplifyTable, ctx('DynamoDBTable'));
    assert.equal(created.physicalId, 'notes-dev');
    assert.match(String(created.attributes.StreamArn), /:table\/notes-dev\/stream\//);
    await client.send(new PutItemCommand({ TableName: 'notes-dev', Item: { id: { S: 'n1' } } }));
    const described = (await client.send(new DescribeTableCommand({ TableName: 'notes-dev' }))).Table!;
    assert.deepEqual(described.StreamSpecification, { StreamEnabled: true, StreamViewType: 'NEW_IMAGE' });
    assert.equal(described.ProvisionedThroughput?.ReadCapacityUnits, 5);
    assert.ok(handler(DYNAMODB_RESOURCE_TYPES.table), 'both names are served');
    await assert.rejects(
      tables.create({ ...amplifyTable, TableName: 'bad-dev', KeySchema: keys('nope') }, ctx('DynamoDBTable')),
      /^.*AWS::DynamoDB::Table bad-dev: /,
    );
    await tables.delete('notes-dev', amplifyTable, ctx('DynamoDBTable'));
  });

  void it('a key change moves all 1,000 items to their new key in place, with the indexes rebuilt', async () => {
    const tables = handler(DYNAMODB_RESOURCE_TYPES.table);
    const before = { ...props([{ name: 'byOwner', hash: 'owner' }]), TableName: 'Post-abc-dev' };
    const created = await tables.create(before, ctx('PostTable'));
    const engine = cloud.kernel.capability(TABLES);
    for (let n = 0; n < 1000; n++)
      await engine.put({
        table: 'Post-abc-dev',
        item: { id: { S: `p${n}` }, owner: { S: n % 2 ? 'ann' : 'bob' }, slug: { S: `post-${n}` }, n: { N: String(n) } },
      });
    const after = {
      ...before,
      KeySchema: keys('owner', 'slug'),
      AttributeDefinitions: [
        { AttributeName: 'owner', AttributeType: 'S' },
        { AttributeName: 'slug', AttributeType: 'S' },
        { AttributeName: 'id', AttributeType: 'S' },
      ],
      GlobalSecondaryIndexes: [{ IndexName: 'byId', KeySchema: keys('id'), Projection: { ProjectionType: 'ALL' } }],
    };
    const result = await tables.update('Post-abc-dev', after, before, ctx('PostTable'));
    assert.notEqual(result, 'replace');
    assert.equal(result !== 'replace' && result.attributes.StreamArn, created.attributes.StreamArn, 'moving the items keeps the stream');
    const table = (await client.send(new DescribeTableCommand({ TableName: 'Post-abc-dev' }))).Table!;
    assert.deepEqual(table.KeySchema, keys('owner', 'slug'));
    assert.equal(table.ItemCount, 1000);
    assert.deepEqual(
      table.GlobalSecondaryIndexes?.map((i) => [i.IndexName, i.ItemCount]),
      [['byId', 1000]],
    );
    assert.equal(await engine.count({ table: 'Post-abc-dev' }), 1000);
    assert.deepEqual((await engine.get({ table: 'Post-abc-dev', key: { owner: { S: 'ann' }, slug: { S: 'post-7' } } }))?.n, { N: '7' });
    const byId = await engine.query({ table: 'Post-abc-dev', index: 'byId', keyCondition: { expression: 'id = :i', values: { ':i': { S: 'p998' } } } });
    assert.deepEqual(byId.items[0]?.slug, { S: 'post-998' });
    const back = await tables.update('Post-abc-dev', before, after, ctx('PostTable'));
    assert.notEqual(back, 'replace', 'a rollback re-keys back');
    assert.deepEqual((await engine.get({ table: 'Post-abc-dev', key: { id: { S: 'p500' } } }))?.owner, { S: 'bob' });
    assert.equal(await engine.count({ table: 'Post-abc-dev' }), 1000);
  });

  void it('refuses a key change that would drop items (a missing key attribute, two items on one key), changing nothing', async () => {
    const tables = handler(DYNAMODB_RESOURCE_TYPES.table);
    const before = { ...props([]), TableName: 'Tag-abc-dev', TimeToLiveSpecification: undefined };
    await tables.create(before, ctx('TagTable'));
    const engine = cloud.kernel.capability(TABLES);
    await engine.put({ table: 'Tag-abc-dev', item: { id: { S: 't1' }, label: { S: 'red' } } });
    await engine.put({ table: 'Tag-abc-dev', item: { id: { S: 't2' }, label: { S: 'red' } } });
    await engine.put({ table: 'Tag-abc-dev', item: { id: { S: 't3' } } });
    const byLabel = { ...before, KeySchema: keys('label'), AttributeDefinitions: [{ AttributeName: 'label', AttributeType: 'S' }] };
    await assert.rejects(tables.update('Tag-abc-dev', byLabel, before, ctx('TagTable')), (error: Error) => {
      assert.match(error.message, /cannot change to \(label\): 1 item\(s\) cannot be keyed by \(label\) and 1 item\(s\) would share a key/);
      assert.match(error.message, /Nothing was changed/);
      return true;
    });
    const table = (await client.send(new DescribeTableCommand({ TableName: 'Tag-abc-dev' }))).Table!;
    assert.deepEqual(table.KeySchema, keys('id'));
    assert.equal(await engine.count({ table: 'Tag-abc-dev' }), 3);
  });

  void it('serves get/put/update/delete/query/scan/count to other services through kernel.capability(TABLES)', async () => {
    await client.send(
      new CreateTableCommand({
        TableName: 'Notes',
        KeySchema: keys('userId', 'seq'),
        AttributeDefinitions: [
          { AttributeName: 'userId', AttributeType: 'S' },
          { AttributeName: 'seq', AttributeType: 'N' },
        ],
        BillingMode: 'PAY_PER_REQUEST',
      }),
    );
    const engine = cloud.kernel.capability(TABLES);
    for (let at = 1; at <= 5; at++)
      await engine.put({ table: 'Notes', item: { userId: { S: 'ann' }, seq: { N: String(at) }, text: { S: at % 2 ? 'odd note' : 'even note' } } });
    await engine.put({ table: 'Notes', item: { userId: { S: 'bob' }, seq: { N: '1' }, text: { S: 'odd' } } });
    const refused = await engine
      .put({
        table: 'Notes',
        item: { userId: { S: 'bob' }, seq: { N: '1' } },
        condition: { expression: 'attribute_not_exists(#o)', names: { '#o': 'userId' } },
        returnItemOnConditionFailure: true,
      })
      .then(
        () => undefined,
        (e: unknown) => e as { code?: string; fields?: Record<string, unknown> },
      );
    assert.equal(refused?.code, 'ConditionalCheckFailedException');
    assert.deepEqual(refused.fields?.Item, { userId: { S: 'bob' }, seq: { N: '1' }, text: { S: 'odd' } }, 'the current item, for a conflict handler');
    const updated = await engine.update({
      table: 'Notes',
      key: { userId: { S: 'ann' }, seq: { N: '2' } },
      update: { expression: 'SET #t = :t', names: { '#t': 'text' }, values: { ':t': { S: 'edited' } } },
      returnValues: 'UPDATED_NEW',
    });
    assert.deepEqual(updated.attributes, { text: { S: 'edited' } });
    assert.deepEqual(
      await engine.get({ table: 'Notes', key: { userId: { S: 'ann' }, seq: { N: '2' } }, projection: { expression: '#t', names: { '#t': 'text' } } }),
      { text: { S: 'edited' } },
    );
    const page = await engine.query({
      table: 'Notes',
      keyCondition: { expression: 'userId = :o AND seq > :a', values: { ':o': { S: 'ann' }, ':a': { N: '1' } } },
      scanIndexForward: false,
      limit: 2,
    });
    assert.deepEqual(
      page.items.map((i) => i.seq),
      [{ N: '5' }, { N: '4' }],
    );
    assert.deepEqual(page.lastEvaluatedKey, { userId: { S: 'ann' }, seq: { N: '4' } });
    const odd = { expression: 'contains(#t, :odd)', names: { '#t': 'text' }, values: { ':odd': { S: 'odd' } } };
    assert.equal(await engine.count({ table: 'Notes', keyCondition: { expression: 'userId = :o', values: { ':o': { S: 'ann' } } }, filter: odd }), 3);
    assert.equal(await engine.count({ table: 'Notes', filter: odd }), 4);
    assert.equal((await engine.scan({ table: 'Notes', limit: 4 })).items.length, 4);
    assert.deepEqual((await engine.delete({ table: 'Notes', key: { userId: { S: 'bob' }, seq: { N: '1' } }, returnValues: 'ALL_OLD' })).attributes?.text, {
      S: 'odd',
    });
    await assert.rejects(engine.get({ table: 'Missing', key: { userId: { S: 'x' } } }), /Requested resource not found/);
  });
});

void describe('DynamoDB access with temporary credentials', () => {
  void it('refuses role credentials whose policies do not allow the action on the table, and allows what they grant', async () => {
    await client.send(
      new CreateTableCommand({
        TableName: 'Public',
        KeySchema: keys('id'),
        AttributeDefinitions: [{ AttributeName: 'id', AttributeType: 'S' }],
        BillingMode: 'PAY_PER_REQUEST',
      }),
    );
    await client.send(
      new CreateTableCommand({
        TableName: 'Secret',
        KeySchema: keys('id'),
        AttributeDefinitions: [{ AttributeName: 'id', AttributeType: 'S' }],
        BillingMode: 'PAY_PER_REQUEST',
      }),
    );
    await client.send(new PutItemCommand({ TableName: 'Public', Item: { id: { S: 'hello' } } }));
    const role = async (name: string, statements: unknown[]): Promise<string> =>
      String(
        (
          await handler('Forte::IAM::Role').create(
            {
              RoleName: name,
              AssumeRolePolicyDocument: identityPoolTrust(),
              Policies: [{ PolicyName: 'p', PolicyDocument: { Version: '2012-10-17', Statement: statements } }],
            },
            ctx(name),
          )
        ).attributes.Arn,
      );
    const tableArn = `arn:aws:dynamodb:us-east-1:${cloud.kernel.config.accountId}:table/Public`;
    const guests = await role('guestRole', [{ Effect: 'Allow', Action: ['dynamodb:GetItem', 'dynamodb:Query'], Resource: [tableArn, `${tableArn}/index/*`] }]);
    const noDynamo = await role('s3Only', [{ Effect: 'Allow', Action: 's3:GetObject', Resource: '*' }]);
    const credentialsFor = async (logicalId: string, unauthenticated: string) => {
      const pool = await handler(AUTH_RESOURCE_TYPES.identityPool).create(
        { IdentityPoolName: `pool_${logicalId}`, AllowUnauthenticatedIdentities: true, Roles: { authenticated: unauthenticated, unauthenticated } },
        ctx(logicalId),
      );
      const identity = new CognitoIdentityClient({
        endpoint: `${cloud.url}/cognito-identity/`,
        region: 'us-east-1',
        credentials: cloud.credentials,
        maxAttempts: 1,
      });
      const { IdentityId } = await identity.send(new GetIdCommand({ IdentityPoolId: String(pool.attributes.IdentityPoolId) }));
      const c = (await identity.send(new GetCredentialsForIdentityCommand({ IdentityId }))).Credentials!;
      return new DynamoDBClient({
        endpoint: `${cloud.url}/dynamodb`,
        region: 'us-east-1',
        maxAttempts: 1,
        credentials: { accessKeyId: c.AccessKeyId!, secretAccessKey: c.SecretKey!, sessionToken: c.SessionToken! },
      });
    };

    const guest = await credentialsFor('GuestPool', guests);
    assert.deepEqual((await guest.send(new GetItemCommand({ TableName: 'Public', Key: { id: { S: 'hello' } } }))).Item, { id: { S: 'hello' } });
    const write = await callFailure(guest.send(new PutItemCommand({ TableName: 'Public', Item: { id: { S: 'x' } } })));
    assert.equal(write.name, 'AccessDeniedException');
    assert.match(write.message, /not authorized to perform dynamodb:PutItem on arn:aws:dynamodb:us-east-1:\d{12}:table\/Public/);
    assert.equal((await callFailure(guest.send(new GetItemCommand({ TableName: 'Secret', Key: { id: { S: 'x' } } })))).name, 'AccessDeniedException');

    const other = await credentialsFor('S3Pool', noDynamo);
    const refused = await callFailure(other.send(new GetItemCommand({ TableName: 'Public', Key: { id: { S: 'hello' } } })));
    assert.equal(refused.name, 'AccessDeniedException');
    assert.equal(refused.status, 403);
    assert.equal((await callFailure(other.send(new ListTablesCommand({})))).name, 'AccessDeniedException');
  });
});
