import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import {
  BatchGetItemCommand,
  BatchWriteItemCommand,
  ConditionalCheckFailedException,
  CreateTableCommand,
  DeleteItemCommand,
  DynamoDBClient,
  GetItemCommand,
  PutItemCommand,
  TransactGetItemsCommand,
  TransactionCanceledException,
  TransactWriteItemsCommand,
  UpdateItemCommand,
} from '@aws-sdk/client-dynamodb';
import { DynamoDBDocumentClient, GetCommand, PutCommand, UpdateCommand } from '@aws-sdk/lib-dynamodb';
import { callFailure, startTestCloud, type TestCloud } from './index.js';

let cloud: TestCloud;
let client: DynamoDBClient;
let doc: DynamoDBDocumentClient;

before(async () => {
  cloud = await startTestCloud();
  client = new DynamoDBClient({ endpoint: `${cloud.url}/dynamodb`, region: cloud.credentials.region, credentials: cloud.credentials, maxAttempts: 1 });
  doc = DynamoDBDocumentClient.from(client);
  await client.send(
    new CreateTableCommand({
      TableName: 'Users',
      KeySchema: [{ AttributeName: 'id', KeyType: 'HASH' }],
      AttributeDefinitions: [{ AttributeName: 'id', AttributeType: 'S' }],
      BillingMode: 'PAY_PER_REQUEST',
    }),
  );
  await client.send(
    new CreateTableCommand({
      TableName: 'Orders',
      KeySchema: [
        { AttributeName: 'customer', KeyType: 'HASH' },
        { AttributeName: 'orderId', KeyType: 'RANGE' },
      ],
      AttributeDefinitions: [
        { AttributeName: 'customer', AttributeType: 'S' },
        { AttributeName: 'orderId', AttributeType: 'N' },
      ],
      ProvisionedThroughput: { ReadCapacityUnits: 5, WriteCapacityUnits: 5 },
    }),
  );
});
after(() => cloud.close());

void describe('DynamoDB items through @aws-sdk/client-dynamodb', () => {
  void it('puts, gets (with a projection), and answers no Item for a missing key; the SDK posts to the route', async () => {
    await client.send(
      new PutItemCommand({
        TableName: 'Users',
        Item: { id: { S: 'u1' }, name: { S: 'Ada' }, age: { N: '036.50' }, tags: { SS: ['a', 'b'] }, meta: { M: { city: { S: 'London' } } } },
      }),
    );
    const got = await client.send(new GetItemCommand({ TableName: 'Users', Key: { id: { S: 'u1' } } }));
    assert.deepEqual(got.Item, { id: { S: 'u1' }, name: { S: 'Ada' }, age: { N: '36.5' }, tags: { SS: ['a', 'b'] }, meta: { M: { city: { S: 'London' } } } });
    const projected = await client.send(
      new GetItemCommand({ TableName: 'Users', Key: { id: { S: 'u1' } }, ProjectionExpression: '#n, meta.city', ExpressionAttributeNames: { '#n': 'name' } }),
    );
    assert.deepEqual(projected.Item, { name: { S: 'Ada' }, meta: { M: { city: { S: 'London' } } } });
    assert.equal((await client.send(new GetItemCommand({ TableName: 'Users', Key: { id: { S: 'nobody' } } }))).Item, undefined);
    const line = cloud
      .logs()
      .map((l) => JSON.parse(l) as { route?: string; path?: string; principal?: string })
      .find((l) => l.route === 'dynamodb');
    assert.equal(line?.path, '/dynamodb/');
    assert.equal(line?.principal, 'admin');
  });

  void it('refuses a conditional put whose condition fails, without overwriting, and can answer the current item', async () => {
    const put = (name: string) =>
      new PutItemCommand({
        TableName: 'Users',
        Item: { id: { S: 'u2' }, name: { S: name } },
        ConditionExpression: 'attribute_not_exists(id)',
        ReturnValuesOnConditionCheckFailure: 'ALL_OLD',
      });
    await client.send(put('first'));
    const error = await client.send(put('second')).catch((e: unknown) => e);
    assert.ok(error instanceof ConditionalCheckFailedException, 'a typed ConditionalCheckFailedException');
    assert.equal(error.message, 'The conditional request failed');
    assert.equal(error.$metadata.httpStatusCode, 400);
    assert.deepEqual(error.Item, { id: { S: 'u2' }, name: { S: 'first' } });
    assert.deepEqual((await client.send(new GetItemCommand({ TableName: 'Users', Key: { id: { S: 'u2' } } }))).Item?.name, { S: 'first' });
  });

  void it('answers ALL_OLD on put and delete, and conditional deletes', async () => {
    await client.send(new PutItemCommand({ TableName: 'Users', Item: { id: { S: 'u3' }, v: { N: '1' } } }));
    const replaced = await client.send(new PutItemCommand({ TableName: 'Users', Item: { id: { S: 'u3' }, v: { N: '2' } }, ReturnValues: 'ALL_OLD' }));
    assert.deepEqual(replaced.Attributes, { id: { S: 'u3' }, v: { N: '1' } });
    const refused = await callFailure(
      client.send(
        new DeleteItemCommand({
          TableName: 'Users',
          Key: { id: { S: 'u3' } },
          ConditionExpression: 'v = :one',
          ExpressionAttributeValues: { ':one': { N: '1' } },
        }),
      ),
    );
    assert.equal(refused.name, 'ConditionalCheckFailedException');
    const deleted = await client.send(
      new DeleteItemCommand({
        TableName: 'Users',
        Key: { id: { S: 'u3' } },
        ConditionExpression: 'v = :two',
        ExpressionAttributeValues: { ':two': { N: '2' } },
        ReturnValues: 'ALL_OLD',
      }),
    );
    assert.deepEqual(deleted.Attributes, { id: { S: 'u3' }, v: { N: '2' } });
    assert.equal((await client.send(new GetItemCommand({ TableName: 'Users', Key: { id: { S: 'u3' } } }))).Item, undefined);
  });

  void it('updates with SET/REMOVE/ADD/DELETE and answers ALL_NEW, UPDATED_OLD and UPDATED_NEW', async () => {
    const created = await client.send(
      new UpdateItemCommand({
        TableName: 'Users',
        Key: { id: { S: 'u4' } },
        UpdateExpression: 'SET #c = if_not_exists(#c, :zero) + :one, entries = list_append(if_not_exists(entries, :empty), :first) ADD tags :ab',
        ExpressionAttributeNames: { '#c': 'count' },
        ExpressionAttributeValues: { ':zero': { N: '0' }, ':one': { N: '1' }, ':empty': { L: [] }, ':first': { L: [{ S: 'x' }] }, ':ab': { SS: ['a', 'b'] } },
        ReturnValues: 'ALL_NEW',
      }),
    );
    assert.deepEqual(created.Attributes, { id: { S: 'u4' }, count: { N: '1' }, entries: { L: [{ S: 'x' }] }, tags: { SS: ['a', 'b'] } });
    const old = await client.send(
      new UpdateItemCommand({
        TableName: 'Users',
        Key: { id: { S: 'u4' } },
        UpdateExpression: 'REMOVE entries DELETE tags :a',
        ExpressionAttributeValues: { ':a': { SS: ['a'] } },
        ReturnValues: 'UPDATED_OLD',
      }),
    );
    assert.deepEqual(old.Attributes, { entries: { L: [{ S: 'x' }] }, tags: { SS: ['a', 'b'] } });
    const fresh = await client.send(
      new UpdateItemCommand({
        TableName: 'Users',
        Key: { id: { S: 'u4' } },
        UpdateExpression: 'SET #c = #c - :one',
        ExpressionAttributeNames: { '#c': 'count' },
        ExpressionAttributeValues: { ':one': { N: '1' } },
        ReturnValues: 'UPDATED_NEW',
      }),
    );
    assert.deepEqual(fresh.Attributes, { count: { N: '0' } });
    const conditional = await callFailure(
      client.send(
        new UpdateItemCommand({
          TableName: 'Users',
          Key: { id: { S: 'u4' } },
          UpdateExpression: 'SET a = :v',
          ConditionExpression: 'attribute_exists(nope)',
          ExpressionAttributeValues: { ':v': { S: 'v' } },
        }),
      ),
    );
    assert.equal(conditional.name, 'ConditionalCheckFailedException');
    const key = await callFailure(
      client.send(
        new UpdateItemCommand({
          TableName: 'Users',
          Key: { id: { S: 'u4' } },
          UpdateExpression: 'SET id = :v',
          ExpressionAttributeValues: { ':v': { S: 'v' } },
        }),
      ),
    );
    assert.deepEqual(key, {
      name: 'ValidationException',
      message: 'One or more parameter values were invalid: Cannot update attribute id. This attribute is part of the key',
      status: 400,
    });
  });

  void it('answers ValidationException for bad expressions, placeholders, keys and oversized items, and ResourceNotFoundException for unknown tables', async () => {
    const cases: [() => Promise<unknown>, RegExp][] = [
      [
        () => client.send(new PutItemCommand({ TableName: 'Users', Item: { id: { S: 'x' } }, ConditionExpression: 'id = ' })),
        /^Invalid ConditionExpression: Syntax error; token: "<EOF>", near: "id ="$/,
      ],
      [
        () => client.send(new PutItemCommand({ TableName: 'Users', Item: { id: { S: 'x' } }, ConditionExpression: 'id = :v' })),
        /^An expression attribute value used in expression is not defined; attribute value: :v$/,
      ],
      [
        () =>
          client.send(
            new PutItemCommand({
              TableName: 'Users',
              Item: { id: { S: 'x' } },
              ConditionExpression: 'id = :v',
              ExpressionAttributeValues: { ':v': { S: 'x' }, ':w': { S: 'y' } },
            }),
          ),
        /^Value provided in ExpressionAttributeValues unused in expressions: keys: \{:w\}$/,
      ],
      [
        () => client.send(new PutItemCommand({ TableName: 'Users', Item: { id: { S: 'x' } }, ExpressionAttributeNames: { '#a': 'a' } })),
        /^ExpressionAttributeNames can only be specified when using expressions$/,
      ],
      [
        () => client.send(new PutItemCommand({ TableName: 'Users', Item: { id: { S: 'x' } }, ConditionExpression: 'attribute_not_exists(name)' })),
        /^Invalid ConditionExpression: Attribute name is a reserved keyword; reserved keyword: name$/,
      ],
      [() => client.send(new PutItemCommand({ TableName: 'Users', Item: { name: { S: 'x' } } })), /Missing the key id in the item/],
      [() => client.send(new PutItemCommand({ TableName: 'Users', Item: { id: { N: '1' } } })), /Type mismatch for key id expected: S actual: N/],
      [() => client.send(new PutItemCommand({ TableName: 'Users', Item: { id: { S: '' } } })), /cannot contain an empty string value/],
      [
        () => client.send(new GetItemCommand({ TableName: 'Users', Key: { id: { S: 'x' }, extra: { S: 'y' } } })),
        /The provided key element does not match the schema/,
      ],
      [
        () => client.send(new PutItemCommand({ TableName: 'Users', Item: { id: { S: 'big' }, blob: { S: 'x'.repeat(400 * 1024) } } })),
        /Item size has exceeded the maximum allowed size/,
      ],
      [() => client.send(new PutItemCommand({ TableName: 'Users', Item: { id: { S: 'x' }, n: { N: '1'.repeat(39) } } })), /more than 38 significant digits/],
    ];
    for (const [call, message] of cases) {
      const failure = await callFailure(call());
      assert.equal(failure.name, 'ValidationException', String(message));
      assert.match(failure.message, message);
    }
    const missing = await callFailure(client.send(new GetItemCommand({ TableName: 'Nope', Key: { id: { S: 'x' } } })));
    assert.deepEqual(missing, { name: 'ResourceNotFoundException', message: 'Requested resource not found: Table: Nope not found', status: 400 });
  });

  void it('answers errors on the wire as DynamoDB does: JSON 1.0 with a namespaced __type', async () => {
    const response = await fetch(`${cloud.url}/dynamodb/`, {
      method: 'POST',
      headers: { 'content-type': 'application/x-amz-json-1.0', 'x-amz-target': 'DynamoDB_20120810.ListTables' },
      body: '{}',
    });
    assert.equal(response.status, 403);
    assert.equal(response.headers.get('content-type'), 'application/x-amz-json-1.0');
    const body = (await response.json()) as { __type: string; message: string };
    assert.equal(body.__type, 'com.amazonaws.dynamodb.v20120810#MissingAuthenticationTokenException');
  });

  void it('lets exactly one of two concurrent conditional puts win', async () => {
    const attempt = (owner: string) =>
      client
        .send(new PutItemCommand({ TableName: 'Users', Item: { id: { S: 'lock' }, owner: { S: owner } }, ConditionExpression: 'attribute_not_exists(id)' }))
        .then(
          () => 'won',
          (error: unknown) => (error as Error).name,
        );
    const results = await Promise.all([attempt('a'), attempt('b')]);
    assert.deepEqual([...results].sort(), ['ConditionalCheckFailedException', 'won']);
    const winner = results[0] === 'won' ? 'a' : 'b';
    assert.deepEqual((await client.send(new GetItemCommand({ TableName: 'Users', Key: { id: { S: 'lock' } } }))).Item?.owner, { S: winner });
  });

  void it('batch-writes and batch-gets across tables, within the limits', async () => {
    await client.send(
      new BatchWriteItemCommand({
        RequestItems: {
          Users: [
            { PutRequest: { Item: { id: { S: 'b1' } } } },
            { PutRequest: { Item: { id: { S: 'b2' } } } },
            { DeleteRequest: { Key: { id: { S: 'u1' } } } },
          ],
          Orders: [{ PutRequest: { Item: { customer: { S: 'c1' }, orderId: { N: '1' }, amount: { N: '10' } } } }],
        },
      }),
    );
    const got = await client.send(
      new BatchGetItemCommand({
        RequestItems: {
          Users: { Keys: [{ id: { S: 'b1' } }, { id: { S: 'b2' } }, { id: { S: 'u1' } }] },
          Orders: { Keys: [{ customer: { S: 'c1' }, orderId: { N: '1' } }], ProjectionExpression: 'amount' },
        },
      }),
    );
    assert.deepEqual(got.Responses?.Users?.map((i) => i.id?.S).sort(), ['b1', 'b2']);
    assert.deepEqual(got.Responses?.Orders, [{ amount: { N: '10' } }]);
    assert.deepEqual(got.UnprocessedKeys, {});
    const tooMany = Array.from({ length: 26 }, (_, i) => ({ PutRequest: { Item: { id: { S: `many${i}` } } } }));
    assert.equal((await callFailure(client.send(new BatchWriteItemCommand({ RequestItems: { Users: tooMany } })))).name, 'ValidationException');
    const keys = Array.from({ length: 101 }, (_, i) => ({ id: { S: `k${i}` } }));
    assert.match(
      (await callFailure(client.send(new BatchGetItemCommand({ RequestItems: { Users: { Keys: keys } } })))).message,
      /Too many items requested for the BatchGetItem call/,
    );
    assert.match(
      (await callFailure(client.send(new BatchWriteItemCommand({ RequestItems: { Users: [tooMany[0]!, tooMany[0]!] } })))).message,
      /Provided list of item keys contains duplicates/,
    );
  });

  void it('writes transactions all or nothing, with cancellation reasons, and reads them back together', async () => {
    await client.send(
      new TransactWriteItemsCommand({
        TransactItems: [
          { Put: { TableName: 'Users', Item: { id: { S: 't1' }, balance: { N: '100' } } } },
          { Put: { TableName: 'Users', Item: { id: { S: 't2' }, balance: { N: '0' } } } },
        ],
      }),
    );
    const transfer = (amount: string) =>
      client.send(
        new TransactWriteItemsCommand({
          TransactItems: [
            {
              Update: {
                TableName: 'Users',
                Key: { id: { S: 't1' } },
                UpdateExpression: 'SET balance = balance - :a',
                ConditionExpression: 'balance >= :a',
                ExpressionAttributeValues: { ':a': { N: amount } },
                ReturnValuesOnConditionCheckFailure: 'ALL_OLD',
              },
            },
            {
              Update: {
                TableName: 'Users',
                Key: { id: { S: 't2' } },
                UpdateExpression: 'SET balance = balance + :a',
                ExpressionAttributeValues: { ':a': { N: amount } },
              },
            },
            { ConditionCheck: { TableName: 'Users', Key: { id: { S: 'u2' } }, ConditionExpression: 'attribute_exists(id)' } },
          ],
        }),
      );
    await transfer('60');
    const error = await transfer('60').catch((e: unknown) => e);
    assert.ok(error instanceof TransactionCanceledException);
    assert.equal(error.message, 'Transaction cancelled, please refer cancellation reasons for specific reasons [ConditionalCheckFailed, None, None]');
    assert.deepEqual(error.CancellationReasons, [
      { Code: 'ConditionalCheckFailed', Message: 'The conditional request failed', Item: { id: { S: 't1' }, balance: { N: '40' } } },
      { Code: 'None' },
      { Code: 'None' },
    ]);
    const read = await client.send(
      new TransactGetItemsCommand({
        TransactItems: [
          { Get: { TableName: 'Users', Key: { id: { S: 't1' } }, ProjectionExpression: 'balance' } },
          { Get: { TableName: 'Users', Key: { id: { S: 't2' } } } },
          { Get: { TableName: 'Users', Key: { id: { S: 'nobody' } } } },
        ],
      }),
    );
    assert.deepEqual(read.Responses, [{ Item: { balance: { N: '40' } } }, { Item: { id: { S: 't2' }, balance: { N: '60' } } }, {}]);
    const twice = await callFailure(
      client.send(
        new TransactWriteItemsCommand({
          TransactItems: [{ Put: { TableName: 'Users', Item: { id: { S: 't1' } } } }, { Delete: { TableName: 'Users', Key: { id: { S: 't1' } } } }],
        }),
      ),
    );
    assert.deepEqual(twice, { name: 'ValidationException', message: 'Transaction request cannot include multiple operations on one item', status: 400 });
  });
});

void describe('DynamoDB items through @aws-sdk/lib-dynamodb', () => {
  void it('marshals plain values both ways and applies conditions', async () => {
    await doc.send(
      new PutCommand({
        TableName: 'Orders',
        Item: { customer: 'c2', orderId: 7, lines: [{ sku: 'a', qty: 2 }], paid: false, note: null, tags: new Set(['x']) },
      }),
    );
    const got = await doc.send(new GetCommand({ TableName: 'Orders', Key: { customer: 'c2', orderId: 7 } }));
    assert.deepEqual(got.Item, { customer: 'c2', orderId: 7, lines: [{ sku: 'a', qty: 2 }], paid: false, note: null, tags: new Set(['x']) });
    const paid = await doc.send(
      new UpdateCommand({
        TableName: 'Orders',
        Key: { customer: 'c2', orderId: 7 },
        UpdateExpression: 'SET paid = :t',
        ConditionExpression: 'paid = :f',
        ExpressionAttributeValues: { ':t': true, ':f': false },
        ReturnValues: 'ALL_NEW',
      }),
    );
    assert.equal(paid.Attributes?.paid, true);
    const again = await callFailure(
      doc.send(
        new UpdateCommand({
          TableName: 'Orders',
          Key: { customer: 'c2', orderId: 7 },
          UpdateExpression: 'SET paid = :t',
          ConditionExpression: 'paid = :f',
          ExpressionAttributeValues: { ':t': true, ':f': false },
        }),
      ),
    );
    assert.equal(again.name, 'ConditionalCheckFailedException');
  });
});
