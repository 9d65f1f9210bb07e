import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import { KinesisClient, PutRecordCommand, PutRecordsCommand } from '@aws-sdk/client-kinesis';
import { eventsOf, until } from './events-fixture.js';
import { deployFunction, handlerOf, resourceContext, startLambdaCloud, type TestCloud } from './index.js';
import { deployRole } from './lambda-fixture.js';

const MAPPING = 'AWS::Lambda::EventSourceMapping';
/** Logs each event, as Amplify's Kinesis trigger template does with each record's data. */
const TRIGGER = `exports.handler = async (event) => {
  console.log('EVENT ' + JSON.stringify(event));
  return 'Successfully processed ' + event.Records.length + ' records.';
};`;

let cloud: TestCloud;
let kinesis: KinesisClient;

interface KinesisEvent {
  Records: Array<{
    kinesis: { kinesisSchemaVersion: string; partitionKey: string; sequenceNumber: string; data: string; approximateArrivalTimestamp: number };
    eventSource: string;
    eventVersion: string;
    eventID: string;
    eventName: string;
    awsRegion: string;
    eventSourceARN: string;
    invokeIdentityArn: string;
  }>;
}

const invocationsOf = async (fn: string): Promise<KinesisEvent[]> => (await eventsOf(cloud, fn)) as unknown as KinesisEvent[];
const recordsOf = async (fn: string): Promise<KinesisEvent['Records']> => (await invocationsOf(fn)).flatMap((e) => e.Records);
const dataOf = (record: KinesisEvent['Records'][number]): string => Buffer.from(record.kinesis.data, 'base64').toString('utf8');

async function stream(name: string, shards: number): Promise<string> {
  const created = await handlerOf(cloud, 'AWS::Kinesis::Stream').create({ Name: name, ShardCount: shards }, resourceContext(cloud, `${name}Stream`));
  return String(created.attributes.Arn);
}

const mapping = (fn: string, arn: string, properties: Record<string, unknown> = {}) =>
  handlerOf(cloud, MAPPING).create(
    { FunctionName: fn, EventSourceArn: arn, BatchSize: 100, StartingPosition: 'LATEST', Enabled: true, ...properties },
    resourceContext(cloud, `${fn}Mapping`),
  );

before(async () => {
  cloud = await startLambdaCloud();
  kinesis = new KinesisClient({ endpoint: cloud.url, region: cloud.credentials.region, credentials: cloud.credentials, maxAttempts: 1 });
});
after(async () => {
  kinesis.destroy();
  await cloud.close();
});

void describe('Kinesis triggers (AWS::Lambda::EventSourceMapping of a Kinesis stream)', () => {
  void it("delivers Lambda's Kinesis event: each invocation one shard's records, in the shard's order, from LATEST or TRIM_HORIZON", async () => {
    const arn = await stream('clicks-dev', 2);
    await kinesis.send(new PutRecordCommand({ StreamName: 'clicks-dev', PartitionKey: 'early', Data: Buffer.from('before the mappings') }));
    // Lambda's Kinesis records name the role the function is invoked with.
    const role = await deployRole(cloud, 'clickTrigger-role');
    await deployFunction(cloud, { name: 'clickTrigger', files: { 'index.js': TRIGGER }, role });
    await deployFunction(cloud, { name: 'clickArchive', files: { 'index.js': TRIGGER } });
    await mapping('clickTrigger', arn);
    await mapping('clickArchive', arn, { StartingPosition: 'TRIM_HORIZON', BatchSize: 2 });

    // Keys that fall in both shards (a partition key's MD5 picks its shard).
    const keys = ['alice', 'bob', 'carol', 'dave', 'erin', 'frank'];
    const put = await kinesis.send(
      new PutRecordsCommand({ StreamName: 'clicks-dev', Records: keys.map((key, i) => ({ PartitionKey: key, Data: Buffer.from(`click ${i} by ${key}`) })) }),
    );
    assert.equal(put.FailedRecordCount, 0);
    const shardOf = new Map(put.Records!.map((r, i) => [keys[i]!, r.ShardId!]));
    assert.equal(new Set(shardOf.values()).size, 2, 'the keys reach both shards');

    const records = await until(
      'six records',
      () => recordsOf('clickTrigger'),
      (r) => r.length >= 6,
      30_000,
    );
    assert.deepEqual(records.map(dataOf).sort(), keys.map((key, i) => `click ${i} by ${key}`).sort(), 'LATEST starts after what the stream held');
    for (const [i, record] of records.entries()) {
      const sent = put.Records![keys.indexOf(record.kinesis.partitionKey)]!;
      assert.deepEqual(
        { ...record, kinesis: { ...record.kinesis, approximateArrivalTimestamp: 0 } },
        {
          kinesis: {
            kinesisSchemaVersion: '1.0',
            partitionKey: record.kinesis.partitionKey,
            sequenceNumber: sent.SequenceNumber,
            data: record.kinesis.data,
            approximateArrivalTimestamp: 0,
          },
          eventSource: 'aws:kinesis',
          eventVersion: '1.0',
          eventID: `${sent.ShardId}:${sent.SequenceNumber}`,
          eventName: 'aws:kinesis:record',
          awsRegion: cloud.credentials.region,
          eventSourceARN: arn,
          invokeIdentityArn: role,
        },
        `record ${i}`,
      );
      assert.ok(Math.abs(record.kinesis.approximateArrivalTimestamp * 1000 - Date.now()) < 60_000, 'arrival in seconds since the epoch');
    }
    for (const event of await invocationsOf('clickTrigger')) {
      assert.equal(new Set(event.Records.map((r) => r.eventID.split(':')[0])).size, 1, 'one shard per invocation');
    }
    for (const shard of new Set(shardOf.values())) {
      const order = records.filter((r) => r.eventID.startsWith(`${shard}:`)).map((r) => BigInt(r.kinesis.sequenceNumber));
      assert.deepEqual(
        order,
        [...order].sort((a, b) => (a < b ? -1 : a > b ? 1 : 0)),
        `${shard} in order`,
      );
    }

    // TRIM_HORIZON: from the oldest record kept, the one put before the mapping too, at most BatchSize a call.
    const archived = await until(
      'seven records',
      () => invocationsOf('clickArchive'),
      (events) => events.flatMap((e) => e.Records).length >= 7,
      30_000,
    );
    assert.deepEqual(
      archived
        .flatMap((e) => e.Records)
        .map(dataOf)
        .sort(),
      ['before the mappings', ...keys.map((key, i) => `click ${i} by ${key}`)].sort(),
    );
    assert.ok(archived.every((e) => e.Records.length <= 2));
  });

  void it('refuses a Kinesis mapping without LATEST or TRIM_HORIZON, naming the setting', async () => {
    const arn = await stream('views-dev', 1);
    await deployFunction(cloud, { name: 'viewTrigger', files: { 'index.js': TRIGGER } });
    await assert.rejects(
      mapping('viewTrigger', arn, { StartingPosition: 'AT_TIMESTAMP' }),
      /StartingPosition: a Kinesis stream needs LATEST or TRIM_HORIZON here, got "AT_TIMESTAMP"/,
    );
    await assert.rejects(mapping('viewTrigger', arn, { StartingPosition: undefined }), /a Kinesis stream needs LATEST or TRIM_HORIZON here, got null/);
  });
});
