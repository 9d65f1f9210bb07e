import assert from 'node:assert/strict';
import { gzipSync, deflateSync } from 'node:zlib';
import { Hash } from '@smithy/hash-node';
import { SignatureV4 } from '@smithy/signature-v4';
import { after, before, describe, it } from 'node:test';
import {
  BatchGetItemCommand,
  BatchWriteItemCommand,
  CreateTableCommand,
  DeleteItemCommand,
  DeleteTableCommand,
  DescribeEndpointsCommand,
  DescribeTableCommand,
  DynamoDBClient,
  GetItemCommand,
  ListTagsOfResourceCommand,
  PutItemCommand,
  ScanCommand,
  QueryCommand,
  TagResourceCommand,
  TransactWriteItemsCommand,
  UntagResourceCommand,
  UpdateTableCommand,
  UpdateItemCommand,
  type AttributeValue,
} from '@aws-sdk/client-dynamodb';
import { callFailure, startTestCloud, type TestCloud } from './index.js';

// DynamoDB API behaviours found missing by running ScyllaDB's Alternator suite (docs/conformance.md).

let cloud: TestCloud;
let client: DynamoDBClient;

before(async () => {
  cloud = await startTestCloud();
  client = new DynamoDBClient({ endpoint: `${cloud.url}/dynamodb`, region: cloud.credentials.region, credentials: cloud.credentials, maxAttempts: 1 });
});
after(() => cloud.close());

void describe('multi-attribute GSI keys', () => {
  const table = 'MultiKeys';
  before(async () => {
    await client.send(
      new CreateTableCommand({
        TableName: table,
        KeySchema: [{ AttributeName: 'p', KeyType: 'HASH' }],
        AttributeDefinitions: [
          { AttributeName: 'p', AttributeType: 'S' },
          { AttributeName: 'h1', AttributeType: 'S' },
          { AttributeName: 'h2', AttributeType: 'N' },
          { AttributeName: 'r1', AttributeType: 'S' },
          { AttributeName: 'r2', AttributeType: 'N' },
        ],
        BillingMode: 'PAY_PER_REQUEST',
        GlobalSecondaryIndexes: [
          {
            IndexName: 'multi',
            KeySchema: [
              { AttributeName: 'h1', KeyType: 'HASH' },
              { AttributeName: 'h2', KeyType: 'HASH' },
              { AttributeName: 'r1', KeyType: 'RANGE' },
              { AttributeName: 'r2', KeyType: 'RANGE' },
            ],
            Projection: { ProjectionType: 'ALL' },
          },
        ],
      }),
    );
    // r1 values where one is a prefix of another and one holds a NUL, so the parts' encoding is exercised.
    const rows: [string, string, number][] = [
      ['1', 'a', 2],
      ['2', 'a', 10],
      ['3', 'a\u0000', 1],
      ['4', 'ab', -5],
      ['5', 'b', 0],
      ['6', 'a', -1],
    ];
    for (const [p, r1, r2] of rows) {
      await client.send(new PutItemCommand({ TableName: table, Item: { p: { S: p }, h1: { S: 'x' }, h2: { N: '7' }, r1: { S: r1 }, r2: { N: String(r2) } } }));
    }
    await client.send(new PutItemCommand({ TableName: table, Item: { p: { S: 'other' }, h1: { S: 'x' }, h2: { N: '8' }, r1: { S: 'a' }, r2: { N: '1' } } }));
    await client.send(new PutItemCommand({ TableName: table, Item: { p: { S: 'sparse' }, h1: { S: 'x' }, h2: { N: '7' }, r1: { S: 'a' } } }));
  });

  const q = async (condition: string, values: Record<string, AttributeValue>): Promise<string[]> => {
    const out = await client.send(
      new QueryCommand({ TableName: table, IndexName: 'multi', KeyConditionExpression: condition, ExpressionAttributeValues: values }),
    );
    return (out.Items ?? []).map((i) => i.p!.S!);
  };
  const hash = { ':h1': { S: 'x' }, ':h2': { N: '7' } };

  it('describes the key schema as given and orders entries by the tuple of sort attributes', async () => {
    const described = await client.send(new DescribeTableCommand({ TableName: table }));
    assert.deepEqual(
      described.Table!.GlobalSecondaryIndexes![0]!.KeySchema!.map((k) => `${k.AttributeName}:${k.KeyType}`),
      ['h1:HASH', 'h2:HASH', 'r1:RANGE', 'r2:RANGE'],
    );
    // 'sparse' lacks r2 so is not indexed; 'other' is in another partition.
    assert.deepEqual(await q('h1 = :h1 AND h2 = :h2', hash), ['6', '1', '2', '3', '4', '5']);
  });

  it('answers equality on a sort prefix and a range on the next sort attribute', async () => {
    assert.deepEqual(await q('h1 = :h1 AND h2 = :h2 AND r1 = :a', { ...hash, ':a': { S: 'a' } }), ['6', '1', '2']);
    assert.deepEqual(await q('h1 = :h1 AND h2 = :h2 AND r1 = :a AND r2 > :n', { ...hash, ':a': { S: 'a' }, ':n': { N: '2' } }), ['2']);
    assert.deepEqual(await q('h1 = :h1 AND h2 = :h2 AND r1 = :a AND r2 <= :n', { ...hash, ':a': { S: 'a' }, ':n': { N: '2' } }), ['6', '1']);
    assert.deepEqual(await q('h1 = :h1 AND h2 = :h2 AND r1 > :a', { ...hash, ':a': { S: 'a' } }), ['3', '4', '5']);
    assert.deepEqual(await q('h1 = :h1 AND h2 = :h2 AND r1 < :a', { ...hash, ':a': { S: 'ab' } }), ['6', '1', '2', '3']);
    assert.deepEqual(await q('h1 = :h1 AND h2 = :h2 AND begins_with(r1, :a)', { ...hash, ':a': { S: 'a' } }), ['6', '1', '2', '3', '4']);
    assert.deepEqual(await q('h1 = :h1 AND h2 = :h2 AND r1 BETWEEN :a AND :b', { ...hash, ':a': { S: 'a\u0000' }, ':b': { S: 'ab' } }), ['3', '4']);
  });

  it('refuses key conditions that break the rules, and key schemas over the limits', async () => {
    const refused = async (condition: string, values: Record<string, AttributeValue>, pattern: RegExp): Promise<void> => {
      const failure = await callFailure(
        client.send(new QueryCommand({ TableName: table, IndexName: 'multi', KeyConditionExpression: condition, ExpressionAttributeValues: values })),
      );
      assert.equal(failure.name, 'ValidationException');
      assert.match(failure.message, pattern);
    };
    await refused('h1 = :h1', { ':h1': { S: 'x' } }, /HASH.*equality.*h2/);
    await refused('h1 = :h1 AND h2 > :h2', hash, /HASH.*equality/);
    await refused('h1 = :h1 AND h2 = :h2 AND r2 = :n', { ...hash, ':n': { N: '1' } }, /RANGE.*equality/);
    await refused('h1 = :h1 AND h2 = :h2 AND r1 > :a AND r2 = :n', { ...hash, ':a': { S: 'a' }, ':n': { N: '1' } }, /RANGE.*equality/);
    const filtered = await callFailure(
      client.send(
        new QueryCommand({
          TableName: table,
          IndexName: 'multi',
          KeyConditionExpression: 'h1 = :h1 AND h2 = :h2',
          FilterExpression: 'r2 > :n',
          ExpressionAttributeValues: { ...hash, ':n': { N: '1' } },
        }),
      ),
    );
    assert.equal(filtered.message, 'Filter Expression can only contain non-primary key attributes: Primary key attribute: r2');
    const extraStartKey = await callFailure(
      client.send(
        new QueryCommand({
          TableName: table,
          IndexName: 'multi',
          KeyConditionExpression: 'h1 = :h1 AND h2 = :h2',
          ExpressionAttributeValues: hash,
          ExclusiveStartKey: { p: { S: '1' }, h1: { S: 'x' }, h2: { N: '7' }, r1: { S: 'a' }, r2: { N: '2' }, extra: { S: 'y' } },
        }),
      ),
    );
    assert.equal(extraStartKey.message, 'The provided starting key is invalid: extra is not a key attribute of the table or index');
    const tooMany = await callFailure(
      client.send(
        new CreateTableCommand({
          TableName: 'TooManyKeys',
          KeySchema: [{ AttributeName: 'p', KeyType: 'HASH' }],
          AttributeDefinitions: ['p', 'a', 'b', 'c', 'd', 'e'].map((AttributeName) => ({ AttributeName, AttributeType: 'S' })),
          BillingMode: 'PAY_PER_REQUEST',
          GlobalSecondaryIndexes: [
            {
              IndexName: 'five',
              KeySchema: ['a', 'b', 'c', 'd', 'e'].map((AttributeName) => ({ AttributeName, KeyType: 'HASH' })),
              Projection: { ProjectionType: 'ALL' },
            },
          ],
        }),
      ),
    );
    assert.match(tooMany.message, /5 HASH key elements; at most 4/);
    const interleaved = await callFailure(
      client.send(
        new CreateTableCommand({
          TableName: 'Interleaved',
          KeySchema: [{ AttributeName: 'p', KeyType: 'HASH' }],
          AttributeDefinitions: ['p', 'a', 'b', 'c'].map((AttributeName) => ({ AttributeName, AttributeType: 'S' })),
          BillingMode: 'PAY_PER_REQUEST',
          GlobalSecondaryIndexes: [
            {
              IndexName: 'bad',
              KeySchema: [
                { AttributeName: 'a', KeyType: 'HASH' },
                { AttributeName: 'b', KeyType: 'RANGE' },
                { AttributeName: 'c', KeyType: 'HASH' },
              ],
              Projection: { ProjectionType: 'ALL' },
            },
          ],
        }),
      ),
    );
    assert.match(interleaved.message, /every HASH key element must precede every RANGE key element/);
  });
});

void describe('ReturnConsumedCapacity', () => {
  const table = 'Capacity';
  before(async () => {
    await client.send(
      new CreateTableCommand({
        TableName: table,
        KeySchema: [{ AttributeName: 'p', KeyType: 'HASH' }],
        AttributeDefinitions: [
          { AttributeName: 'p', AttributeType: 'S' },
          { AttributeName: 'g', AttributeType: 'S' },
        ],
        BillingMode: 'PAY_PER_REQUEST',
        GlobalSecondaryIndexes: [{ IndexName: 'byG', KeySchema: [{ AttributeName: 'g', KeyType: 'HASH' }], Projection: { ProjectionType: 'ALL' } }],
      }),
    );
  });

  it('counts writes per 1 KB of the larger of the old and new item, reads per 4 KB, halved when eventually consistent', async () => {
    // 'p' + 'a' (1 + 1) plus the value: an item of 1,025 bytes takes 2 write units.
    const big = { p: { S: 'a' }, a: { S: 'x'.repeat(1022) } };
    const put = await client.send(new PutItemCommand({ TableName: table, Item: big, ReturnConsumedCapacity: 'TOTAL' }));
    assert.deepEqual(put.ConsumedCapacity, { TableName: table, CapacityUnits: 2 });
    const small = await client.send(new PutItemCommand({ TableName: table, Item: { p: { S: 'a' } }, ReturnConsumedCapacity: 'TOTAL' }));
    assert.equal(small.ConsumedCapacity!.CapacityUnits, 2, 'the replaced item was over 1 KB');
    const strong = await client.send(new GetItemCommand({ TableName: table, Key: { p: { S: 'a' } }, ConsistentRead: true, ReturnConsumedCapacity: 'TOTAL' }));
    assert.equal(strong.ConsumedCapacity!.CapacityUnits, 1);
    const eventual = await client.send(new GetItemCommand({ TableName: table, Key: { p: { S: 'missing' } }, ReturnConsumedCapacity: 'TOTAL' }));
    assert.equal(eventual.ConsumedCapacity!.CapacityUnits, 0.5);
    const none = await client.send(new GetItemCommand({ TableName: table, Key: { p: { S: 'a' } } }));
    assert.equal(none.ConsumedCapacity, undefined);
    const batch = await client.send(
      new BatchGetItemCommand({
        RequestItems: { [table]: { Keys: [{ p: { S: 'a' } }, { p: { S: 'b' } }], ConsistentRead: true } },
        ReturnConsumedCapacity: 'TOTAL',
      }),
    );
    assert.deepEqual(batch.ConsumedCapacity, [{ TableName: table, CapacityUnits: 2 }]);
    const transact = await client.send(
      new TransactWriteItemsCommand({ TransactItems: [{ Put: { TableName: table, Item: { p: { S: 't' } } } }], ReturnConsumedCapacity: 'TOTAL' }),
    );
    assert.deepEqual(transact.ConsumedCapacity, [{ TableName: table, CapacityUnits: 2 }], 'a transaction counts twice');
    const deleted = await client.send(new DeleteItemCommand({ TableName: table, Key: { p: { S: 'nothing' } }, ReturnConsumedCapacity: 'TOTAL' }));
    assert.equal(deleted.ConsumedCapacity!.CapacityUnits, 1);
  });

  it('breaks the units down by table and index with INDEXES, and refuses an unknown mode', async () => {
    const update = await client.send(
      new UpdateItemCommand({
        TableName: table,
        Key: { p: { S: 'i' } },
        UpdateExpression: 'SET g = :g',
        ExpressionAttributeValues: { ':g': { S: 'G' } },
        ReturnConsumedCapacity: 'INDEXES',
      }),
    );
    assert.deepEqual(update.ConsumedCapacity, {
      TableName: table,
      CapacityUnits: 2,
      Table: { CapacityUnits: 1 },
      GlobalSecondaryIndexes: { byG: { CapacityUnits: 1 } },
    });
    const query = await client.send(
      new QueryCommand({
        TableName: table,
        IndexName: 'byG',
        KeyConditionExpression: 'g = :g',
        ExpressionAttributeValues: { ':g': { S: 'G' } },
        ReturnConsumedCapacity: 'INDEXES',
      }),
    );
    assert.deepEqual(query.ConsumedCapacity, { TableName: table, CapacityUnits: 0.5, GlobalSecondaryIndexes: { byG: { CapacityUnits: 0.5 } } });
    const refused = await callFailure(client.send(new GetItemCommand({ TableName: table, Key: { p: { S: 'a' } }, ReturnConsumedCapacity: 'SOME' as 'TOTAL' })));
    assert.match(refused.message, /Value 'SOME' at 'returnConsumedCapacity' failed to satisfy constraint/);
  });
});

void describe('local secondary indexes', () => {
  const table = 'Local';
  before(async () => {
    await client.send(
      new CreateTableCommand({
        TableName: table,
        KeySchema: [
          { AttributeName: 'p', KeyType: 'HASH' },
          { AttributeName: 'c', KeyType: 'RANGE' },
        ],
        AttributeDefinitions: [
          { AttributeName: 'p', AttributeType: 'S' },
          { AttributeName: 'c', AttributeType: 'S' },
          { AttributeName: 'n', AttributeType: 'N' },
        ],
        BillingMode: 'PAY_PER_REQUEST',
        LocalSecondaryIndexes: [
          {
            IndexName: 'byN',
            KeySchema: [
              { AttributeName: 'p', KeyType: 'HASH' },
              { AttributeName: 'n', KeyType: 'RANGE' },
            ],
            Projection: { ProjectionType: 'ALL' },
          },
        ],
      }),
    );
    for (const [c, n] of [
      ['a', 3],
      ['b', 1],
      ['c', 2],
    ] as const) {
      await client.send(new PutItemCommand({ TableName: table, Item: { p: { S: 'x' }, c: { S: c }, n: { N: String(n) } } }));
    }
    await client.send(new PutItemCommand({ TableName: table, Item: { p: { S: 'x' }, c: { S: 'no-n' } } }));
  });

  it('orders a partition by the index sort key, allows consistent reads, and is described as local', async () => {
    const out = await client.send(
      new QueryCommand({
        TableName: table,
        IndexName: 'byN',
        KeyConditionExpression: 'p = :p AND n >= :n',
        ExpressionAttributeValues: { ':p': { S: 'x' }, ':n': { N: '2' } },
        ConsistentRead: true,
      }),
    );
    assert.deepEqual(
      out.Items!.map((i) => i.c!.S),
      ['c', 'a'],
    );
    const described = (await client.send(new DescribeTableCommand({ TableName: table }))).Table!;
    assert.equal(described.GlobalSecondaryIndexes, undefined);
    assert.deepEqual(
      described.LocalSecondaryIndexes!.map((i) => [i.IndexName, i.KeySchema!.map((k) => k.AttributeName), i.ItemCount]),
      [['byN', ['p', 'n'], 3]],
    );
  });

  it('refuses a local index with another partition key, or on a table without a sort key', async () => {
    const other = await callFailure(
      client.send(
        new CreateTableCommand({
          TableName: 'LocalBad',
          KeySchema: [
            { AttributeName: 'p', KeyType: 'HASH' },
            { AttributeName: 'c', KeyType: 'RANGE' },
          ],
          AttributeDefinitions: ['p', 'c', 'x'].map((AttributeName) => ({ AttributeName, AttributeType: 'S' })),
          BillingMode: 'PAY_PER_REQUEST',
          LocalSecondaryIndexes: [
            {
              IndexName: 'bad',
              KeySchema: [
                { AttributeName: 'x', KeyType: 'HASH' },
                { AttributeName: 'c', KeyType: 'RANGE' },
              ],
              Projection: { ProjectionType: 'ALL' },
            },
          ],
        }),
      ),
    );
    assert.match(other.message, /does not have the same leading hash key as table KeySchema/);
    const noSort = await callFailure(
      client.send(
        new CreateTableCommand({
          TableName: 'LocalBad',
          KeySchema: [{ AttributeName: 'p', KeyType: 'HASH' }],
          AttributeDefinitions: ['p', 'x'].map((AttributeName) => ({ AttributeName, AttributeType: 'S' })),
          BillingMode: 'PAY_PER_REQUEST',
          LocalSecondaryIndexes: [
            {
              IndexName: 'bad',
              KeySchema: [
                { AttributeName: 'p', KeyType: 'HASH' },
                { AttributeName: 'x', KeyType: 'RANGE' },
              ],
              Projection: { ProjectionType: 'ALL' },
            },
          ],
        }),
      ),
    );
    assert.match(noSort.message, /Table KeySchema does not have a range key/);
  });
});

/** A DynamoDB call with a body of our own (compressed, say), signed over the bytes sent unless `unsigned`. */
async function rawCall(
  operation: string,
  body: Buffer,
  headers: Record<string, string> = {},
  credentials: { accessKeyId: string; secretAccessKey: string } = cloud.credentials,
): Promise<{ status: number; body: string }> {
  const url = new URL(`${cloud.url}/dynamodb/`);
  const signer = new SignatureV4({ service: 'dynamodb', region: cloud.credentials.region, credentials, sha256: Hash.bind(null, 'sha256') });
  const signed = await signer.sign({
    method: 'POST',
    protocol: 'http:',
    hostname: url.hostname,
    port: Number(url.port),
    path: url.pathname,
    headers: { host: url.host, 'content-type': 'application/x-amz-json-1.0', 'x-amz-target': `DynamoDB_20120810.${operation}`, ...headers },
    body,
  });
  const res = await fetch(url, { method: 'POST', headers: signed.headers as Record<string, string>, body });
  return { status: res.status, body: await res.text() };
}

void describe('request bodies, signatures and DescribeEndpoints', () => {
  const table = 'Bodies';
  before(async () => {
    await client.send(
      new CreateTableCommand({
        TableName: table,
        KeySchema: [{ AttributeName: 'p', KeyType: 'HASH' }],
        AttributeDefinitions: [{ AttributeName: 'p', AttributeType: 'S' }],
        BillingMode: 'PAY_PER_REQUEST',
      }),
    );
  });
  const put = (p: string): Buffer => Buffer.from(JSON.stringify({ TableName: table, Item: { p: { S: p }, v: { S: 'x'.repeat(100) } } }));
  const stored = async (p: string): Promise<boolean> => (await client.send(new GetItemCommand({ TableName: table, Key: { p: { S: p } } }))).Item !== undefined;

  it('decodes gzip and deflate bodies (several gzip members too), signed over the compressed bytes', async () => {
    assert.equal((await rawCall('PutItem', gzipSync(put('gz')), { 'content-encoding': 'gzip' })).status, 200);
    assert.equal((await rawCall('PutItem', deflateSync(put('df')), { 'content-encoding': 'deflate' })).status, 200);
    const body = put('two');
    const twoMembers = Buffer.concat([gzipSync(body.subarray(0, 10)), gzipSync(body.subarray(10))]);
    assert.equal((await rawCall('PutItem', twoMembers, { 'content-encoding': 'gzip' })).status, 200);
    assert.deepEqual([await stored('gz'), await stored('df'), await stored('two')], [true, true, true]);
  });

  it('refuses bodies that do not decode, unknown encodings and bombs, writing nothing', async () => {
    const broken = await rawCall('PutItem', put('broken'), { 'content-encoding': 'gzip' });
    assert.equal(broken.status, 400);
    assert.match(broken.body, /SerializationException.*not valid gzip data/);
    const unknown = await rawCall('PutItem', put('unknown'), { 'content-encoding': 'br' });
    assert.match(unknown.body, /Content-Encoding br is not supported/);
    const bomb = gzipSync(Buffer.concat([put('bomb').subarray(0, -1), Buffer.alloc(12 * 1024 * 1024, 32), Buffer.from('}')]));
    assert.equal((await rawCall('PutItem', bomb, { 'content-encoding': 'gzip' })).status, 413);
    assert.deepEqual([await stored('broken'), await stored('unknown'), await stored('bomb')], [false, false, false]);
  });

  it('checks the signature before saying an operation is unknown', async () => {
    const wrongKeys = await rawCall(
      'NoSuchOperation',
      Buffer.from('{}'),
      {},
      { accessKeyId: cloud.credentials.accessKeyId, secretAccessKey: 'not-the-secret-key-000000000000000000000' },
    );
    assert.equal(wrongKeys.status, 403);
    assert.doesNotMatch(wrongKeys.body, /UnknownOperationException/);
    assert.match(wrongKeys.body, /InvalidSignatureException|UnrecognizedClientException/);
    assert.match((await rawCall('NoSuchOperation', Buffer.from('{}'))).body, /UnknownOperationException/);
  });

  it('answers DescribeEndpoints with the address the caller used', async () => {
    const out = await client.send(new DescribeEndpointsCommand({}));
    assert.deepEqual(out.Endpoints, [{ Address: `${new URL(cloud.url).host}/dynamodb`, CachePeriodInMinutes: 1440 }]);
  });
});

void describe('tags, transactions and request checks', () => {
  const table = 'Checks';
  let arn: string;
  before(async () => {
    const created = await client.send(
      new CreateTableCommand({
        TableName: table,
        KeySchema: [{ AttributeName: 'p', KeyType: 'HASH' }],
        AttributeDefinitions: [{ AttributeName: 'p', AttributeType: 'S' }],
        BillingMode: 'PAY_PER_REQUEST',
        Tags: [{ Key: 'team', Value: 'web' }],
      }),
    );
    arn = created.TableDescription!.TableArn!;
  });
  const refusal = async (call: Promise<unknown>): Promise<string> => {
    const failure = await callFailure(call);
    assert.equal(failure.name, 'ValidationException', failure.message);
    return failure.message;
  };

  it('tags a table at creation and with TagResource / UntagResource, and refuses bad tags and ARNs', async () => {
    const list = async () => (await client.send(new ListTagsOfResourceCommand({ ResourceArn: arn }))).Tags;
    assert.deepEqual(await list(), [{ Key: 'team', Value: 'web' }]);
    await client.send(
      new TagResourceCommand({
        ResourceArn: arn,
        Tags: [
          { Key: 'env', Value: '' },
          { Key: 'team', Value: 'api' },
        ],
      }),
    );
    assert.deepEqual(await list(), [
      { Key: 'team', Value: 'api' },
      { Key: 'env', Value: '' },
    ]);
    await client.send(new UntagResourceCommand({ ResourceArn: arn, TagKeys: ['team'] }));
    assert.deepEqual(await list(), [{ Key: 'env', Value: '' }]);
    assert.match(await refusal(client.send(new TagResourceCommand({ ResourceArn: arn, Tags: [{ Key: 'a', Value: '#!' }] }))), /characters other than/);
    assert.match(
      await refusal(client.send(new TagResourceCommand({ ResourceArn: 'not-an-arn', Tags: [{ Key: 'a', Value: 'b' }] }))),
      /ARNs must start with 'arn:'/,
    );
    assert.match(
      await refusal(client.send(new TagResourceCommand({ ResourceArn: `${arn}/index/x`, Tags: [{ Key: 'a', Value: 'b' }] }))),
      /Invalid ResourceArn/,
    );
    const tooMany = Array.from({ length: 50 }, (_, i) => ({ Key: `k${i}`, Value: 'v' }));
    assert.match(await refusal(client.send(new TagResourceCommand({ ResourceArn: arn, Tags: tooMany }))), /at most 50 tags/);
    const missing = await callFailure(client.send(new ListTagsOfResourceCommand({ ResourceArn: `${arn}x` })));
    assert.equal(missing.name, 'ResourceNotFoundException');
  });

  it('cancels a transaction with a ValidationError reason for an invalid element, the later ones unlooked at', async () => {
    const failure = await callFailure(
      client.send(
        new TransactWriteItemsCommand({
          TransactItems: [
            { Put: { TableName: table, Item: { p: { S: 'ok' } } } },
            { Put: { TableName: table, Item: { p: { N: '7' } } } },
            { Put: { TableName: table, Item: { p: { S: 'later' } }, ConditionExpression: 'attribute_exists(p)' } },
          ],
        }),
      ),
    );
    assert.equal(failure.name, 'TransactionCanceledException');
    assert.match(failure.message, /\[None, ValidationError, None\]/);
    assert.equal((await client.send(new GetItemCommand({ TableName: table, Key: { p: { S: 'ok' } } }))).Item, undefined, 'nothing written');
  });

  it('leaves a missing item missing when an update only removes attributes', async () => {
    const out = await client.send(
      new UpdateItemCommand({ TableName: table, Key: { p: { S: 'ghost' } }, UpdateExpression: 'REMOVE a', ReturnValues: 'ALL_NEW' }),
    );
    assert.equal(out.Attributes, undefined);
    assert.equal((await client.send(new GetItemCommand({ TableName: table, Key: { p: { S: 'ghost' } } }))).Item, undefined);
  });

  it('refuses overlapping or conflicting projection paths, names not starting with a letter, nested list_append and bad table names', async () => {
    const get = (projection: string) => client.send(new GetItemCommand({ TableName: table, Key: { p: { S: 'x' } }, ProjectionExpression: projection }));
    assert.match(
      await refusal(get('a, a.b')),
      /Two document paths overlap with each other; must remove or rewrite one of these paths; path one: \[a\], path two: \[a, b\]/,
    );
    assert.match(await refusal(get('a.b[1], a.b.c')), /Two document paths conflict with each other/);
    await get('a.b, a.c[1]');
    const update = (expression: string, values: Record<string, AttributeValue>) =>
      client.send(new UpdateItemCommand({ TableName: table, Key: { p: { S: 'x' } }, UpdateExpression: expression, ExpressionAttributeValues: values }));
    assert.match(await refusal(update('SET _a = :v', { ':v': { N: '1' } })), /Syntax error; token: "_"/);
    assert.match(
      await refusal(update('SET a = list_append(list_append(:a, :b), :c)', { ':a': { L: [] }, ':b': { L: [] }, ':c': { L: [] } })),
      /not allowed to be used this way in an expression; function: list_append/,
    );
    assert.match(
      await refusal(client.send(new PutItemCommand({ TableName: 'bad!name', Item: { p: { S: 'x' } } }))),
      /at 'tableName' failed to satisfy constraint/,
    );
  });

  it('describes a deleted table without its creation time and key schema', async () => {
    await client.send(
      new CreateTableCommand({
        TableName: 'Doomed',
        KeySchema: [{ AttributeName: 'p', KeyType: 'HASH' }],
        AttributeDefinitions: [{ AttributeName: 'p', AttributeType: 'S' }],
        BillingMode: 'PAY_PER_REQUEST',
      }),
    );
    const { TableDescription: described } = await client.send(new DeleteTableCommand({ TableName: 'Doomed' }));
    assert.equal(described!.TableStatus, 'DELETING');
    assert.deepEqual([described!.CreationDateTime, described!.KeySchema, described!.AttributeDefinitions], [undefined, undefined, undefined]);
  });
});

void describe('transaction tokens and limits, and malformed values', () => {
  const table = 'Tokens';
  before(async () => {
    await client.send(
      new CreateTableCommand({
        TableName: table,
        KeySchema: [{ AttributeName: 'p', KeyType: 'HASH' }],
        AttributeDefinitions: [{ AttributeName: 'p', AttributeType: 'S' }],
        BillingMode: 'PAY_PER_REQUEST',
      }),
    );
    await client.send(new PutItemCommand({ TableName: table, Item: { p: { S: 'n' }, x: { N: '1' }, a: { S: 'text' } } }));
  });
  const increment = [
    { Update: { TableName: table, Key: { p: { S: 'n' } }, UpdateExpression: 'SET x = x + :one', ExpressionAttributeValues: { ':one': { N: '1' } } } },
  ];
  const x = async (): Promise<string | undefined> => (await client.send(new GetItemCommand({ TableName: table, Key: { p: { S: 'n' } } }))).Item?.x?.N;

  it('applies a TransactWriteItems once per ClientRequestToken, and refuses the token with another request', async () => {
    await client.send(new TransactWriteItemsCommand({ TransactItems: increment, ClientRequestToken: 'token-1' }));
    await client.send(new TransactWriteItemsCommand({ TransactItems: increment, ClientRequestToken: 'token-1' }));
    assert.equal(await x(), '2');
    const other = [{ Put: { TableName: table, Item: { p: { S: 'other' } } } }];
    const mismatch = await callFailure(client.send(new TransactWriteItemsCommand({ TransactItems: other, ClientRequestToken: 'token-1' })));
    assert.equal(mismatch.name, 'IdempotentParameterMismatchException');
    const long = await callFailure(client.send(new TransactWriteItemsCommand({ TransactItems: increment, ClientRequestToken: 'x'.repeat(37) })));
    assert.match(long.message, /at 'clientRequestToken' failed to satisfy constraint: Member must have length less than or equal to 36/);
    assert.equal(await x(), '2');
  });

  it('refuses a transaction putting more than 4 MB', async () => {
    const big = 'x'.repeat(390 * 1024);
    const puts = Array.from({ length: 11 }, (_, i) => ({ Put: { TableName: table, Item: { p: { S: `big${i}` }, v: { S: big } } } }));
    const failure = await callFailure(client.send(new TransactWriteItemsCommand({ TransactItems: puts })));
    assert.match(failure.message, /^Transaction request size cannot exceed 4 MB/);
  });

  it('answers SerializationException for values that do not deserialize, and DynamoDB messages for bad numbers and paths', async () => {
    const unpadded = await callFailure(
      client.send(new PutItemCommand({ TableName: table, Item: { p: { S: 'b' }, b: { B: 'YWJjZGVmZ2g' as unknown as Uint8Array } } })),
    );
    assert.equal(unpadded.name, 'SerializationException');
    const names = await callFailure(
      client.send(
        new GetItemCommand({
          TableName: table,
          Key: { p: { S: 'n' } },
          ProjectionExpression: '#a',
          ExpressionAttributeNames: { '#a': 7 as unknown as string },
        }),
      ),
    );
    assert.equal(names.name, 'SerializationException');
    const nan = await callFailure(client.send(new PutItemCommand({ TableName: table, Item: { p: { S: 'nan' }, v: { N: 'NaN' } } })));
    assert.equal(nan.message, 'The parameter cannot be converted to a numeric value: NaN');
    const through = await callFailure(client.send(new UpdateItemCommand({ TableName: table, Key: { p: { S: 'n' } }, UpdateExpression: 'REMOVE a.b' })));
    assert.equal(through.message, 'The document path provided in the update expression is invalid for update');
    const empty = await callFailure(client.send(new BatchWriteItemCommand({ RequestItems: { [table]: [] } })));
    assert.match(empty.message, /Member must have length greater than or equal to 1/);
  });

  it('refuses bad key conditions and table definitions with DynamoDB messages', async () => {
    const nested = await callFailure(
      client.send(new QueryCommand({ TableName: table, KeyConditionExpression: 'p = :p AND a.b < :p', ExpressionAttributeValues: { ':p': { S: 'n' } } })),
    );
    assert.equal(nested.message, 'KeyConditionExpressions cannot contain nested attributes');
    const nonKey = await callFailure(
      client.send(new QueryCommand({ TableName: table, KeyConditionExpression: 'p = :p AND a < :p', ExpressionAttributeValues: { ':p': { S: 'n' } } })),
    );
    assert.match(nonKey.message, /^Query key condition not supported: a is not a key attribute/);
    const create = (attributeType: string, projection: Record<string, unknown>) =>
      callFailure(
        client.send(
          new CreateTableCommand({
            TableName: 'BadDefinition',
            KeySchema: [{ AttributeName: 'p', KeyType: 'HASH' }],
            AttributeDefinitions: [
              { AttributeName: 'p', AttributeType: attributeType as 'S' },
              { AttributeName: 'x', AttributeType: 'S' },
            ],
            BillingMode: 'PAY_PER_REQUEST',
            GlobalSecondaryIndexes: [{ IndexName: 'byX', KeySchema: [{ AttributeName: 'x', KeyType: 'HASH' }], Projection: projection }],
          }),
        ),
      );
    assert.match((await create('BOOL', { ProjectionType: 'ALL' })).message, /Value 'BOOL' at 'attributeDefinitions.1.member.attributeType'/);
    assert.match((await create('S', {})).message, /Unknown ProjectionType: null/);
    assert.match((await create('S', { ProjectionType: 'nonsense' })).message, /Value 'nonsense' at 'projection.projectionType'/);
    assert.match((await create('S', { ProjectionType: 'INCLUDE', NonKeyAttributes: ['a', 'a'] })).message, /Duplicate NonKeyAttribute in index byX: a/);
  });
});

void describe('expression and name limits', () => {
  const table = 'Limits';
  before(async () => {
    await client.send(
      new CreateTableCommand({
        TableName: table,
        KeySchema: [{ AttributeName: 'p', KeyType: 'HASH' }],
        AttributeDefinitions: [{ AttributeName: 'p', AttributeType: 'S' }],
        BillingMode: 'PAY_PER_REQUEST',
      }),
    );
  });
  const message = async (call: Promise<unknown>): Promise<string> => (await callFailure(call)).message;

  it('refuses empty and over-long attribute names and key names', async () => {
    assert.match(await message(client.send(new PutItemCommand({ TableName: table, Item: { p: { S: 'x' }, '': { N: '1' } } }))), /Empty attribute name/);
    const long = 'n'.repeat(65536);
    assert.match(
      await message(client.send(new PutItemCommand({ TableName: table, Item: { p: { S: 'x' }, [long]: { N: '1' } } }))),
      /must be less than 65536 bytes/,
    );
    assert.match(
      await message(
        client.send(new GetItemCommand({ TableName: table, Key: { p: { S: 'x' } }, ProjectionExpression: '#n', ExpressionAttributeNames: { '#n': '' } })),
      ),
      /Empty attribute name \(ExpressionAttributeNames #n\)/,
    );
    const longKey = 'k'.repeat(256);
    assert.match(
      await message(
        client.send(
          new CreateTableCommand({
            TableName: 'LongKey',
            KeySchema: [{ AttributeName: longKey, KeyType: 'HASH' }],
            AttributeDefinitions: [{ AttributeName: longKey, AttributeType: 'S' }],
            BillingMode: 'PAY_PER_REQUEST',
          }),
        ),
      ),
      /key attribute names have at most 255 bytes/,
    );
  });

  it('refuses redundant parentheses, deep paths, huge list indexes and numeric begins_with operands', async () => {
    const update = (condition: string) =>
      client.send(
        new UpdateItemCommand({ TableName: table, Key: { p: { S: 'y' } }, ConditionExpression: condition, ExpressionAttributeValues: { ':p': { S: 'z' } } }),
      );
    assert.match(await message(update('((p <> :p))')), /^Invalid ConditionExpression: The expression has redundant parentheses;/);
    await update('((p <> :p) AND p <> :p)');
    const get = (projection: string) => client.send(new GetItemCommand({ TableName: table, Key: { p: { S: 'y' } }, ProjectionExpression: projection }));
    await get(`a${'.b'.repeat(31)}`);
    assert.match(await message(get(`a${'.b'.repeat(32)}`)), /too many nesting levels/);
    assert.match(await message(get('a[99999999999999]')), /List index is not within the allowable range/);
    const filtered = await message(
      client.send(new ScanCommand({ TableName: table, FilterExpression: 'begins_with(s, :n)', ExpressionAttributeValues: { ':n': { N: '3' } } })),
    );
    assert.match(filtered, /^Invalid FilterExpression: Incorrect operand type for operator or function; operator or function: begins_with, operand type: N/);
    const typed = await message(
      client.send(new ScanCommand({ TableName: table, FilterExpression: 'attribute_type(s, :t)', ExpressionAttributeValues: { ':t': { S: 'HELLO' } } })),
    );
    assert.match(typed, /Invalid attribute type name found; type: HELLO/);
  });

  it('refuses numbers out of range and inexact arithmetic, and an UpdateTable with nothing to change', async () => {
    assert.match(await message(client.send(new PutItemCommand({ TableName: table, Item: { p: { S: 'x' }, n: { N: '1.0e100000000' } } }))), /^Number overflow/);
    const inexact = await message(
      client.send(
        new UpdateItemCommand({
          TableName: table,
          Key: { p: { S: 'x' } },
          UpdateExpression: 'SET b = :a + :b',
          ExpressionAttributeValues: { ':a': { N: '1e50' }, ':b': { N: '1' } },
        }),
      ),
    );
    assert.match(inexact, /more than 38 significant digits in a number/);
    assert.match(await message(client.send(new UpdateTableCommand({ TableName: table }))), /^UpdateTable needs at least one change/);
    assert.match(await message(client.send(new ScanCommand({ TableName: table, Segment: 0, TotalSegments: 1_000_001 }))), /at 'totalSegments'/);
  });
});

void describe('update results and the health check', () => {
  const table = 'Updates';
  before(async () => {
    await client.send(
      new CreateTableCommand({
        TableName: table,
        KeySchema: [{ AttributeName: 'p', KeyType: 'HASH' }],
        AttributeDefinitions: [{ AttributeName: 'p', AttributeType: 'S' }],
        BillingMode: 'PAY_PER_REQUEST',
      }),
    );
  });

  it('appends list elements set past the end in index order, and answers UPDATED_OLD / UPDATED_NEW by path', async () => {
    await client.send(
      new PutItemCommand({
        TableName: table,
        Item: { p: { S: 'u' }, a: { M: { b: { S: 'dog' }, c: { L: [{ N: '1' }, { N: '2' }] } } }, l: { L: [{ S: 'one' }] } },
      }),
    );
    await client.send(
      new UpdateItemCommand({
        TableName: table,
        Key: { p: { S: 'u' } },
        UpdateExpression: 'SET l[84] = :x, l[17] = :y',
        ExpressionAttributeValues: { ':x': { S: 'x' }, ':y': { S: 'y' } },
      }),
    );
    const item = (await client.send(new GetItemCommand({ TableName: table, Key: { p: { S: 'u' } } }))).Item!;
    assert.deepEqual(item.l, { L: [{ S: 'one' }, { S: 'y' }, { S: 'x' }] });
    const old = await client.send(
      new UpdateItemCommand({
        TableName: table,
        Key: { p: { S: 'u' } },
        UpdateExpression: 'SET a.c[1] = :n, a.b = :s',
        ExpressionAttributeValues: { ':n': { N: '7' }, ':s': { S: 'cat' } },
        ReturnValues: 'UPDATED_OLD',
      }),
    );
    assert.deepEqual(old.Attributes, { a: { M: { b: { S: 'dog' }, c: { L: [{ N: '2' }] } } } });
    const fresh = await client.send(
      new UpdateItemCommand({
        TableName: table,
        Key: { p: { S: 'u' } },
        UpdateExpression: 'SET a.b = :s',
        ExpressionAttributeValues: { ':s': { S: 'cow' } },
        ReturnValues: 'UPDATED_NEW',
      }),
    );
    assert.deepEqual(fresh.Attributes, { a: { M: { b: { S: 'cow' } } } });
  });

  it('names the missing capacity unit of a provisioned table', async () => {
    const failure = await callFailure(
      client.send(
        new CreateTableCommand({
          TableName: 'Provisioned',
          KeySchema: [{ AttributeName: 'p', KeyType: 'HASH' }],
          AttributeDefinitions: [{ AttributeName: 'p', AttributeType: 'S' }],
          BillingMode: 'PROVISIONED',
          ProvisionedThroughput: { WriteCapacityUnits: 1 } as { ReadCapacityUnits: number; WriteCapacityUnits: number },
        }),
      ),
    );
    assert.match(failure.message, /Value null at 'provisionedThroughput.readCapacityUnits'/);
  });

  it('answers GET on the API path as DynamoDB answers its health check', async () => {
    const res = await fetch(`${cloud.url}/dynamodb`);
    assert.equal(res.status, 200);
    assert.equal(await res.text(), `healthy: ${new URL(cloud.url).host}/dynamodb`);
  });
});
