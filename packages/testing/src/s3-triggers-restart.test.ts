import assert from 'node:assert/strict';
import { spawn, type ChildProcess } from 'node:child_process';
import { readFile, rm } from 'node:fs/promises';
import { join } from 'node:path';
import { createInterface } from 'node:readline';
import { fileURLToPath } from 'node:url';
import { after, before, describe, it } from 'node:test';
import { PutObjectCommand, S3Client } from '@aws-sdk/client-s3';
import { until } from './events-fixture.js';
import { filledSdkCache, makeTempDir } from './index.js';

/**
 * A cloud in a child process, so the test can kill it with SIGKILL: with `SETUP=1` it also deploys a trigger
 * function (slow, so events are still waiting when the cloud is killed) that appends each record it gets to
 * `OUT`, and a bucket (AWS::S3::Bucket, as Amplify's storage stack) that notifies it. It prints its URL and keys.
 */
const CHILD = `
import { deployFunction, handlerOf, resourceContext, startLambdaCloud } from '@forte/testing';
const cloud = await startLambdaCloud({ dataDir: process.env.DATA_DIR, cacheDir: process.env.CACHE_DIR });
if (process.env.SETUP === '1') {
  const arn = await deployFunction(cloud, { name: 'recorder', files: { 'index.js': process.env.RECORDER }, variables: { OUT: process.env.OUT } });
  await handlerOf(cloud, 'AWS::Lambda::Permission').create(
    { FunctionName: 'recorder', Action: 'lambda:InvokeFunction', Principal: 's3.amazonaws.com', SourceArn: 'arn:aws:s3:::uploads' },
    resourceContext(cloud, 'TriggerPermissions'),
  );
  await handlerOf(cloud, 'AWS::S3::Bucket').create(
    { BucketName: 'uploads', NotificationConfiguration: { LambdaConfigurations: [{ Event: 's3:ObjectCreated:*', Function: arn }] } },
    resourceContext(cloud, 'S3Bucket'),
  );
}
process.stdout.write(JSON.stringify({ url: cloud.url, credentials: cloud.credentials }) + '\\n');
`;

const RECORDER = `const fs = require('node:fs');
exports.handler = async (event) => {
  await new Promise((resolve) => setTimeout(resolve, 150));
  for (const r of event.Records) fs.appendFileSync(process.env.OUT, JSON.stringify({ key: r.s3.object.key, size: r.s3.object.size, sequencer: r.s3.object.sequencer }) + '\\n');
};`;

interface Started {
  child: ChildProcess;
  url: string;
  credentials: { accessKeyId: string; secretAccessKey: string; region: string };
}
interface Delivery {
  key: string;
  size: number;
  sequencer: string;
}

const testingDir = fileURLToPath(new URL('..', import.meta.url));
let dataDir: string;
let cacheDir: string;
let out: string;
const children: ChildProcess[] = [];

async function startChild(env: Record<string, string>): Promise<Started> {
  const child = spawn(process.execPath, ['--input-type=module', '-e', CHILD], {
    cwd: testingDir,
    env: { ...process.env, DATA_DIR: dataDir, CACHE_DIR: cacheDir, RECORDER, OUT: out, ...env },
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

const deliveries = async (): Promise<Delivery[]> =>
  (await readFile(out, 'utf8').catch(() => ''))
    .split('\n')
    .filter(Boolean)
    .map((l) => JSON.parse(l) as Delivery);

before(async () => {
  dataDir = await makeTempDir('forte-s3-triggers-restart');
  cacheDir = await filledSdkCache();
  out = join(dataDir, 'deliveries.jsonl');
});
after(async () => {
  for (const child of children) if (child.exitCode === null && child.signalCode === null) child.kill('SIGKILL');
  await rm(dataDir, { recursive: true, force: true });
  await rm(cacheDir, { recursive: true, force: true });
});

void describe('S3 triggers across a kill -9 of the cloud', () => {
  void it('deliver the event of every acknowledged change after the restart, in order per key', async () => {
    const first = await startChild({ SETUP: '1' });
    const s3 = new S3Client({
      endpoint: `${first.url}/s3`,
      forcePathStyle: true,
      region: first.credentials.region,
      credentials: first.credentials,
      maxAttempts: 1,
    });
    const KEYS = ['a', 'b'];
    const CHANGES = 10;
    for (let i = 1; i <= CHANGES; i++) for (const Key of KEYS) await s3.send(new PutObjectCommand({ Bucket: 'uploads', Key, Body: 'x'.repeat(i) }));
    first.child.kill('SIGKILL');
    await new Promise((resolve) => first.child.once('exit', resolve));
    s3.destroy();
    const before = await deliveries();
    assert.ok(before.length < KEYS.length * CHANGES, `the kill left events undelivered (${before.length} were delivered before it)`);

    const second = await startChild({});
    try {
      const all = await until(
        'every change delivered',
        deliveries,
        (seen) => KEYS.every((key) => seen.filter((d) => d.key === key && d.size === CHANGES).length > 0),
        90_000,
      );
      for (const key of KEYS) {
        // At least once: an event under way at the kill may come again, right after itself, never out of order.
        const mine = all.filter((d) => d.key === key).filter((d, i, list) => i === 0 || d.sequencer !== list[i - 1]!.sequencer);
        assert.deepEqual(
          mine.map((d) => d.size),
          Array.from({ length: CHANGES }, (_, i) => i + 1),
          `the events of ${key} in order`,
        );
      }
    } finally {
      second.child.kill('SIGTERM');
      await new Promise((resolve) => second.child.once('exit', resolve));
    }
  });
});
