import assert from 'node:assert/strict';
import { Agent } from 'node:http';
import { readFile, rm } from 'node:fs/promises';
import { join } from 'node:path';
import { after, before, describe, it } from 'node:test';
import { InvokeCommand } from '@aws-sdk/client-lambda';
import {
  CompleteMultipartUploadCommand,
  CopyObjectCommand,
  CreateBucketCommand,
  CreateMultipartUploadCommand,
  DeleteBucketCommand,
  DeleteObjectCommand,
  DeleteObjectsCommand,
  GetBucketNotificationConfigurationCommand,
  PutBucketNotificationConfigurationCommand,
  PutObjectCommand,
  S3Client,
  UploadPartCommand,
} from '@aws-sdk/client-s3';
import { createPresignedPost } from '@aws-sdk/s3-presigned-post';
import { controlClient } from './events-control-client.js';
import { until } from './events-fixture.js';
import {
  PROXY_TEST_ADDRESS,
  callFailure,
  deployFunction,
  deployRole,
  handlerOf,
  lambdaClient,
  makeTempDir,
  proxyAddressSkipReason,
  resourceContext,
  startLambdaCloud,
  type TestCloud,
} from './index.js';

/**
 * Appends each record it gets to `OUT`, one JSON line each, after `WAIT_MS` (random up to it), and fails the
 * first `FAILURES` attempts of each record (counted by sequencer in `ATTEMPTS`, one line per attempt).
 */
const RECORDER = `const fs = require('node:fs');
exports.handler = async (event) => {
  const wait = Math.random() * Number(process.env.WAIT_MS || 0);
  if (wait > 0) await new Promise((resolve) => setTimeout(resolve, wait));
  for (const record of event.Records) {
    const sequencer = record.s3.object.sequencer;
    fs.appendFileSync(process.env.ATTEMPTS, sequencer + '\\n');
    const attempts = fs.readFileSync(process.env.ATTEMPTS, 'utf8').split('\\n').filter((line) => line === sequencer).length;
    if (attempts <= Number(process.env.FAILURES || 0)) throw new Error('attempt ' + attempts + ' of ' + sequencer + ' fails');
    fs.appendFileSync(process.env.OUT, JSON.stringify(record) + '\\n');
  }
};`;

/** Reads and writes the notification configuration of a bucket with its role's credentials, answering each outcome. */
const CONFIGURER = `const { S3Client, GetBucketNotificationConfigurationCommand, PutBucketNotificationConfigurationCommand } = require('@aws-sdk/client-s3');
const s3 = new S3Client({ forcePathStyle: true });
const outcome = (call) => call.then(() => 'ok', (error) => error.name);
exports.handler = async (event) => ({
  get: await outcome(s3.send(new GetBucketNotificationConfigurationCommand({ Bucket: event.bucket }))),
  put: await outcome(s3.send(new PutBucketNotificationConfigurationCommand({ Bucket: event.bucket, NotificationConfiguration: {} }))),
});`;

interface S3EventRecord {
  eventVersion: string;
  eventSource: string;
  awsRegion: string;
  eventTime: string;
  eventName: string;
  userIdentity: { principalId: string };
  requestParameters: { sourceIPAddress: string };
  responseElements: Record<string, string>;
  s3: {
    s3SchemaVersion: string;
    configurationId: string;
    bucket: { name: string; ownerIdentity: { principalId: string }; arn: string };
    object: { key: string; size?: number; eTag?: string; sequencer: string };
  };
}

/** The trigger part of Amplify's storage stack: the bucket notifies the function, after TriggerPermissions let it. */
const storageTemplate = (withPermission: boolean) => {
  const bucketName = { 'Fn::Join': ['', [{ Ref: 'bucketName' }, '-', { Ref: 'env' }]] };
  return {
    Parameters: {
      bucketName: { Type: 'String' },
      env: { Type: 'String', Default: 'dev' },
      functionS3TriggerArn: { Type: 'String' },
      functionS3TriggerName: { Type: 'String' },
    },
    Resources: {
      S3Bucket: {
        Type: 'AWS::S3::Bucket',
        ...(withPermission ? { DependsOn: ['TriggerPermissions'] } : {}),
        Properties: {
          BucketName: bucketName,
          NotificationConfiguration: {
            LambdaConfigurations: [
              { Event: 's3:ObjectCreated:*', Function: { Ref: 'functionS3TriggerArn' } },
              { Event: 's3:ObjectRemoved:*', Function: { Ref: 'functionS3TriggerArn' } },
            ],
          },
        },
      },
      ...(withPermission
        ? {
            TriggerPermissions: {
              Type: 'AWS::Lambda::Permission',
              Properties: {
                Action: 'lambda:InvokeFunction',
                FunctionName: { Ref: 'functionS3TriggerName' },
                Principal: 's3.amazonaws.com',
                SourceAccount: { Ref: 'AWS::AccountId' },
                SourceArn: { 'Fn::Join': ['', ['arn:aws:s3:::', bucketName]] },
              },
            },
          }
        : {}),
    },
    Outputs: { BucketName: { Value: { Ref: 'S3Bucket' } } },
  };
};

let cloud: TestCloud;
let s3: S3Client;
let dir: string;

/** A recorder function `name` (its files under `dir`) that S3 may invoke for `buckets`; answers its ARN. */
async function recorder(name: string, buckets: string[], variables: Record<string, string> = {}): Promise<string> {
  const arn = await deployFunction(cloud, {
    name,
    files: { 'index.js': RECORDER },
    variables: { OUT: join(dir, `${name}.out`), ATTEMPTS: join(dir, `${name}.attempts`), ...variables },
  });
  for (const bucket of buckets) await permit(name, bucket);
  return arn;
}

/** Amplify's TriggerPermissions: s3.amazonaws.com may invoke the function for this bucket of this account. */
async function permit(functionName: string, bucket: string): Promise<void> {
  await handlerOf(cloud, 'AWS::Lambda::Permission').create(
    {
      FunctionName: functionName,
      Action: 'lambda:InvokeFunction',
      Principal: 's3.amazonaws.com',
      SourceAccount: cloud.kernel.config.accountId,
      SourceArn: `arn:aws:s3:::${bucket}`,
    },
    resourceContext(cloud, `${functionName}Permission`),
  );
}

/** An `AWS::S3::Bucket` as Amplify's storage stack writes it: ObjectCreated and ObjectRemoved to one function. */
const bucketResource = (name: string, functionArn: string, extra: Record<string, unknown> = {}) =>
  handlerOf(cloud, 'AWS::S3::Bucket').create(
    {
      BucketName: name,
      NotificationConfiguration: {
        LambdaConfigurations: [
          { Event: 's3:ObjectCreated:*', Function: functionArn, ...extra },
          { Event: 's3:ObjectRemoved:*', Function: functionArn, ...extra },
        ],
      },
    },
    resourceContext(cloud, 'S3Bucket'),
  );

const lines = async (file: string): Promise<string[]> => (await readFile(file, 'utf8').catch(() => '')).split('\n').filter(Boolean);
const recordsOf = async (name: string): Promise<S3EventRecord[]> => (await lines(join(dir, `${name}.out`))).map((l) => JSON.parse(l) as S3EventRecord);
const received = (name: string, count: number) =>
  until(
    `${count} event(s) for ${name}`,
    () => recordsOf(name),
    (records) => records.length >= count,
    60_000,
  );
const pending = async (): Promise<number> => {
  const outbox = await cloud.kernel.sql.get<{ n: number }>('SELECT COUNT(*) AS n FROM s3_notification_outbox');
  const queued = await cloud.kernel.sql.get<{ n: number }>('SELECT COUNT(*) AS n FROM lambda_event_invocations');
  return Number(outbox?.n) + Number(queued?.n);
};
/** Waits until every recorded event was delivered or dropped. */
const settled = () => until('every event handled', pending, (n) => n === 0, 60_000);

before(async () => {
  // Connections from PROXY_TEST_ADDRESS stand for a load balancer's.
  cloud = await startLambdaCloud({ trustedProxies: [PROXY_TEST_ADDRESS] });
  dir = await makeTempDir('forte-s3-triggers');
  s3 = new S3Client({ endpoint: `${cloud.url}/s3`, forcePathStyle: true, region: cloud.credentials.region, credentials: cloud.credentials, maxAttempts: 1 });
});
after(async () => {
  s3.destroy();
  await cloud.close();
  await rm(dir, { recursive: true, force: true });
});

void describe('S3 triggers', () => {
  void it('name as sourceIPAddress the client a trusted balancer forwards for, and the caller itself otherwise', async (t) => {
    const skip = await proxyAddressSkipReason(cloud.port);
    if (skip) return void t.skip(skip);
    const arn = await recorder('forwarded', ['forwarded-dev']);
    await bucketResource('forwarded-dev', arn);
    // The same keys through the balancer; the client at 198.51.100.7 claimed 203.0.113.1 itself.
    const proxied = new S3Client({
      endpoint: `${cloud.url}/s3`,
      forcePathStyle: true,
      region: cloud.credentials.region,
      credentials: cloud.credentials,
      maxAttempts: 1,
      requestHandler: { httpAgent: new Agent({ localAddress: PROXY_TEST_ADDRESS }) },
    });
    proxied.middlewareStack.add(
      (next) => async (args) => {
        (args.request as { headers: Record<string, string> }).headers['x-forwarded-for'] = '203.0.113.1, 198.51.100.7';
        return next(args);
      },
      { step: 'build' },
    );
    try {
      await proxied.send(new PutObjectCommand({ Bucket: 'forwarded-dev', Key: 'through-the-balancer.txt', Body: 'a' }));
    } finally {
      proxied.destroy();
    }
    // Sent directly, the header is the caller's own claim.
    const direct = new S3Client({
      endpoint: `${cloud.url}/s3`,
      forcePathStyle: true,
      region: cloud.credentials.region,
      credentials: cloud.credentials,
      maxAttempts: 1,
    });
    direct.middlewareStack.add(
      (next) => async (args) => {
        (args.request as { headers: Record<string, string> }).headers['x-forwarded-for'] = '198.51.100.7';
        return next(args);
      },
      { step: 'build' },
    );
    try {
      await direct.send(new PutObjectCommand({ Bucket: 'forwarded-dev', Key: 'direct.txt', Body: 'b' }));
    } finally {
      direct.destroy();
    }
    const records = await received('forwarded', 2);
    const sourceOf = (key: string) => records.find((r) => r.s3.object.key === key)?.requestParameters.sourceIPAddress;
    assert.equal(sourceOf('through-the-balancer.txt'), '198.51.100.7');
    assert.equal(sourceOf('direct.txt'), '127.0.0.1');
  });

  void it("deliver S3's event for Put, multipart completion, Copy, Delete and DeleteObjects", async () => {
    const arn = await recorder('trigger', ['uploads-dev']);
    await bucketResource('uploads-dev', arn);
    const Bucket = 'uploads-dev';
    const odd = 'photos/Happy Face+1 été.jpg';
    const put = await s3.send(new PutObjectCommand({ Bucket, Key: odd, Body: 'hello' }));
    const upload = await s3.send(new CreateMultipartUploadCommand({ Bucket, Key: 'big.bin' }));
    const part = await s3.send(new UploadPartCommand({ Bucket, Key: 'big.bin', UploadId: upload.UploadId, PartNumber: 1, Body: 'parts' }));
    const completed = await s3.send(
      new CompleteMultipartUploadCommand({
        Bucket,
        Key: 'big.bin',
        UploadId: upload.UploadId,
        MultipartUpload: { Parts: [{ PartNumber: 1, ETag: part.ETag }] },
      }),
    );
    await s3.send(new CopyObjectCommand({ Bucket, Key: 'copy.txt', CopySource: `${Bucket}/${encodeURIComponent(odd)}` }));
    await s3.send(new DeleteObjectCommand({ Bucket, Key: 'copy.txt' }));
    await s3.send(new DeleteObjectCommand({ Bucket, Key: 'never-there.txt' }));
    await s3.send(new DeleteObjectsCommand({ Bucket, Delete: { Objects: [{ Key: odd }, { Key: 'big.bin' }, { Key: 'also-never-there' }] } }));

    const records = await received('trigger', 6);
    await settled();
    assert.equal((await recordsOf('trigger')).length, 6, 'no event for keys that held no object');
    const byKey = (key: string) => records.filter((r) => r.s3.object.key === key).map((r) => r.eventName);
    assert.deepEqual(byKey('photos/Happy+Face%2B1+%C3%A9t%C3%A9.jpg'), ['ObjectCreated:Put', 'ObjectRemoved:Delete']);
    assert.deepEqual(byKey('big.bin'), ['ObjectCreated:CompleteMultipartUpload', 'ObjectRemoved:Delete']);
    assert.deepEqual(byKey('copy.txt'), ['ObjectCreated:Copy', 'ObjectRemoved:Delete']);

    const first = records.find((r) => r.eventName === 'ObjectCreated:Put')!;
    assert.equal(first.eventVersion, '2.1');
    assert.equal(first.eventSource, 'aws:s3');
    assert.equal(first.awsRegion, cloud.kernel.config.region);
    assert.ok(Math.abs(Date.parse(first.eventTime) - Date.now()) < 120_000);
    assert.equal(first.userIdentity.principalId, `AWS:${cloud.credentials.accessKeyId}`);
    assert.equal(first.requestParameters.sourceIPAddress, '127.0.0.1');
    assert.equal(first.responseElements['x-amz-request-id'], put.$metadata.requestId);
    assert.match(first.responseElements['x-amz-id-2']!, /^[A-Za-z0-9+/=]{20,}$/);
    assert.equal(first.s3.s3SchemaVersion, '1.0');
    assert.equal(typeof first.s3.configurationId, 'string');
    assert.deepEqual(first.s3.bucket, { name: Bucket, ownerIdentity: { principalId: cloud.kernel.config.accountId }, arn: `arn:aws:s3:::${Bucket}` });
    assert.equal(first.s3.object.size, 5);
    assert.equal(first.s3.object.eTag, put.ETag!.replaceAll('"', ''));
    assert.match(first.s3.object.sequencer, /^[0-9A-F]+$/);
    const multipart = records.find((r) => r.eventName === 'ObjectCreated:CompleteMultipartUpload')!;
    assert.equal(multipart.s3.object.eTag, completed.ETag!.replaceAll('"', ''));
    const removed = records.find((r) => r.eventName === 'ObjectRemoved:Delete')!;
    assert.equal(removed.s3.object.size, undefined, 'a removal carries no size');
    assert.equal(removed.s3.object.eTag, undefined);
  });

  void it('deliver ObjectCreated:Post for a browser form upload, naming the key that signed the form', async () => {
    const arn = await recorder('poster', ['forms-dev']);
    await bucketResource('forms-dev', arn);
    // The helper may bring a newer copy of the S3 client than the tests' own: the client is the same at run time.
    const { url, fields } = await createPresignedPost(s3 as unknown as Parameters<typeof createPresignedPost>[0], {
      Bucket: 'forms-dev',
      Key: 'forms/${filename}',
      Conditions: [['starts-with', '$key', 'forms/']],
      Expires: 600,
    });
    const form = new FormData();
    for (const [name, value] of Object.entries(fields)) form.append(name, value);
    form.append('file', new Blob(['form']), 'sent.txt');
    const res = await fetch(url, { method: 'POST', body: form });
    assert.equal(res.status, 204, await res.text());
    const record = (await received('poster', 1))[0]!;
    assert.equal(record.eventName, 'ObjectCreated:Post');
    assert.equal(record.s3.object.key, 'forms/sent.txt');
    assert.equal(record.s3.object.size, 4);
    assert.equal(record.s3.object.eTag, res.headers.get('etag')!.replaceAll('"', ''));
    assert.equal(record.userIdentity.principalId, `AWS:${cloud.credentials.accessKeyId}`);
  });

  void it('deliver the events of one key in the order of its changes, each sequencer above the last', async () => {
    const arn = await recorder('ordered', ['ordered-dev'], { WAIT_MS: '40' });
    await bucketResource('ordered-dev', arn);
    const Bucket = 'ordered-dev';
    const CHANGES = 8;
    for (let i = 1; i <= CHANGES; i++) {
      await s3.send(new PutObjectCommand({ Bucket, Key: 'a', Body: 'x'.repeat(i) }));
      await s3.send(new PutObjectCommand({ Bucket, Key: 'b', Body: 'y'.repeat(i) }));
    }
    await s3.send(new DeleteObjectCommand({ Bucket, Key: 'a' }));
    await s3.send(new DeleteObjectCommand({ Bucket, Key: 'b' }));
    const records = await received('ordered', 2 * CHANGES + 2);
    for (const key of ['a', 'b']) {
      const mine = records.filter((r) => r.s3.object.key === key);
      assert.deepEqual(
        mine.map((r) => r.s3.object.size ?? 'deleted'),
        [...Array.from({ length: CHANGES }, (_, i) => i + 1), 'deleted'],
      );
      const sequencers = mine.map((r) => r.s3.object.sequencer);
      assert.ok(
        sequencers.every((s, i) => i === 0 || s > sequencers[i - 1]!),
        `sequencers grow: ${sequencers.join(' ')}`,
      );
    }
  });

  void it("deliver only what a configuration's prefix and suffix rules match", async () => {
    const arn = await recorder('images', ['filtered-dev']);
    await bucketResource('filtered-dev', arn, {
      Filter: {
        S3Key: {
          Rules: [
            { Name: 'prefix', Value: 'images/' },
            { Name: 'suffix', Value: '.jpg' },
          ],
        },
      },
    });
    for (const Key of ['images/a.png', 'docs/a.jpg', 'images/a.jpg', 'images.jpg'])
      await s3.send(new PutObjectCommand({ Bucket: 'filtered-dev', Key, Body: 'x' }));
    await received('images', 1);
    await settled();
    assert.deepEqual(
      (await recordsOf('images')).map((r) => r.s3.object.key),
      ['images/a.jpg'],
    );
  });

  void it('retry a failing function twice, holding back the later events of the same key until it is done', async () => {
    const flaky = await recorder('flaky', ['flaky-dev'], { FAILURES: '1' });
    await bucketResource('flaky-dev', flaky);
    await s3.send(new PutObjectCommand({ Bucket: 'flaky-dev', Key: 'k', Body: '1' }));
    await s3.send(new PutObjectCommand({ Bucket: 'flaky-dev', Key: 'k', Body: '22' }));
    const records = await received('flaky', 2);
    assert.deepEqual(
      records.map((r) => r.s3.object.size),
      [1, 2],
    );
    const [one, two] = records.map((r) => r.s3.object.sequencer);
    assert.deepEqual(await lines(join(dir, 'flaky.attempts')), [one, one, two, two], 'the second change waits for the retry of the first');

    const broken = await recorder('broken', ['broken-dev'], { FAILURES: '99' });
    await bucketResource('broken-dev', broken);
    await s3.send(new PutObjectCommand({ Bucket: 'broken-dev', Key: 'k', Body: '1' }));
    await until(
      'three attempts',
      () => lines(join(dir, 'broken.attempts')),
      (attempts) => attempts.length >= 3,
      60_000,
    );
    await settled();
    await new Promise((resolve) => setTimeout(resolve, 500)); // longer than the retry delays: nothing more runs
    assert.equal((await lines(join(dir, 'broken.attempts'))).length, 3, 'one attempt and two retries, then dropped');
    assert.deepEqual(await recordsOf('broken'), []);
  });

  void it("work through a push of Amplify's storage stack, and fail one without TriggerPermissions", async () => {
    const arn = await recorder('S3Trigger1ef46783-dev', []);
    const parameters = { functionS3TriggerArn: arn, functionS3TriggerName: 'S3Trigger1ef46783-dev' };
    const pushed = await controlClient(cloud).deploy('Catalog', storageTemplate(true), { ...parameters, bucketName: 'catalog' });
    assert.equal(pushed.status, 'SUCCEEDED', pushed.error);
    await s3.send(new PutObjectCommand({ Bucket: 'catalog-dev', Key: 'public/item 1.png', Body: 'png' }));
    const [record] = await received('S3Trigger1ef46783-dev', 1);
    assert.deepEqual([record!.eventName, record!.s3.bucket.name, record!.s3.object.key], ['ObjectCreated:Put', 'catalog-dev', 'public/item+1.png']);

    const failed = await controlClient(cloud).deploy('Unpermitted', storageTemplate(false), { ...parameters, bucketName: 'unpermitted' });
    assert.equal(failed.status, 'ROLLED_BACK');
    assert.match(String(failed.error), /Unable to validate the following destination configurations/);
    assert.equal((await callFailure(s3.send(new PutObjectCommand({ Bucket: 'unpermitted-dev', Key: 'k', Body: 'x' })))).name, 'NoSuchBucket');
  });

  void it('refuse a bucket resource whose function S3 may not invoke, leaving no bucket', async () => {
    const arn = await deployFunction(cloud, { name: 'unpermitted', files: { 'index.js': RECORDER } });
    await assert.rejects(bucketResource('refused-dev', arn), (error: Error) =>
      /Unable to validate the following destination configurations/.test(error.message),
    );
    assert.equal((await callFailure(s3.send(new PutObjectCommand({ Bucket: 'refused-dev', Key: 'k', Body: 'x' })))).name, 'NoSuchBucket');
  });

  void it('take PutBucketNotificationConfiguration and answer GetBucketNotificationConfiguration as S3', async () => {
    const Bucket = 'api-dev';
    await s3.send(new CreateBucketCommand({ Bucket }));
    const arn = await recorder('api-trigger', []);
    const LambdaFunctionConfigurations = [
      {
        Id: 'uploads',
        LambdaFunctionArn: arn,
        Events: ['s3:ObjectCreated:Put' as const],
        Filter: { Key: { FilterRules: [{ Name: 'prefix' as const, Value: 'uploads/' }] } },
      },
    ];
    const configure = () => s3.send(new PutBucketNotificationConfigurationCommand({ Bucket, NotificationConfiguration: { LambdaFunctionConfigurations } }));
    // Refused while the function's policy does not let S3 invoke it for this bucket.
    await permit('api-trigger', 'another-bucket');
    const refused = await callFailure(configure());
    assert.equal(refused.name, 'InvalidArgument');
    assert.equal(refused.status, 400);
    assert.match(refused.message, /Unable to validate the following destination configurations/);
    const missing = await callFailure(
      s3.send(
        new PutBucketNotificationConfigurationCommand({
          Bucket,
          NotificationConfiguration: {
            LambdaFunctionConfigurations: [{ ...LambdaFunctionConfigurations[0]!, LambdaFunctionArn: arn.replace('api-trigger', 'nope') }],
          },
        }),
      ),
    );
    assert.equal(missing.name, 'InvalidArgument');
    assert.equal((await s3.send(new GetBucketNotificationConfigurationCommand({ Bucket }))).LambdaFunctionConfigurations, undefined);

    await permit('api-trigger', Bucket);
    await configure();
    const got = await s3.send(new GetBucketNotificationConfigurationCommand({ Bucket }));
    assert.deepEqual(got.LambdaFunctionConfigurations, LambdaFunctionConfigurations);
    await s3.send(new PutObjectCommand({ Bucket, Key: 'elsewhere/x', Body: 'x' }));
    await s3.send(new PutObjectCommand({ Bucket, Key: 'uploads/x', Body: 'x' }));
    await received('api-trigger', 1);
    await settled();
    assert.deepEqual(
      (await recordsOf('api-trigger')).map((r) => [r.s3.configurationId, r.s3.object.key]),
      [['uploads', 'uploads/x']],
    );

    // An empty configuration turns notifications off.
    await s3.send(new PutBucketNotificationConfigurationCommand({ Bucket, NotificationConfiguration: {} }));
    assert.equal((await s3.send(new GetBucketNotificationConfigurationCommand({ Bucket }))).LambdaFunctionConfigurations, undefined);
    await s3.send(new PutObjectCommand({ Bucket, Key: 'uploads/y', Body: 'y' }));
    await settled();
    assert.equal((await recordsOf('api-trigger')).length, 1);

    // A deleted bucket's configuration goes with it: a new bucket of that name starts without one.
    await s3.send(new DeleteObjectsCommand({ Bucket, Delete: { Objects: [{ Key: 'elsewhere/x' }, { Key: 'uploads/x' }, { Key: 'uploads/y' }] } }));
    await configure();
    await s3.send(new DeleteBucketCommand({ Bucket }));
    await s3.send(new CreateBucketCommand({ Bucket }));
    assert.equal((await s3.send(new GetBucketNotificationConfigurationCommand({ Bucket }))).LambdaFunctionConfigurations, undefined);
  });

  void it('authorize the configuration calls as s3:GetBucketNotification and s3:PutBucketNotification', async () => {
    const role = await deployRole(cloud, 'configurer-role', [{ Effect: 'Allow', Action: 's3:GetBucketNotification', Resource: 'arn:aws:s3:::api-dev' }]);
    await deployFunction(cloud, { name: 'configurer', role, files: { 'index.js': CONFIGURER } });
    const lambda = lambdaClient(cloud);
    const out = await lambda.send(new InvokeCommand({ FunctionName: 'configurer', Payload: JSON.stringify({ bucket: 'api-dev' }) }));
    lambda.destroy();
    assert.deepEqual(JSON.parse(Buffer.from(out.Payload!).toString()), { get: 'ok', put: 'AccessDenied' });
  });
});
