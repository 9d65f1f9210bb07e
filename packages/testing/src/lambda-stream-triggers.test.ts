import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import { CloudWatchLogsClient, FilterLogEventsCommand } from '@aws-sdk/client-cloudwatch-logs';
import { CreateTableCommand, DeleteItemCommand, DescribeTableCommand, DynamoDBClient, PutItemCommand, UpdateItemCommand } from '@aws-sdk/client-dynamodb';
import { eventsOf, until } from './events-fixture.js';
import { deployTestApi } from './appsync-deploy.js';
import { deployFunction, handlerOf, resourceContext, startLambdaCloud, type TestCloud } from './index.js';

const MAPPING = 'AWS::Lambda::EventSourceMapping';
/** Logs each event; fails the whole batch when one of its records' new image has `fail`. */
const TRIGGER = `exports.handler = async (event) => {
  console.log('EVENT ' + JSON.stringify(event));
  if (event.Records.some((r) => r.dynamodb.NewImage && r.dynamodb.NewImage.fail)) throw new Error('cannot handle this record');
  return 'Successfully processed DynamoDB record';
};`;

let cloud: TestCloud;
let dynamodb: DynamoDBClient;

interface StreamEvent {
  Records: {
    eventID: string;
    eventName: string;
    eventSource: string;
    eventSourceARN: string;
    awsRegion: string;
    eventVersion: string;
    dynamodb: Record<string, any>;
  }[];
}

const recordsOf = async (fn: string): Promise<StreamEvent['Records']> => ((await eventsOf(cloud, fn)) as unknown as StreamEvent[]).flatMap((e) => e.Records);

async function table(name: string, viewType = 'NEW_IMAGE'): Promise<string> {
  const out = await dynamodb.send(
    new CreateTableCommand({
      TableName: name,
      KeySchema: [{ AttributeName: 'id', KeyType: 'HASH' }],
      AttributeDefinitions: [{ AttributeName: 'id', AttributeType: 'S' }],
      BillingMode: 'PAY_PER_REQUEST',
      StreamSpecification: { StreamEnabled: true, StreamViewType: viewType as 'NEW_IMAGE' },
    }),
  );
  return out.TableDescription!.LatestStreamArn!;
}

async function mapping(fn: string, streamArn: string, properties: Record<string, unknown> = {}): Promise<string> {
  const created = await handlerOf(cloud, MAPPING).create(
    { FunctionName: fn, EventSourceArn: streamArn, BatchSize: 100, StartingPosition: 'LATEST', Enabled: true, ...properties },
    resourceContext(cloud, `${fn}Mapping`),
  );
  return created.physicalId;
}

const put = (tableName: string, id: string, extra: Record<string, unknown> = {}) =>
  dynamodb.send(new PutItemCommand({ TableName: tableName, Item: { id: { S: id }, ...(extra as Record<string, { S: string }>) } }));

before(async () => {
  cloud = await startLambdaCloud();
  dynamodb = new DynamoDBClient({ endpoint: cloud.url, region: cloud.credentials.region, credentials: cloud.credentials, maxAttempts: 1 });
});
after(async () => {
  dynamodb.destroy();
  await cloud.close();
});

void describe('stream triggers (AWS::Lambda::EventSourceMapping of a DynamoDB stream)', () => {
  void it("delivers Lambda's DynamoDB event with every write, in order, from LATEST", async () => {
    const arn = await table('Beer');
    await put('Beer', 'before-the-mapping');
    await deployFunction(cloud, { name: 'beerTrigger', files: { 'index.js': TRIGGER } });
    await mapping('beerTrigger', arn);
    await put('Beer', 'ipa', { style: { S: 'IPA' } });
    await dynamodb.send(
      new UpdateItemCommand({
        TableName: 'Beer',
        Key: { id: { S: 'ipa' } },
        UpdateExpression: 'SET abv = :a',
        ExpressionAttributeValues: { ':a': { N: '6.5' } },
      }),
    );
    await dynamodb.send(new DeleteItemCommand({ TableName: 'Beer', Key: { id: { S: 'ipa' } } }));
    const records = await until(
      'three records',
      () => recordsOf('beerTrigger'),
      (r) => r.length >= 3,
      30_000,
    );
    assert.deepEqual(
      records.map((r) => `${r.eventName} ${r.dynamodb.Keys.id.S}`),
      ['INSERT ipa', 'MODIFY ipa', 'REMOVE ipa'],
      'LATEST starts after what the stream held when the mapping was made',
    );
    for (const record of records) {
      assert.equal(record.eventSource, 'aws:dynamodb');
      assert.equal(record.eventSourceARN, arn);
      assert.equal(record.eventVersion, '1.1');
      assert.equal(record.awsRegion, cloud.credentials.region);
      assert.equal(record.dynamodb.StreamViewType, 'NEW_IMAGE');
      assert.equal(typeof record.dynamodb.ApproximateCreationDateTime, 'number');
      assert.equal(typeof record.dynamodb.SizeBytes, 'number');
    }
    assert.deepEqual(records[1]!.dynamodb.NewImage, { id: { S: 'ipa' }, style: { S: 'IPA' }, abv: { N: '6.5' } });
    assert.equal(records[2]!.dynamodb.NewImage, undefined);
    const sequence = records.map((r) => BigInt(r.dynamodb.SequenceNumber as string));
    assert.ok(sequence[0]! < sequence[1]! && sequence[1]! < sequence[2]!);
  });

  void it('retries a failing batch MaximumRetryAttempts times, then reports it and goes on with the next records', async () => {
    const arn = await table('Fragile');
    await deployFunction(cloud, { name: 'fragileTrigger', files: { 'index.js': TRIGGER } });
    const uuid = await mapping('fragileTrigger', arn, { BatchSize: 1, MaximumRetryAttempts: 2 });
    await put('Fragile', 'bad', { fail: { S: 'yes' } });
    await put('Fragile', 'good');
    const records = await until(
      'the record after the failing one',
      () => recordsOf('fragileTrigger'),
      (r) => r.some((x) => x.dynamodb.Keys.id.S === 'good'),
      60_000,
    );
    assert.deepEqual(
      records.map((r) => r.dynamodb.Keys.id.S),
      ['bad', 'bad', 'bad', 'good'],
      'the first attempt and two retries, then the next record',
    );
    const skipped = cloud
      .logs()
      .map((line) => JSON.parse(line) as Record<string, unknown>)
      .find((line) => String(line.msg).startsWith('stream batch skipped') && line.mapping === uuid);
    assert.ok(skipped, 'the cloud log reports the skipped batch');
    assert.equal(skipped.first, records[0]!.dynamodb.SequenceNumber);
    assert.equal(skipped.records, 1);
    assert.match(String(skipped.error), /cannot handle this record/);
    const logs = new CloudWatchLogsClient({ endpoint: `${cloud.url}/logs/`, region: cloud.credentials.region, credentials: cloud.credentials, maxAttempts: 1 });
    try {
      const lines = await logs.send(new FilterLogEventsCommand({ logGroupName: '/aws/lambda/fragileTrigger', filterPattern: '"skipped"' }));
      assert.equal(lines.events?.length, 1, 'the function log says so too');
      assert.match(lines.events![0]!.message!, new RegExp(`skipped 1 record\\(s\\) of ${arn.replace(/[.*+?^${}()|[\]\\]/g, '\\$&')}.*after 3 failed attempt`));
      assert.match(lines.events![0]!.logStreamName!, /^\d{4}\/\d{2}\/\d{2}\/\[\$LATEST\][0-9a-f]{32}$/, "a stream named as Lambda's are");
    } finally {
      logs.destroy();
    }
  });

  void it('halves a failing batch with BisectBatchOnFunctionError, delivering the records before the bad one', async () => {
    const arn = await table('Halves');
    await deployFunction(cloud, { name: 'halvesTrigger', files: { 'index.js': TRIGGER } });
    const uuid = await mapping('halvesTrigger', arn, { Enabled: false, BatchSize: 4, MaximumRetryAttempts: 0, BisectBatchOnFunctionError: true });
    for (const id of ['a', 'b', 'c']) await put('Halves', id);
    await put('Halves', 'd', { fail: { S: 'yes' } });
    // Enabled later: the four records wait in the stream and come as one batch.
    await handlerOf(cloud, MAPPING).update(
      uuid,
      {
        FunctionName: 'halvesTrigger',
        EventSourceArn: arn,
        BatchSize: 4,
        StartingPosition: 'LATEST',
        MaximumRetryAttempts: 0,
        BisectBatchOnFunctionError: true,
      },
      {},
      resourceContext(cloud, 'halvesMapping'),
    );
    const events = await until(
      'the bisected batches',
      async () => (await eventsOf(cloud, 'halvesTrigger')) as unknown as StreamEvent[],
      (e) => e.some((x) => x.Records.length === 1 && x.Records[0]!.dynamodb.Keys.id.S === 'd'),
      60_000,
    );
    const batches = events.map((e) => e.Records.map((r) => r.dynamodb.Keys.id.S).join(''));
    assert.deepEqual(batches.slice(0, 2), ['abcd', 'ab'], 'the batch of four fails, its first half is tried');
    assert.ok(batches.includes('c') || batches.includes('cd'), `the rest is tried: ${batches.join(' ')}`);
    assert.equal(batches.at(-1), 'd');
  });

  void it('reads from TRIM_HORIZON, and a disabled mapping delivers nothing', async () => {
    const arn = await table('Horizon');
    await put('Horizon', 'early');
    await deployFunction(cloud, { name: 'horizonTrigger', files: { 'index.js': TRIGGER } });
    await deployFunction(cloud, { name: 'disabledTrigger', files: { 'index.js': TRIGGER } });
    await mapping('disabledTrigger', arn, { Enabled: false, StartingPosition: 'TRIM_HORIZON' });
    await mapping('horizonTrigger', arn, { StartingPosition: 'TRIM_HORIZON', MaximumBatchingWindowInSeconds: 1, BatchSize: 2 });
    await put('Horizon', 'later');
    const records = await until(
      'both records',
      () => recordsOf('horizonTrigger'),
      (r) => r.length >= 2,
      30_000,
    );
    assert.deepEqual(
      records.map((r) => r.dynamodb.Keys.id.S),
      ['early', 'later'],
    );
    assert.deepEqual(await recordsOf('disabledTrigger'), []);
  });

  void it('refuses a stream mapping without a StartingPosition', async () => {
    const arn = await table('NoStart');
    await assert.rejects(
      handlerOf(cloud, MAPPING).create({ FunctionName: 'beerTrigger', EventSourceArn: arn }, resourceContext(cloud, 'NoStartMapping')),
      /StartingPosition: a DynamoDB stream needs LATEST or TRIM_HORIZON/,
    );
  });

  void it('delivers the writes of GraphQL mutations on an @model table (NEW_AND_OLD_IMAGES)', async () => {
    const api = await deployTestApi(cloud, {
      schema: 'type Todo @model @auth(rules: [{ allow: public }]) { id: ID! name: String! }',
      authConfig: { defaultAuthentication: { authenticationType: 'API_KEY' }, additionalAuthenticationProviders: [] },
      name: 'todos',
    });
    const todoTable = (await dynamodb.send(new DescribeTableCommand({ TableName: `Todo-${api.apiId}-dev` }))).Table!;
    assert.equal(todoTable.StreamSpecification?.StreamViewType, 'NEW_AND_OLD_IMAGES');
    await deployFunction(cloud, { name: 'todoTrigger', files: { 'index.js': TRIGGER } });
    await mapping('todoTrigger', todoTable.LatestStreamArn!);
    const graphql = async (query: string, variables: Record<string, unknown>): Promise<Record<string, any>> => {
      const response = await fetch(api.url, {
        method: 'POST',
        headers: { 'content-type': 'application/json', 'x-api-key': api.apiKey },
        body: JSON.stringify({ query, variables }),
      });
      const body = (await response.json()) as { data?: Record<string, any>; errors?: unknown };
      assert.equal(body.errors, undefined, JSON.stringify(body.errors));
      return body.data!;
    };
    const created = await graphql('mutation ($input: CreateTodoInput!) { createTodo(input: $input) { id } }', { input: { name: 'write tests' } });
    const id = created.createTodo.id as string;
    await graphql('mutation ($input: UpdateTodoInput!) { updateTodo(input: $input) { id } }', { input: { id, name: 'write more tests' } });
    await graphql('mutation ($input: DeleteTodoInput!) { deleteTodo(input: $input) { id } }', { input: { id } });
    const records = await until(
      'three records',
      () => recordsOf('todoTrigger'),
      (r) => r.length >= 3,
      30_000,
    );
    assert.deepEqual(
      records.map((r) => r.eventName),
      ['INSERT', 'MODIFY', 'REMOVE'],
    );
    assert.equal(records[0]!.dynamodb.NewImage.__typename.S, 'Todo');
    assert.equal(records[1]!.dynamodb.OldImage.name.S, 'write tests');
    assert.equal(records[1]!.dynamodb.NewImage.name.S, 'write more tests');
    assert.equal(records[2]!.dynamodb.OldImage.name.S, 'write more tests');
    assert.deepEqual(records[2]!.dynamodb.Keys, { id: { S: id } });
  });
});
