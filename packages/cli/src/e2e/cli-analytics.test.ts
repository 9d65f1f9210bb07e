import assert from 'node:assert/strict';
import { existsSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { after, before, describe, it } from 'node:test';
import { KinesisClient, PutRecordCommand } from '@aws-sdk/client-kinesis';
import { guestCredentials } from '@forte/testing';
import { identityPoolAuthRequest, initProject, removeProject, runForte, runForteInTerminal } from './forte-runner.js';

const DOWN = '\x1b[B';

void describe('forte add | update | remove analytics (Amazon Kinesis Streams), pushed and used by a guest', () => {
  let work: string;
  let home: string;
  let root: string;
  const json = (path: string): any => JSON.parse(readFileSync(join(root, path), 'utf8'));
  before(async () => {
    ({ work, home, root } = await initProject('forte-analytics-', 'clickapp', { auth: identityPoolAuthRequest({ guests: true }) }));
  });
  after(() => removeProject({ work, home }));

  void it("Amplify's walkthrough writes the stream; the push deploys it, a guest puts records, and update and remove change the files", async () => {
    const add = await runForteInTerminal(['add', 'analytics'], { cwd: root, home }, [
      [/Select an Analytics provider/, `${DOWN}\r`],
      [/Enter a Stream name/, '\r'],
      [/Enter a number of shards/, '\r'],
    ]);
    assert.equal(add.code, 0, add.screen);
    assert.match(add.screen, /Successfully added resource clickappKinesis locally/);
    assert.equal(json('amplify/backend/analytics/clickappKinesis/parameters.json').kinesisStreamShardCount, 1);

    const push = await runForte(['push', '--yes'], { cwd: root, home });
    assert.equal(push.code, 0, push.stdout + push.stderr);
    assert.match(push.stdout, /analyticsclickappKinesis\.KinesisStream/);
    const output = json('amplify/backend/amplify-meta.json').analytics.clickappKinesis.output;
    assert.match(output.kinesisStreamArn, /^arn:aws:kinesis:us-east-1:\d{12}:stream\/clickappKinesis-dev$/);

    // A guest of the app, as aws-amplify's Kinesis analytics sends events: the template's policy lets it put records.
    const cloud = JSON.parse(readFileSync(join(home, 'cloud', 'cloud.json'), 'utf8')) as { url: string };
    const authName = Object.keys(json('amplify/backend/amplify-meta.json').auth)[0]!;
    const guest = await guestCredentials(cloud, json('amplify/backend/amplify-meta.json').auth[authName].output.IdentityPoolId);
    const kinesis = new KinesisClient({ endpoint: cloud.url, region: 'us-east-1', maxAttempts: 1, credentials: guest.credentials });
    try {
      const put = await kinesis.send(
        new PutRecordCommand({ StreamName: 'clickappKinesis-dev', PartitionKey: guest.identityId, Data: Buffer.from('{"click":1}') }),
      );
      assert.equal(put.ShardId, 'shardId-000000000000');
    } finally {
      kinesis.destroy();
    }

    const update = await runForteInTerminal(['update', 'analytics'], { cwd: root, home }, [[/Enter a number of shards/, '3\r']]);
    assert.equal(update.code, 0, update.screen);
    assert.match(update.screen, /Selected resource clickappKinesis/);
    assert.equal(json('amplify/backend/analytics/clickappKinesis/parameters.json').kinesisStreamShardCount, 3);
    const status = await runForte(['status'], { cwd: root, home });
    assert.match(status.stdout, /Analytics\s*│\s*clickappKinesis\s*│\s*Update/);

    const remove = await runForteInTerminal(['remove', 'analytics'], { cwd: root, home }, [[/Are you sure you want to delete the resource\?/, 'y\r']]);
    assert.equal(remove.code, 0, remove.screen);
    assert.equal(existsSync(join(root, 'amplify/backend/analytics/clickappKinesis')), false);
    assert.equal(json('amplify/backend/backend-config.json').analytics, undefined);
  });
});
