/**
 * The corpus app mood-board (../shared/corpus/gen1-projects) attached with `forte init` and pushed: its bucket, and its
 * analytics Kinesis stream, into which the app's guests put records (the analytics template's policy) and which its
 * function reads back with the SDK it finds in the runtime (@aws-sdk/client-kinesis, over HTTP/2). Its schema's
 * @function names `moodboardKinesisreader-${env}` while the function is `moodboardKinesisReader`: AWS deploys that,
 * and the field fails when it is queried; so does Forte, which says so at push. A file of its own so each end-to-end
 * file stays within the test timeout. Fails in CI when the corpus is missing.
 */
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { KinesisClient, PutRecordsCommand } from '@aws-sdk/client-kinesis';
import { guestCredentials } from '@forte/testing';
import { describeCorpusBucketPush } from './gen1-bucket-push.js';
import { runForte } from './forte-runner.js';

const readJson = (path: string): any => JSON.parse(readFileSync(path, 'utf8'));

describeCorpusBucketPush('mood-board', 'moodboardStorage', {
  pushWarnings: [
    /^⚠ api\w+\.GraphQLSchema: Query\.getKinesisEvents calls @function "moodboardKinesisreader-main", which does not exist in this environment \(main\)/,
  ],
  afterPush: {
    what: 'its Kinesis stream takes a guest’s records, its function reads them back, and a trigger added on it receives the next',
    check: async ({ root, home, meta, pushOutput }) => {
      assert.match(pushOutput, /analyticsmoodboardKinesis\.KinesisStream/);
      const stream = meta.analytics.moodboardKinesis.output;
      assert.match(stream.kinesisStreamArn, /^arn:aws:kinesis:us-east-1:\d{12}:stream\/moodboardKinesis-main$/);
      assert.equal(String(stream.kinesisStreamShardCount), '1');

      // A guest of the app, as aws-amplify's Kinesis analytics sends its events: the identity pool's credentials.
      const pool = meta.auth.moodboard759ae00a.output;
      const cloud = readJson(join(home, 'cloud', 'cloud.json')) as { url: string };
      const guest = await guestCredentials(cloud, pool.IdentityPoolId);
      const kinesis = new KinesisClient({
        endpoint: cloud.url,
        region: 'us-east-1',
        maxAttempts: 1,
        credentials: guest.credentials,
      });
      try {
        const put = await kinesis.send(
          new PutRecordsCommand({
            StreamName: 'moodboardKinesis-main',
            Records: [
              { PartitionKey: guest.identityId, Data: Buffer.from(JSON.stringify({ mood: 'happy' })) },
              { PartitionKey: guest.identityId, Data: Buffer.from(JSON.stringify({ mood: 'calm' })) },
            ],
          }),
        );
        assert.equal(put.FailedRecordCount, 0);
      } finally {
        kinesis.destroy();
      }

      const read = await runForte(['function', 'invoke', 'moodboardKinesisReader'], { cwd: root, home });
      assert.equal(read.code, 0, `${read.stdout}\n${read.stderr}`);
      const result = JSON.parse(read.stdout.slice(read.stdout.lastIndexOf('\n{'))) as { error?: string; shardId?: string; events?: Array<{ data: string }> };
      assert.equal(result.error, undefined, read.stdout);
      assert.equal(result.shardId, 'shardId-000000000000');
      assert.deepEqual(
        result.events?.map((e) => e.data),
        ['{"mood":"calm"}', '{"mood":"happy"}'],
        'newest first, as the function orders them',
      );

      // A Lambda trigger on the app's stream, added as Amplify's walkthrough adds it (the analytics Kinesis stream):
      // the records a guest puts from then on reach it.
      const added = await runForte(['add', 'function', '--headless'], {
        cwd: root,
        home,
        stdin: JSON.stringify({ name: 'moodTrigger', template: 'trigger', trigger: { type: 'kinesis-analytics', resourceName: 'moodboardKinesis' } }),
      });
      assert.equal(added.code, 0, added.stderr);
      const pushed = await runForte(['push', 'function', '--yes'], { cwd: root, home });
      assert.equal(pushed.code, 0, `${pushed.stdout}\n${pushed.stderr}`);
      assert.match(pushed.stdout, /functionmoodTrigger\.LambdaEventSourceMapping/);
      const again = new KinesisClient({ endpoint: cloud.url, region: 'us-east-1', maxAttempts: 1, credentials: guest.credentials });
      try {
        await again.send(
          new PutRecordsCommand({ StreamName: 'moodboardKinesis-main', Records: [{ PartitionKey: guest.identityId, Data: Buffer.from('{"mood":"proud"}') }] }),
        );
      } finally {
        again.destroy();
      }
      let logs = '';
      for (const until = Date.now() + 30_000; Date.now() < until && !logs.includes('Decoded payload: {"mood":"proud"}');) {
        logs = (await runForte(['function', 'logs', 'moodTrigger', '--since', '10m'], { cwd: root, home })).stdout;
        if (!logs.includes('"proud"')) await new Promise((resolve) => setTimeout(resolve, 500));
      }
      assert.match(logs, /Decoded payload: \{"mood":"proud"\}/);
      assert.doesNotMatch(logs, /"happy"|"calm"/, 'from LATEST: the records put before the trigger are not delivered');
    },
  },
});
