import assert from 'node:assert/strict';
import { after, before, describe, it, mock } from 'node:test';
import {
  BatchWriteItemCommand,
  CreateTableCommand,
  DeleteItemCommand,
  DescribeTableCommand,
  DescribeTimeToLiveCommand,
  DynamoDBClient,
  GetItemCommand,
  PutItemCommand,
  TransactWriteItemsCommand,
  UpdateItemCommand,
  UpdateTableCommand,
  UpdateTimeToLiveCommand,
  type AttributeValue,
} from '@aws-sdk/client-dynamodb';
import {
  DescribeStreamCommand,
  DynamoDBStreamsClient,
  GetRecordsCommand,
  GetShardIteratorCommand,
  ListStreamsCommand,
  type _Record,
} from '@aws-sdk/client-dynamodb-streams';
import { CognitoIdentityClient, GetCredentialsForIdentityCommand, GetIdCommand } from '@aws-sdk/client-cognito-identity';
import { AUTH_RESOURCE_TYPES, RESOURCE_TYPES } from '@forte/protocol';
import { handlerOf, identityPoolTrust, resourceContext, startTestCloud, type TestCloud } from './index.js';

let cloud: TestCloud;
/** How far the TTL process's clock is ahead of the real one. */
let ttlAheadMs = 0;
let dynamodb: DynamoDBClient;
let streams: DynamoDBStreamsClient;

before(async () => {
  cloud = await startTestCloud({ dynamodb: { ttlSweepIntervalMs: 50, ttlClock: () => Date.now() + ttlAheadMs } });
  dynamodb = new DynamoDBClient({ endpoint: cloud.url, region: cloud.credentials.region, credentials: cloud.credentials, maxAttempts: 1 });
  // Only the cloud's base URL, as functions get it (AWS_ENDPOINT_URL): the target prefix routes the call.
  streams = new DynamoDBStreamsClient({ endpoint: cloud.url, region: cloud.credentials.region, credentials: cloud.credentials, maxAttempts: 1 });
});
after(async () => {
  dynamodb.destroy();
  streams.destroy();
  await cloud.close();
});

async function createTable(name: string, viewType?: 'NEW_IMAGE' | 'OLD_IMAGE' | 'NEW_AND_OLD_IMAGES' | 'KEYS_ONLY'): Promise<string> {
  const out = await dynamodb.send(
    new CreateTableCommand({
      TableName: name,
      KeySchema: [
        { AttributeName: 'pk', KeyType: 'HASH' },
        { AttributeName: 'sk', KeyType: 'RANGE' },
      ],
      AttributeDefinitions: [
        { AttributeName: 'pk', AttributeType: 'S' },
        { AttributeName: 'sk', AttributeType: 'N' },
      ],
      BillingMode: 'PAY_PER_REQUEST',
      ...(viewType ? { StreamSpecification: { StreamEnabled: true, StreamViewType: viewType } } : {}),
    }),
  );
  return out.TableDescription?.LatestStreamArn ?? '';
}

/** Every record of the stream's shard from `type`, read with GetRecords pages of `limit`. */
async function readAll(streamArn: string, limit = 100, type: 'TRIM_HORIZON' | 'LATEST' = 'TRIM_HORIZON'): Promise<_Record[]> {
  const description = await streams.send(new DescribeStreamCommand({ StreamArn: streamArn }));
  const shardId = description.StreamDescription?.Shards?.[0]?.ShardId;
  let iterator = (await streams.send(new GetShardIteratorCommand({ StreamArn: streamArn, ShardId: shardId, ShardIteratorType: type }))).ShardIterator;
  const records: _Record[] = [];
  while (iterator) {
    const page = await streams.send(new GetRecordsCommand({ ShardIterator: iterator, Limit: limit }));
    records.push(...(page.Records ?? []));
    if ((page.Records ?? []).length === 0) break;
    iterator = page.NextShardIterator;
  }
  return records;
}

const key = (pk: string, sk: number): Record<string, AttributeValue> => ({ pk: { S: pk }, sk: { N: String(sk) } });

void describe('DynamoDB Streams', () => {
  void it('records every committed write once, in order, with Lambda and Streams API fields, and nothing for a write that changes nothing', async () => {
    const arn = await createTable('Orders', 'NEW_AND_OLD_IMAGES');
    const tableArn = `arn:aws:dynamodb:${cloud.credentials.region}:${cloud.kernel.config.accountId}:table/Orders`;
    assert.match(arn, new RegExp(`^${tableArn}/stream/\\d{4}-\\d\\d-\\d\\dT`));

    await dynamodb.send(new PutItemCommand({ TableName: 'Orders', Item: { ...key('a', 1), qty: { N: '1' }, tags: { SS: ['x', 'y'] } } }));
    await dynamodb.send(
      new UpdateItemCommand({
        TableName: 'Orders',
        Key: key('a', 1),
        UpdateExpression: 'SET qty = :q',
        ExpressionAttributeValues: { ':q': { N: '2' } },
      }),
    );
    // Unchanged: the same value again, and the same item put again.
    await dynamodb.send(
      new UpdateItemCommand({ TableName: 'Orders', Key: key('a', 1), UpdateExpression: 'SET qty = :q', ExpressionAttributeValues: { ':q': { N: '2' } } }),
    );
    await dynamodb.send(new PutItemCommand({ TableName: 'Orders', Item: { ...key('a', 1), tags: { SS: ['y', 'x'] }, qty: { N: '2' } } }));
    // A failed condition writes nothing, and a delete of nothing removes nothing.
    await assert.rejects(
      dynamodb.send(new PutItemCommand({ TableName: 'Orders', Item: key('a', 1), ConditionExpression: 'attribute_not_exists(pk)' })),
      /conditional request failed/,
    );
    await dynamodb.send(new DeleteItemCommand({ TableName: 'Orders', Key: key('zzz', 9) }));
    await dynamodb.send(
      new BatchWriteItemCommand({
        RequestItems: {
          Orders: [
            { PutRequest: { Item: { ...key('b', 1), qty: { N: '5' } } } },
            { PutRequest: { Item: key('b', 2) } },
            { DeleteRequest: { Key: key('none', 1) } },
          ],
        },
      }),
    );
    await dynamodb.send(
      new TransactWriteItemsCommand({
        TransactItems: [
          { Update: { TableName: 'Orders', Key: key('b', 1), UpdateExpression: 'ADD qty :one', ExpressionAttributeValues: { ':one': { N: '1' } } } },
          { Delete: { TableName: 'Orders', Key: key('b', 2) } },
        ],
      }),
    );
    // A cancelled transaction records nothing.
    await assert.rejects(
      dynamodb.send(
        new TransactWriteItemsCommand({
          TransactItems: [
            { Put: { TableName: 'Orders', Item: key('c', 1) } },
            { ConditionCheck: { TableName: 'Orders', Key: key('nope', 1), ConditionExpression: 'attribute_exists(pk)' } },
          ],
        }),
      ),
      /Transaction cancelled/,
    );
    await dynamodb.send(new DeleteItemCommand({ TableName: 'Orders', Key: key('a', 1) }));

    const records = await readAll(arn, 2);
    assert.deepEqual(
      records.map((r) => `${r.eventName} ${r.dynamodb?.Keys?.pk?.S}/${r.dynamodb?.Keys?.sk?.N}`),
      ['INSERT a/1', 'MODIFY a/1', 'INSERT b/1', 'INSERT b/2', 'MODIFY b/1', 'REMOVE b/2', 'REMOVE a/1'],
    );
    const [insert, modify] = records;
    assert.equal(insert!.eventSource, 'aws:dynamodb');
    assert.equal(insert!.eventVersion, '1.1');
    assert.equal(insert!.awsRegion, cloud.credentials.region);
    assert.match(insert!.eventID ?? '', /^[0-9a-f]{32}$/);
    assert.equal(insert!.dynamodb?.StreamViewType, 'NEW_AND_OLD_IMAGES');
    assert.ok(insert!.dynamodb?.ApproximateCreationDateTime instanceof Date);
    assert.ok(Math.abs(insert!.dynamodb.ApproximateCreationDateTime.getTime() - Date.now()) < 60_000);
    assert.deepEqual(insert!.dynamodb?.NewImage?.qty, { N: '1' });
    assert.equal(insert!.dynamodb?.OldImage, undefined);
    assert.ok((insert!.dynamodb?.SizeBytes ?? 0) > 0);
    assert.deepEqual(modify!.dynamodb?.OldImage?.qty, { N: '1' });
    assert.deepEqual(modify!.dynamodb?.NewImage?.qty, { N: '2' });
    assert.deepEqual(records[4]!.dynamodb?.NewImage?.qty, { N: '6' });
    assert.equal(records.at(-1)!.dynamodb?.NewImage, undefined);
    assert.deepEqual(records.at(-1)!.dynamodb?.OldImage?.qty, { N: '2' });
    const sequence = records.map((r) => BigInt(r.dynamodb?.SequenceNumber ?? '0'));
    assert.ok(
      sequence.every((n, i) => i === 0 || n > sequence[i - 1]!),
      'sequence numbers increase',
    );
    assert.equal(new Set(records.map((r) => r.eventID)).size, records.length);

    // Iterators at and after a sequence number, and LATEST.
    const shardId = (await streams.send(new DescribeStreamCommand({ StreamArn: arn }))).StreamDescription!.Shards![0]!.ShardId!;
    const from = async (type: 'AT_SEQUENCE_NUMBER' | 'AFTER_SEQUENCE_NUMBER', n: number): Promise<string[]> => {
      const it = await streams.send(
        new GetShardIteratorCommand({ StreamArn: arn, ShardId: shardId, ShardIteratorType: type, SequenceNumber: records[n]!.dynamodb!.SequenceNumber }),
      );
      const page = await streams.send(new GetRecordsCommand({ ShardIterator: it.ShardIterator, Limit: 2 }));
      return (page.Records ?? []).map((r) => r.eventID!);
    };
    assert.deepEqual(await from('AT_SEQUENCE_NUMBER', 2), [records[2]!.eventID, records[3]!.eventID]);
    assert.deepEqual(await from('AFTER_SEQUENCE_NUMBER', 2), [records[3]!.eventID, records[4]!.eventID]);
    const latest = await streams.send(new GetShardIteratorCommand({ StreamArn: arn, ShardId: shardId, ShardIteratorType: 'LATEST' }));
    assert.deepEqual((await streams.send(new GetRecordsCommand({ ShardIterator: latest.ShardIterator }))).Records, []);
    await dynamodb.send(new PutItemCommand({ TableName: 'Orders', Item: key('late', 1) }));
    const afterLatest = await streams.send(new GetRecordsCommand({ ShardIterator: latest.ShardIterator }));
    assert.deepEqual(
      afterLatest.Records?.map((r) => r.dynamodb?.Keys?.pk?.S),
      ['late'],
    );
  });

  void it('honours each stream view type', async () => {
    const views = ['KEYS_ONLY', 'NEW_IMAGE', 'OLD_IMAGE'] as const;
    for (const view of views) {
      const table = `View${view.replace(/_/g, '')}`;
      const arn = await createTable(table, view);
      await dynamodb.send(new PutItemCommand({ TableName: table, Item: { ...key('k', 1), v: { S: 'one' } } }));
      await dynamodb.send(new PutItemCommand({ TableName: table, Item: { ...key('k', 1), v: { S: 'two' } } }));
      await dynamodb.send(new DeleteItemCommand({ TableName: table, Key: key('k', 1) }));
      const records = await readAll(arn);
      assert.deepEqual(
        records.map((r) => r.eventName),
        ['INSERT', 'MODIFY', 'REMOVE'],
      );
      for (const record of records) {
        assert.equal(record.dynamodb?.StreamViewType, view);
        assert.deepEqual(record.dynamodb?.Keys, key('k', 1));
      }
      const images = records.map((r) => [r.dynamodb?.NewImage?.v?.S ?? null, r.dynamodb?.OldImage?.v?.S ?? null]);
      const expected = {
        KEYS_ONLY: [
          [null, null],
          [null, null],
          [null, null],
        ],
        NEW_IMAGE: [
          ['one', null],
          ['two', null],
          [null, null],
        ],
        OLD_IMAGE: [
          [null, null],
          [null, 'one'],
          [null, 'two'],
        ],
      }[view];
      assert.deepEqual(images, expected, view);
    }
  });

  void it("answers at its own path and at DynamoDB's (as DynamoDB Local serves both), where DynamoDB's operations stay", async () => {
    const arn = await createTable('Endpoints', 'KEYS_ONLY');
    const at = (path: string) =>
      new DynamoDBStreamsClient({ endpoint: `${cloud.url}${path}`, region: cloud.credentials.region, credentials: cloud.credentials, maxAttempts: 1 });
    for (const path of ['/dynamodb-streams', '/dynamodb']) {
      const client = at(path);
      try {
        const listed = await client.send(new ListStreamsCommand({ TableName: 'Endpoints' }));
        assert.deepEqual(
          listed.Streams?.map((s) => s.StreamArn),
          [arn],
          path,
        );
        assert.equal((await client.send(new DescribeStreamCommand({ StreamArn: arn }))).StreamDescription?.StreamStatus, 'ENABLED', path);
      } finally {
        client.destroy();
      }
    }
    const atDynamoDb = new DynamoDBClient({
      endpoint: `${cloud.url}/dynamodb`,
      region: cloud.credentials.region,
      credentials: cloud.credentials,
      maxAttempts: 1,
    });
    try {
      assert.equal((await atDynamoDb.send(new DescribeTableCommand({ TableName: 'Endpoints' }))).Table?.LatestStreamArn, arn);
    } finally {
      atDynamoDb.destroy();
    }
    // DynamoDB's operations are not answered at the Streams path.
    const wrong = await fetch(`${cloud.url}/dynamodb-streams/`, {
      method: 'POST',
      headers: { 'x-amz-target': 'DynamoDB_20120810.ListTables', 'content-type': 'application/x-amz-json-1.0' },
      body: '{}',
    });
    assert.equal(wrong.status, 400);
    assert.match(String(((await wrong.json()) as { __type?: string }).__type), /UnknownOperationException/);
  });

  void it('lists and describes streams; a stream turned off is DISABLED, still readable, and its shard ends', async () => {
    const arn = await createTable('Switch', 'NEW_IMAGE');
    await dynamodb.send(new PutItemCommand({ TableName: 'Switch', Item: key('s', 1) }));
    const listed = await streams.send(new ListStreamsCommand({ TableName: 'Switch' }));
    assert.deepEqual(
      listed.Streams?.map((s) => [s.StreamArn, s.TableName]),
      [[arn, 'Switch']],
    );
    const page = await streams.send(new ListStreamsCommand({ Limit: 1 }));
    assert.equal(page.Streams?.length, 1);
    assert.ok(page.LastEvaluatedStreamArn);
    const next = await streams.send(new ListStreamsCommand({ Limit: 100, ExclusiveStartStreamArn: page.LastEvaluatedStreamArn }));
    assert.ok(!next.Streams?.some((s) => s.StreamArn === page.Streams![0]!.StreamArn));

    const described = (await streams.send(new DescribeStreamCommand({ StreamArn: arn }))).StreamDescription!;
    assert.equal(described.StreamStatus, 'ENABLED');
    assert.equal(described.StreamViewType, 'NEW_IMAGE');
    assert.equal(described.TableName, 'Switch');
    assert.deepEqual(described.KeySchema, [
      { AttributeName: 'pk', KeyType: 'HASH' },
      { AttributeName: 'sk', KeyType: 'RANGE' },
    ]);
    assert.equal(described.Shards?.length, 1);
    assert.match(described.Shards![0]!.ShardId!, /^shardId-\d{20}-[0-9a-f]{8}$/);
    assert.equal(described.Shards![0]!.SequenceNumberRange?.EndingSequenceNumber, undefined);

    await dynamodb.send(new UpdateTableCommand({ TableName: 'Switch', StreamSpecification: { StreamEnabled: false } }));
    const table = (await dynamodb.send(new DescribeTableCommand({ TableName: 'Switch' }))).Table!;
    assert.equal(table.LatestStreamArn, undefined);
    await dynamodb.send(new PutItemCommand({ TableName: 'Switch', Item: key('s', 2) }));
    const disabled = (await streams.send(new DescribeStreamCommand({ StreamArn: arn }))).StreamDescription!;
    assert.equal(disabled.StreamStatus, 'DISABLED');
    assert.ok(disabled.Shards![0]!.SequenceNumberRange?.EndingSequenceNumber);
    const shardId = disabled.Shards![0]!.ShardId!;
    const it = await streams.send(new GetShardIteratorCommand({ StreamArn: arn, ShardId: shardId, ShardIteratorType: 'TRIM_HORIZON' }));
    const first = await streams.send(new GetRecordsCommand({ ShardIterator: it.ShardIterator }));
    assert.deepEqual(
      first.Records?.map((r) => r.dynamodb?.Keys?.sk?.N),
      ['1'],
      'the write made after the stream was turned off is not in it',
    );
    const end = await streams.send(new GetRecordsCommand({ ShardIterator: first.NextShardIterator }));
    assert.deepEqual(end.Records, []);
    assert.equal(end.NextShardIterator, undefined, 'a closed shard read to its end has no next iterator');

    // Turned on again: a new stream (a new label and ARN).
    const again = await dynamodb.send(
      new UpdateTableCommand({ TableName: 'Switch', StreamSpecification: { StreamEnabled: true, StreamViewType: 'KEYS_ONLY' } }),
    );
    assert.ok(again.TableDescription?.LatestStreamArn && again.TableDescription.LatestStreamArn !== arn);
  });

  void it('refuses unknown streams and shards, bad sequence numbers and bad iterators in DynamoDB Streams error shapes', async () => {
    const arn = await createTable('Errors', 'KEYS_ONLY');
    const missing = `${arn.slice(0, arn.indexOf('/stream/'))}x/stream/2020-01-01T00:00:00.000`;
    await assert.rejects(streams.send(new DescribeStreamCommand({ StreamArn: missing })), { name: 'ResourceNotFoundException' });
    await assert.rejects(
      streams.send(new GetShardIteratorCommand({ StreamArn: arn, ShardId: 'shardId-00000000000000000000-00000000', ShardIteratorType: 'TRIM_HORIZON' })),
      { name: 'ResourceNotFoundException' },
    );
    const shardId = (await streams.send(new DescribeStreamCommand({ StreamArn: arn }))).StreamDescription!.Shards![0]!.ShardId!;
    await assert.rejects(streams.send(new GetShardIteratorCommand({ StreamArn: arn, ShardId: shardId, ShardIteratorType: 'AT_SEQUENCE_NUMBER' })), {
      name: 'ValidationException',
      message: /SequenceNumber is required/,
    });
    await assert.rejects(
      streams.send(
        new GetShardIteratorCommand({ StreamArn: arn, ShardId: shardId, ShardIteratorType: 'AFTER_SEQUENCE_NUMBER', SequenceNumber: 'x'.repeat(21) }),
      ),
      { name: 'ValidationException' },
    );
    await assert.rejects(streams.send(new GetRecordsCommand({ ShardIterator: 'not-an-iterator' })), { name: 'ValidationException', message: /ShardIterator/ });
    // An iterator from the start or the end takes no sequence number.
    for (const type of ['TRIM_HORIZON', 'LATEST'] as const) {
      const { StreamDescription } = await streams.send(new DescribeStreamCommand({ StreamArn: arn }));
      await assert.rejects(
        streams.send(
          new GetShardIteratorCommand({
            StreamArn: arn,
            ShardId: shardId,
            ShardIteratorType: type,
            SequenceNumber: StreamDescription!.Shards![0]!.SequenceNumberRange!.StartingSequenceNumber,
          }),
        ),
        { name: 'ValidationException', message: /SequenceNumber is only for/ },
      );
    }
    // A string that is no stream ARN at all is invalid, not just unknown, wherever a stream ARN is asked for.
    const bogus = 'sdfadfsdfnlfkajakfgjalksfgklasjklasdjfklasdfasdfgasf';
    await assert.rejects(streams.send(new DescribeStreamCommand({ StreamArn: bogus })), { name: 'ValidationException', message: /Invalid StreamArn/ });
    await assert.rejects(streams.send(new GetShardIteratorCommand({ StreamArn: bogus, ShardId: shardId, ShardIteratorType: 'LATEST' })), {
      name: 'ValidationException',
    });
    await assert.rejects(streams.send(new ListStreamsCommand({ ExclusiveStartStreamArn: bogus })), { name: 'ValidationException' });
    const old = Buffer.from(JSON.stringify({ s: arn, a: -1, t: Date.now() - 16 * 60_000 })).toString('base64url');
    await assert.rejects(streams.send(new GetRecordsCommand({ ShardIterator: old })), { name: 'ExpiredIteratorException' });
  });

  void it('filters shards by parent (CHILD_SHARDS): a stream that never splits its shard has none', async () => {
    const arn = await createTable('Children', 'KEYS_ONLY');
    const shardId = (await streams.send(new DescribeStreamCommand({ StreamArn: arn }))).StreamDescription!.Shards![0]!.ShardId!;
    const children = (await streams.send(new DescribeStreamCommand({ StreamArn: arn, ShardFilter: { Type: 'CHILD_SHARDS', ShardId: shardId } })))
      .StreamDescription!;
    assert.equal(children.StreamStatus, 'ENABLED');
    assert.equal(children.TableName, 'Children');
    assert.deepEqual(children.Shards, []);
    await assert.rejects(
      streams.send(new DescribeStreamCommand({ StreamArn: arn, ShardFilter: { Type: 'CHILD_SHARDS', ShardId: 'shardId-00000000000000000000-00000000' } })),
      { name: 'ResourceNotFoundException' },
    );
    for (const filter of [{ Type: 'PARENT_SHARDS', ShardId: shardId }, { ShardId: shardId }, { Type: 'CHILD_SHARDS' }]) {
      await assert.rejects(streams.send(new DescribeStreamCommand({ StreamArn: arn, ShardFilter: filter as never })), { name: 'ValidationException' });
    }
    await assert.rejects(streams.send(new DescribeStreamCommand({ StreamArn: arn, ShardFilter: { Type: 'CHILD_SHARDS', ShardId: 'qwerty' } })), {
      name: 'ValidationException',
      message: /ShardFilter\.ShardId/,
    });
  });

  void it("UpdateTable turns a stream on only where there is none and off only where there is one; a template's update changes its view", async () => {
    const arn = await createTable('Once', 'KEYS_ONLY');
    for (const view of ['KEYS_ONLY', 'NEW_IMAGE'] as const) {
      await assert.rejects(dynamodb.send(new UpdateTableCommand({ TableName: 'Once', StreamSpecification: { StreamEnabled: true, StreamViewType: view } })), {
        name: 'ValidationException',
        message: 'Table already has an enabled stream: TableName: Once',
      });
    }
    assert.equal((await dynamodb.send(new DescribeTableCommand({ TableName: 'Once' }))).Table?.LatestStreamArn, arn, 'the stream is unchanged');
    await dynamodb.send(new UpdateTableCommand({ TableName: 'Once', StreamSpecification: { StreamEnabled: false } }));
    await assert.rejects(dynamodb.send(new UpdateTableCommand({ TableName: 'Once', StreamSpecification: { StreamEnabled: false } })), {
      name: 'ValidationException',
      message: 'Table has no stream to disable: TableName: Once',
    });
    await createTable('Never');
    await assert.rejects(dynamodb.send(new UpdateTableCommand({ TableName: 'Never', StreamSpecification: { StreamEnabled: false } })), {
      name: 'ValidationException',
    });

    // A template says the state it wants: the same stream again changes nothing, another view is a new stream.
    const tables = handlerOf(cloud, 'Forte::DynamoDB::Table');
    const props = (view: string) => ({
      TableName: 'Templated',
      KeySchema: [{ AttributeName: 'id', KeyType: 'HASH' }],
      AttributeDefinitions: [{ AttributeName: 'id', AttributeType: 'S' }],
      StreamSpecification: { StreamViewType: view },
    });
    const created = await tables.create(props('NEW_IMAGE'), resourceContext(cloud, 'TemplatedTable'));
    const first = String(created.attributes.StreamArn);
    const same = await tables.update('Templated', props('NEW_IMAGE'), props('NEW_IMAGE'), resourceContext(cloud, 'TemplatedTable'));
    assert.equal(typeof same === 'object' && String(same.attributes?.StreamArn), first);
    // Even within the millisecond the first stream was made in (its label), the new stream gets an ARN of its own.
    mock.timers.enable({ apis: ['Date'], now: Date.parse(`${first.slice(first.lastIndexOf('/') + 1)}Z`) });
    const changed = await tables
      .update('Templated', props('KEYS_ONLY'), props('NEW_IMAGE'), resourceContext(cloud, 'TemplatedTable'))
      .finally(() => mock.timers.reset());
    const second = typeof changed === 'object' ? String(changed.attributes?.StreamArn) : '';
    assert.match(second, /table\/Templated\/stream\//);
    assert.notEqual(second, first);
  });

  void it('authorizes stream reads per stream ARN', async () => {
    const allowed = await createTable('Readable', 'NEW_IMAGE');
    const denied = await createTable('Secret', 'NEW_IMAGE');
    await dynamodb.send(new PutItemCommand({ TableName: 'Secret', Item: key('s', 1) }));
    const roleArn = String(
      (
        await handlerOf(cloud, RESOURCE_TYPES.role).create(
          {
            RoleName: 'stream-reader',
            AssumeRolePolicyDocument: identityPoolTrust(),
            Policies: [
              {
                PolicyName: 'streams',
                PolicyDocument: {
                  Version: '2012-10-17',
                  Statement: [{ Effect: 'Allow', Action: ['dynamodb:DescribeStream', 'dynamodb:GetShardIterator', 'dynamodb:GetRecords'], Resource: allowed }],
                },
              },
            ],
          },
          resourceContext(cloud, 'ReaderRole'),
        )
      ).attributes.Arn,
    );
    const pool = await handlerOf(cloud, AUTH_RESOURCE_TYPES.identityPool).create(
      { IdentityPoolName: 'readers', AllowUnauthenticatedIdentities: true, Roles: { authenticated: roleArn, unauthenticated: roleArn } },
      resourceContext(cloud, 'ReaderPool'),
    );
    const identity = new CognitoIdentityClient({ endpoint: cloud.url, region: cloud.credentials.region, credentials: cloud.credentials, maxAttempts: 1 });
    const { IdentityId } = await identity.send(new GetIdCommand({ IdentityPoolId: String(pool.attributes.IdentityPoolId) }));
    const { Credentials } = await identity.send(new GetCredentialsForIdentityCommand({ IdentityId }));
    identity.destroy();
    const credentials = { accessKeyId: Credentials!.AccessKeyId!, secretAccessKey: Credentials!.SecretKey!, sessionToken: Credentials!.SessionToken! };
    const reader = new DynamoDBStreamsClient({ endpoint: cloud.url, region: cloud.credentials.region, credentials, maxAttempts: 1 });
    try {
      const ok = await reader.send(new DescribeStreamCommand({ StreamArn: allowed }));
      assert.equal(ok.StreamDescription?.StreamArn, allowed);
      await assert.rejects(reader.send(new DescribeStreamCommand({ StreamArn: denied })), { name: 'AccessDeniedException' });
      // An iterator of the other stream, made by someone allowed to, is still refused to this caller.
      const shardId = (await streams.send(new DescribeStreamCommand({ StreamArn: denied }))).StreamDescription!.Shards![0]!.ShardId!;
      const it = await streams.send(new GetShardIteratorCommand({ StreamArn: denied, ShardId: shardId, ShardIteratorType: 'TRIM_HORIZON' }));
      await assert.rejects(reader.send(new GetRecordsCommand({ ShardIterator: it.ShardIterator })), { name: 'AccessDeniedException' });
    } finally {
      reader.destroy();
    }
  });
});

void describe('Time to Live', () => {
  void it('deletes expired items in the background with a REMOVE record by the TTL process, and leaves the rest', async () => {
    const arn = await createTable('Sessions', 'NEW_AND_OLD_IMAGES');
    await dynamodb.send(new UpdateTimeToLiveCommand({ TableName: 'Sessions', TimeToLiveSpecification: { AttributeName: 'expires', Enabled: true } }));
    const ttl = await dynamodb.send(new DescribeTimeToLiveCommand({ TableName: 'Sessions' }));
    assert.deepEqual(ttl.TimeToLiveDescription, { TimeToLiveStatus: 'ENABLED', AttributeName: 'expires' });
    const nowSeconds = Math.floor(Date.now() / 1000);
    await dynamodb.send(new PutItemCommand({ TableName: 'Sessions', Item: { ...key('old', 1), expires: { N: String(nowSeconds - 60) } } }));
    await dynamodb.send(new PutItemCommand({ TableName: 'Sessions', Item: { ...key('new', 1), expires: { N: String(nowSeconds + 3600) } } }));
    await dynamodb.send(new PutItemCommand({ TableName: 'Sessions', Item: { ...key('text', 1), expires: { S: String(nowSeconds - 60) } } }));
    await dynamodb.send(new PutItemCommand({ TableName: 'Sessions', Item: { ...key('ancient', 1), expires: { N: String(nowSeconds - 6 * 365 * 86_400) } } }));
    await dynamodb.send(new PutItemCommand({ TableName: 'Sessions', Item: key('none', 1) }));
    const deadline = Date.now() + 10_000;
    while ((await dynamodb.send(new GetItemCommand({ TableName: 'Sessions', Key: key('old', 1) }))).Item) {
      assert.ok(Date.now() < deadline, 'the expired item is deleted');
      await new Promise((resolve) => setTimeout(resolve, 50));
    }
    for (const left of ['new', 'text', 'ancient', 'none'])
      assert.ok((await dynamodb.send(new GetItemCommand({ TableName: 'Sessions', Key: key(left, 1) }))).Item, `${left} stays`);
    const removes = (await readAll(arn)).filter((r) => r.eventName === 'REMOVE');
    assert.equal(removes.length, 1);
    assert.deepEqual(removes[0]!.userIdentity, { Type: 'Service', PrincipalId: 'dynamodb.amazonaws.com' });
    assert.deepEqual(removes[0]!.dynamodb?.Keys, key('old', 1));
    assert.deepEqual(removes[0]!.dynamodb?.OldImage?.expires, { N: String(nowSeconds - 60) });
  });

  void it('expires an item once the TTL clock passes its time', async () => {
    await createTable('Carts');
    await dynamodb.send(new UpdateTimeToLiveCommand({ TableName: 'Carts', TimeToLiveSpecification: { AttributeName: 'until', Enabled: true } }));
    const inAnHour = Math.floor(Date.now() / 1000) + 3600;
    await dynamodb.send(new PutItemCommand({ TableName: 'Carts', Item: { ...key('cart', 1), until: { N: String(inAnHour) } } }));
    await new Promise((resolve) => setTimeout(resolve, 300));
    assert.ok((await dynamodb.send(new GetItemCommand({ TableName: 'Carts', Key: key('cart', 1) }))).Item, 'kept until its time');
    ttlAheadMs = 2 * 3600 * 1000;
    try {
      const deadline = Date.now() + 10_000;
      while ((await dynamodb.send(new GetItemCommand({ TableName: 'Carts', Key: key('cart', 1) }))).Item) {
        assert.ok(Date.now() < deadline, 'deleted once its time has passed');
        await new Promise((resolve) => setTimeout(resolve, 50));
      }
    } finally {
      ttlAheadMs = 0;
    }
  });

  void it('UpdateTimeToLive turns TTL on where it is off and off naming its attribute, refusing the rest as DynamoDB', async () => {
    await createTable('Expiring');
    const ttl = (spec: Record<string, unknown>) =>
      dynamodb.send(new UpdateTimeToLiveCommand({ TableName: 'Expiring', TimeToLiveSpecification: spec as never }));
    await assert.rejects(ttl({ AttributeName: 'exp', Enabled: false }), { name: 'ValidationException', message: 'TimeToLive is already disabled' });
    assert.deepEqual((await ttl({ AttributeName: 'exp', Enabled: true })).TimeToLiveSpecification, { AttributeName: 'exp', Enabled: true });
    await assert.rejects(ttl({ AttributeName: 'exp', Enabled: true }), { name: 'ValidationException', message: 'TimeToLive is already enabled' });
    for (const Enabled of [true, false]) {
      await assert.rejects(ttl({ AttributeName: 'other', Enabled }), {
        name: 'ValidationException',
        message: 'TimeToLive is active on a different AttributeName: current AttributeName is exp',
      });
    }
    const described = await dynamodb.send(new DescribeTimeToLiveCommand({ TableName: 'Expiring' }));
    assert.deepEqual(described.TimeToLiveDescription, { TimeToLiveStatus: 'ENABLED', AttributeName: 'exp' });
    await ttl({ AttributeName: 'exp', Enabled: false });
    assert.equal((await dynamodb.send(new DescribeTimeToLiveCommand({ TableName: 'Expiring' }))).TimeToLiveDescription?.TimeToLiveStatus, 'DISABLED');
    // The specification's members, checked as DynamoDB's request validation does.
    await assert.rejects(ttl({ AttributeName: 'x'.repeat(256), Enabled: true }), { name: 'ValidationException', message: /length less than or equal to 255/ });
    await assert.rejects(ttl({ AttributeName: '', Enabled: true }), { name: 'ValidationException', message: /length greater than or equal to 1/ });
    await assert.rejects(ttl({ Enabled: true }), { name: 'ValidationException', message: /timeToLiveSpecification\.attributeName/ });
    await assert.rejects(ttl({ AttributeName: 'exp' }), { name: 'ValidationException', message: /timeToLiveSpecification\.enabled/ });
  });

  void it('takes TimeToLiveSpecification from the table resource', async () => {
    const result = await handlerOf(cloud, 'Forte::DynamoDB::Table').create(
      {
        TableName: 'Tokens',
        KeySchema: [{ AttributeName: 'id', KeyType: 'HASH' }],
        AttributeDefinitions: [{ AttributeName: 'id', AttributeType: 'S' }],
        StreamSpecification: { StreamViewType: 'NEW_IMAGE' },
        TimeToLiveSpecification: { AttributeName: 'ttl', Enabled: true },
      },
      resourceContext(cloud, 'TokensTable'),
    );
    assert.match(String(result.attributes.StreamArn), /table\/Tokens\/stream\//);
    await dynamodb.send(new PutItemCommand({ TableName: 'Tokens', Item: { id: { S: 't1' }, ttl: { N: String(Math.floor(Date.now() / 1000) - 1) } } }));
    const deadline = Date.now() + 10_000;
    while ((await dynamodb.send(new GetItemCommand({ TableName: 'Tokens', Key: { id: { S: 't1' } } }))).Item) {
      assert.ok(Date.now() < deadline, 'the expired item is deleted');
      await new Promise((resolve) => setTimeout(resolve, 50));
    }
    const records = await readAll(String(result.attributes.StreamArn));
    assert.deepEqual(
      records.map((r) => [r.eventName, r.userIdentity?.PrincipalId ?? null]),
      [
        ['INSERT', null],
        ['REMOVE', 'dynamodb.amazonaws.com'],
      ],
    );
  });
});
