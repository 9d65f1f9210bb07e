import assert from 'node:assert/strict';
import { createHash } from 'node:crypto';
import { after, before, describe, it } from 'node:test';
import {
  DescribeStreamCommand,
  GetRecordsCommand,
  GetShardIteratorCommand,
  KinesisClient,
  ListShardsCommand,
  ListStreamsCommand,
  PutRecordCommand,
  PutRecordsCommand,
} from '@aws-sdk/client-kinesis';
import type { ResourceContext } from '@forte/cloud';
import { Hash } from '@smithy/hash-node';
import { SignatureV4 } from '@smithy/signature-v4';
import { AUTH_RESOURCE_TYPES, RESOURCE_TYPES } from '@forte/protocol';
import { callFailure, guestCredentials, identityPoolTrust, startTestCloud, type TestCloud } from './index.js';
import { resourceContext } from './lambda-fixture.js';

const STREAM = 'AWS::Kinesis::Stream';
let cloud: TestCloud;
let admin: KinesisClient;
let guest: KinesisClient;
const ctx = (logicalId: string): ResourceContext => resourceContext(cloud, logicalId);
const text = (data: Uint8Array | undefined): string => Buffer.from(data ?? []).toString('utf8');

/** Every record of every shard of `stream`, from the oldest kept, read as a consumer reads them. */
async function readAll(client: KinesisClient, stream: string): Promise<Array<{ shard: string; key: string; data: string; sequence: string }>> {
  const out: Array<{ shard: string; key: string; data: string; sequence: string }> = [];
  const { Shards } = await client.send(new ListShardsCommand({ StreamName: stream }));
  for (const shard of Shards ?? []) {
    let iterator = (await client.send(new GetShardIteratorCommand({ StreamName: stream, ShardId: shard.ShardId, ShardIteratorType: 'TRIM_HORIZON' })))
      .ShardIterator;
    for (;;) {
      const page = await client.send(new GetRecordsCommand({ ShardIterator: iterator, Limit: 7 }));
      for (const r of page.Records ?? []) out.push({ shard: shard.ShardId!, key: r.PartitionKey!, data: text(r.Data), sequence: r.SequenceNumber! });
      iterator = page.NextShardIterator;
      if ((page.Records ?? []).length === 0) break;
    }
  }
  return out;
}

before(async () => {
  cloud = await startTestCloud();
  const streams = cloud.kernel.resourceHandler(STREAM)!;
  const clicks = await streams.create({ Name: 'clicks-dev', ShardCount: '2' }, ctx('KinesisStream'));
  await streams.create({ Name: 'other-dev' }, ctx('Other'));
  // The guest role as Amplify's analytics template grants it: kinesis:PutRecord(s) on its stream alone.
  const roles = cloud.kernel.resourceHandler(RESOURCE_TYPES.role)!;
  const roleArn = String((await roles.create({ RoleName: 'unauth-role', AssumeRolePolicyDocument: identityPoolTrust() }, ctx('Role'))).attributes.Arn);
  await cloud.kernel.resourceHandler(RESOURCE_TYPES.policy)!.create(
    {
      PolicyName: 'kinesis_amplify',
      Roles: ['unauth-role'],
      PolicyDocument: {
        Version: '2012-10-17',
        Statement: [{ Effect: 'Allow', Action: ['kinesis:PutRecord', 'kinesis:PutRecords'], Resource: clicks.attributes.Arn }],
      },
    },
    ctx('CognitoUnauthPolicy'),
  );
  const pool = await cloud.kernel
    .resourceHandler(AUTH_RESOURCE_TYPES.identityPool)!
    .create({ IdentityPoolName: 'pool', AllowUnauthenticatedIdentities: true, Roles: { authenticated: roleArn, unauthenticated: roleArn } }, ctx('Pool'));
  const guestKeys = (await guestCredentials(cloud, String(pool.attributes.IdentityPoolId))).credentials;
  admin = new KinesisClient({
    endpoint: `${cloud.url}/kinesis/`,
    region: 'us-east-1',
    credentials: cloud.credentials,
    maxAttempts: 1,
  });
  guest = new KinesisClient({
    endpoint: cloud.url,
    region: 'us-east-1',
    credentials: guestKeys,
    maxAttempts: 1,
  });
});
after(async () => {
  admin.destroy();
  guest.destroy();
  await cloud.close();
});

void describe('Kinesis Data Streams through @aws-sdk/client-kinesis', () => {
  void it('describes a stream: its shards split the hash key space evenly', async () => {
    const { StreamDescription: d } = await admin.send(new DescribeStreamCommand({ StreamName: 'clicks-dev' }));
    assert.equal(d?.StreamStatus, 'ACTIVE');
    assert.equal(d?.StreamARN, `arn:aws:kinesis:us-east-1:${cloud.kernel.config.accountId}:stream/clicks-dev`);
    assert.equal(d?.RetentionPeriodHours, 24);
    assert.deepEqual(
      d?.Shards?.map((s) => [s.ShardId, s.HashKeyRange?.StartingHashKey, s.HashKeyRange?.EndingHashKey]),
      [
        ['shardId-000000000000', '0', String((1n << 127n) - 1n)],
        ['shardId-000000000001', String(1n << 127n), String((1n << 128n) - 1n)],
      ],
    );
    assert.deepEqual((await admin.send(new ListStreamsCommand({}))).StreamNames, ['clicks-dev', 'other-dev']);
  });

  void it('puts records in the shard of their partition key and reads them back in order, as a consumer does', async () => {
    const keys = Array.from({ length: 20 }, (_, i) => `user-${i % 5}`);
    const put = await admin.send(
      new PutRecordsCommand({ StreamName: 'clicks-dev', Records: keys.map((key, i) => ({ PartitionKey: key, Data: Buffer.from(`click ${i} by ${key}`) })) }),
    );
    assert.equal(put.FailedRecordCount, 0);
    const shardOfKey = (key: string): string => `shardId-00000000000${BigInt(`0x${createHash('md5').update(key).digest('hex')}`) >> 127n}`;
    assert.deepEqual(
      put.Records?.map((r) => r.ShardId),
      keys.map(shardOfKey),
    );
    const sequences = put.Records!.map((r) => BigInt(r.SequenceNumber!));
    assert.ok(
      sequences.every((s, i) => i === 0 || s > sequences[i - 1]!),
      'sequence numbers increase',
    );
    const one = await admin.send(
      new PutRecordCommand({
        StreamARN: put.Records && `arn:aws:kinesis:us-east-1:${cloud.kernel.config.accountId}:stream/clicks-dev`,
        PartitionKey: 'user-0',
        Data: Buffer.from('last'),
      }),
    );
    assert.equal(one.ShardId, shardOfKey('user-0'));

    const read = await readAll(admin, 'clicks-dev');
    assert.equal(read.length, 21);
    for (const r of read) assert.equal(r.shard, shardOfKey(r.key));
    // Within a shard, in the order written.
    const user0 = read.filter((r) => r.key === 'user-0').map((r) => r.data);
    assert.deepEqual(user0, ['click 0 by user-0', 'click 5 by user-0', 'click 10 by user-0', 'click 15 by user-0', 'last']);

    // LATEST sees only what comes after it; AFTER_SEQUENCE_NUMBER goes on from a record.
    const shard = shardOfKey('user-1');
    const latest = await admin.send(new GetShardIteratorCommand({ StreamName: 'clicks-dev', ShardId: shard, ShardIteratorType: 'LATEST' }));
    assert.deepEqual((await admin.send(new GetRecordsCommand({ ShardIterator: latest.ShardIterator }))).Records, []);
    await admin.send(new PutRecordCommand({ StreamName: 'clicks-dev', PartitionKey: 'user-1', Data: Buffer.from('new') }));
    const fresh = await admin.send(new GetRecordsCommand({ ShardIterator: latest.ShardIterator }));
    assert.deepEqual(
      fresh.Records?.map((r) => text(r.Data)),
      ['new'],
    );
    const first = read.find((r) => r.key === 'user-1')!;
    const afterFirst = await admin.send(
      new GetShardIteratorCommand({
        StreamName: 'clicks-dev',
        ShardId: shard,
        ShardIteratorType: 'AFTER_SEQUENCE_NUMBER',
        StartingSequenceNumber: first.sequence,
      }),
    );
    const rest = await admin.send(new GetRecordsCommand({ ShardIterator: afterFirst.ShardIterator, Limit: 1 }));
    const inShard = read.filter((r) => r.shard === shard);
    assert.equal(text(rest.Records?.[0]?.Data), inShard[inShard.indexOf(first) + 1]!.data);
    // An answer that reaches the shard's end is not behind (records were written some milliseconds before).
    await new Promise((resolve) => setTimeout(resolve, 5));
    const toEnd = await admin.send(new GetRecordsCommand({ ShardIterator: rest.NextShardIterator }));
    assert.equal(text(toEnd.Records?.at(-1)?.Data), 'new');
    assert.equal(toEnd.MillisBehindLatest, 0);
  });

  void it('refuses what Kinesis refuses, with its errors', async () => {
    const missing = await callFailure(admin.send(new PutRecordCommand({ StreamName: 'nope', PartitionKey: 'k', Data: Buffer.from('x') })));
    assert.equal(missing.name, 'ResourceNotFoundException');
    assert.match(missing.message, /Stream nope under account \d{12} not found/);
    const large = await callFailure(admin.send(new PutRecordCommand({ StreamName: 'clicks-dev', PartitionKey: 'k', Data: Buffer.alloc(1024 * 1024 + 1) })));
    assert.equal(large.name, 'ValidationException');
    const noShard = await callFailure(
      admin.send(new GetShardIteratorCommand({ StreamName: 'clicks-dev', ShardId: 'shardId-000000000002', ShardIteratorType: 'TRIM_HORIZON' })),
    );
    assert.equal(noShard.name, 'ResourceNotFoundException');
    const forged = Buffer.from(JSON.stringify(['clicks-dev', 0, 0, 0, Date.now() - 1])).toString('base64url');
    assert.equal((await callFailure(admin.send(new GetRecordsCommand({ ShardIterator: forged })))).name, 'ExpiredIteratorException');
    const garbage = await callFailure(admin.send(new GetRecordsCommand({ ShardIterator: 'not-an-iterator' })));
    assert.equal(garbage.name, 'InvalidArgumentException');
  });

  void it('a guest role puts records only into the stream its policy names, and reads none', async () => {
    await guest.send(new PutRecordsCommand({ StreamName: 'clicks-dev', Records: [{ PartitionKey: 'guest', Data: Buffer.from('from a guest') }] }));
    assert.ok((await readAll(admin, 'clicks-dev')).some((r) => r.data === 'from a guest'));
    // The calls run at once and answer in any order: each failure is taken as it comes, never left unhandled.
    const refusals = await Promise.all(
      [
        guest.send(new PutRecordCommand({ StreamName: 'other-dev', PartitionKey: 'guest', Data: Buffer.from('x') })),
        guest.send(new GetShardIteratorCommand({ StreamName: 'clicks-dev', ShardId: 'shardId-000000000000', ShardIteratorType: 'TRIM_HORIZON' })),
        guest.send(new DescribeStreamCommand({ StreamName: 'clicks-dev' })),
        guest.send(new ListStreamsCommand({})),
      ].map((call) => callFailure(call)),
    );
    assert.deepEqual(
      refusals.map((e) => e.name),
      ['AccessDeniedException', 'AccessDeniedException', 'AccessDeniedException', 'AccessDeniedException'],
    );
    // An iterator names its stream: reading with one the guest did not get is refused on that stream too.
    const iterator = (
      await admin.send(new GetShardIteratorCommand({ StreamName: 'clicks-dev', ShardId: 'shardId-000000000000', ShardIteratorType: 'TRIM_HORIZON' }))
    ).ShardIterator;
    assert.equal((await callFailure(guest.send(new GetRecordsCommand({ ShardIterator: iterator })))).name, 'AccessDeniedException');
    const unsigned = await fetch(`${cloud.url}/kinesis/`, {
      method: 'POST',
      headers: { 'content-type': 'application/x-amz-json-1.1', 'x-amz-target': 'Kinesis_20131202.PutRecord' },
      body: JSON.stringify({ StreamName: 'clicks-dev', PartitionKey: 'k', Data: 'eA==' }),
    });
    assert.equal(unsigned.status, 403);
    assert.match(await unsigned.text(), /MissingAuthenticationToken/);
  });

  void it('takes calls signed for the AWS host at /kinesis-aws/<host>/ (as @forte/amplify sends a browser’s), verified against that host', async () => {
    const signer = new SignatureV4({ service: 'kinesis', region: 'us-east-1', credentials: cloud.credentials, sha256: Hash.bind(null, 'sha256') });
    const body = JSON.stringify({ StreamName: 'clicks-dev', PartitionKey: 'aws-host', Data: Buffer.from('via the AWS host').toString('base64') });
    const signed = await signer.sign({
      method: 'POST',
      protocol: 'https:',
      hostname: 'kinesis.us-east-1.amazonaws.com',
      path: '/',
      headers: { host: 'kinesis.us-east-1.amazonaws.com', 'content-type': 'application/x-amz-json-1.1', 'x-amz-target': 'Kinesis_20131202.PutRecord' },
      body,
    });
    const send = (path: string): Promise<Response> => {
      const headers = { ...signed.headers };
      delete headers['host'];
      return fetch(`${cloud.url}${path}`, { method: 'POST', headers, body });
    };
    const ok = await send('/kinesis-aws/kinesis.us-east-1.amazonaws.com/');
    assert.equal(ok.status, 200, await ok.clone().text());
    assert.match(String(((await ok.json()) as { SequenceNumber?: string }).SequenceNumber), /^\d+$/);
    // Another host in the path than the one signed: the signature does not match.
    const moved = await send('/kinesis-aws/kinesis.us-west-2.amazonaws.com/');
    assert.equal(moved.status, 403);
    assert.match(await moved.text(), /InvalidSignatureException/);
    // A host that is not Kinesis's is no Kinesis route.
    assert.equal((await send('/kinesis-aws/evil.example/')).status, 404);
  });

  void it('AWS::Kinesis::Stream: counts its records for the change set, changes its shards in place, and deletes them with it', async () => {
    const streams = cloud.kernel.resourceHandler(STREAM)!;
    const count = await streams.storedData!.count('other-dev', {});
    assert.equal(count, 0);
    await admin.send(
      new PutRecordsCommand({
        StreamName: 'other-dev',
        Records: [
          { PartitionKey: 'a', Data: Buffer.from('1') },
          { PartitionKey: 'b', Data: Buffer.from('2') },
        ],
      }),
    );
    assert.equal(await streams.storedData!.count('other-dev', {}), 2);
    await streams.update('other-dev', { Name: 'other-dev', ShardCount: 3, RetentionPeriodHours: 48 }, { Name: 'other-dev' }, ctx('Other'));
    const { StreamDescription: d } = await admin.send(new DescribeStreamCommand({ StreamName: 'other-dev' }));
    assert.equal(d?.Shards?.length, 3);
    assert.equal(d?.RetentionPeriodHours, 48);
    assert.equal(await streams.storedData!.count('other-dev', {}), 2, 'its records stay');
    const bad = await callFailure(streams.create({ Name: 'x', StreamEncryption: { EncryptionType: 'KMS', KeyId: 'alias/aws/kinesis' } }, ctx('Bad')));
    assert.match(bad.message, /StreamEncryption is not supported by Forte/);
    await streams.delete('other-dev', {}, ctx('Other'));
    assert.equal(await streams.storedData!.count('other-dev', {}), 0);
    assert.equal((await callFailure(admin.send(new DescribeStreamCommand({ StreamName: 'other-dev' })))).name, 'ResourceNotFoundException');
  });
});
