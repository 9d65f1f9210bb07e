import assert from 'node:assert/strict';
import { spawn, type ChildProcess } from 'node:child_process';
import { rm } from 'node:fs/promises';
import { createInterface } from 'node:readline';
import { fileURLToPath } from 'node:url';
import { after, before, describe, it } from 'node:test';
import { DynamoDBClient, PutItemCommand, ScanCommand } from '@aws-sdk/client-dynamodb';
import { DescribeStreamCommand, DynamoDBStreamsClient, GetRecordsCommand, GetShardIteratorCommand } from '@aws-sdk/client-dynamodb-streams';
import { until } from './events-fixture.js';
import { filledSdkCache, makeTempDir } from './index.js';

/**
 * A cloud in a child process, so the test can kill it with SIGKILL: with `SETUP=1` it also deploys a table with
 * a stream, a `Deliveries` table, and a trigger that writes every record it gets into `Deliveries` (slowly, so
 * records are still waiting when the cloud is killed). It prints its URL, admin keys and the stream's ARN.
 */
const CHILD = `
import { CreateTableCommand, DynamoDBClient } from '@aws-sdk/client-dynamodb';
import { deployFunction, deployRole, handlerOf, resourceContext, startLambdaCloud } from '@forte/testing';
const cloud = await startLambdaCloud({ dataDir: process.env.DATA_DIR, cacheDir: process.env.CACHE_DIR });
const dynamodb = new DynamoDBClient({ endpoint: cloud.url, region: cloud.credentials.region, credentials: cloud.credentials, maxAttempts: 1 });
const table = (name, stream) => dynamodb.send(new CreateTableCommand({
  TableName: name,
  KeySchema: [{ AttributeName: 'id', KeyType: 'HASH' }],
  AttributeDefinitions: [{ AttributeName: 'id', AttributeType: 'S' }],
  ...(stream ? { StreamSpecification: { StreamEnabled: true, StreamViewType: 'NEW_IMAGE' } } : {}),
}));
let streamArn = process.env.STREAM_ARN;
if (process.env.SETUP === '1') {
  streamArn = (await table('Source', true)).TableDescription.LatestStreamArn;
  const deliveries = (await table('Deliveries', false)).TableDescription.TableArn;
  const role = await deployRole(cloud, 'recorder-role', [{ Effect: 'Allow', Action: 'dynamodb:PutItem', Resource: deliveries }]);
  await deployFunction(cloud, { name: 'recorder', role, files: { 'index.js': process.env.RECORDER } });
  await handlerOf(cloud, 'AWS::Lambda::EventSourceMapping').create(
    { FunctionName: 'recorder', EventSourceArn: streamArn, BatchSize: 2, StartingPosition: 'LATEST' },
    resourceContext(cloud, 'RecorderMapping'),
  );
}
process.stdout.write(JSON.stringify({ url: cloud.url, credentials: cloud.credentials, streamArn }) + '\\n');
`;

const RECORDER = `
const { DynamoDBClient, PutItemCommand } = require('@aws-sdk/client-dynamodb');
const client = new DynamoDBClient({});
exports.handler = async (event) => {
  await new Promise((resolve) => setTimeout(resolve, 150));
  for (const r of event.Records)
    await client.send(new PutItemCommand({ TableName: 'Deliveries', Item: { id: { S: r.dynamodb.SequenceNumber }, source: r.dynamodb.Keys.id } }));
};`;

interface Started {
  child: ChildProcess;
  url: string;
  credentials: { accessKeyId: string; secretAccessKey: string; region: string };
  streamArn: string;
}

const testingDir = fileURLToPath(new URL('..', import.meta.url));
let dataDir: string;
let cacheDir: string;
const children: ChildProcess[] = [];

async function startChild(env: Record<string, string>): Promise<Started> {
  const child = spawn(process.execPath, ['--input-type=module', '-e', CHILD], {
    cwd: testingDir,
    env: { ...process.env, DATA_DIR: dataDir, CACHE_DIR: cacheDir, RECORDER, ...env },
    stdio: ['ignore', 'pipe', 'inherit'],
  });
  children.push(child);
  const line = await new Promise<string>((resolve, reject) => {
    const lines = createInterface({ input: child.stdout! });
    lines.once('line', resolve);
    child.once('exit', (code) => reject(new Error(`the cloud's process ended (${code}) before it started`)));
  });
  return { child, ...(JSON.parse(line) as Omit<Started, 'child'>) };
}

const clients = (cloud: Started) => ({
  dynamodb: new DynamoDBClient({ endpoint: cloud.url, region: cloud.credentials.region, credentials: cloud.credentials, maxAttempts: 1 }),
  streams: new DynamoDBStreamsClient({ endpoint: cloud.url, region: cloud.credentials.region, credentials: cloud.credentials, maxAttempts: 1 }),
});

async function delivered(dynamodb: DynamoDBClient): Promise<Set<string>> {
  const out = await dynamodb.send(new ScanCommand({ TableName: 'Deliveries' }));
  return new Set((out.Items ?? []).map((item) => item.id!.S!));
}

before(async () => {
  dataDir = await makeTempDir('forte-stream-restart');
  cacheDir = await filledSdkCache();
});
after(async () => {
  for (const child of children) if (child.exitCode === null && child.signalCode === null) child.kill('SIGKILL');
  await rm(dataDir, { recursive: true, force: true });
  await rm(cacheDir, { recursive: true, force: true });
});

void describe('stream records across a kill -9 of the cloud', () => {
  void it('keeps every committed record and delivers each to the trigger after the restart', async () => {
    const first = await startChild({ SETUP: '1' });
    const one = clients(first);
    const WRITES = 20;
    for (let i = 0; i < WRITES; i++) await one.dynamodb.send(new PutItemCommand({ TableName: 'Source', Item: { id: { S: `item-${i}` } } }));
    first.child.kill('SIGKILL');
    await new Promise((resolve) => first.child.once('exit', resolve));
    one.dynamodb.destroy();
    one.streams.destroy();

    const second = await startChild({ STREAM_ARN: first.streamArn });
    const two = clients(second);
    try {
      // Every write the first cloud acknowledged is in the stream.
      const shardId = (await two.streams.send(new DescribeStreamCommand({ StreamArn: second.streamArn }))).StreamDescription!.Shards![0]!.ShardId!;
      const iterator = await two.streams.send(
        new GetShardIteratorCommand({ StreamArn: second.streamArn, ShardId: shardId, ShardIteratorType: 'TRIM_HORIZON' }),
      );
      const records = (await two.streams.send(new GetRecordsCommand({ ShardIterator: iterator.ShardIterator }))).Records ?? [];
      assert.deepEqual(
        records.map((r) => r.dynamodb?.Keys?.id?.S),
        Array.from({ length: WRITES }, (_, i) => `item-${i}`),
      );
      const before = await delivered(two.dynamodb);
      assert.ok(before.size < WRITES, `the kill left records undelivered (${before.size} of ${WRITES} were delivered before it)`);
      // ... and the restarted cloud delivers the rest, from where its mapping was.
      const all = await until(
        'every record delivered',
        () => delivered(two.dynamodb),
        (seen) => seen.size >= WRITES,
        60_000,
      );
      assert.deepEqual([...all].sort(), records.map((r) => r.dynamodb!.SequenceNumber!).sort());
    } finally {
      two.dynamodb.destroy();
      two.streams.destroy();
      second.child.kill('SIGTERM');
      await new Promise((resolve) => second.child.once('exit', resolve));
    }
  });
});
