/**
 * The corpus app discussions-multi-ddb (../shared/corpus/gen1-projects), whose functions use its NoSQL tables (and which has a bucket),
 * attached with `forte init` and pushed; a file of its own so each end-to-end file stays well within the test
 * timeout. Fails in CI when the corpus is missing.
 */
import assert from 'node:assert/strict';
import { cpSync, mkdtempSync, readFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, describe, it } from 'node:test';
import { DynamoDBClient, PutItemCommand } from '@aws-sdk/client-dynamodb';
import { sharedReference } from '@forte/protocol/shared-reference';
import { removeProject, runForte } from './forte-runner.js';

const shared = sharedReference('the Gen 1 project corpus', ['corpus/gen1-projects']);
const corpus = shared.dir === undefined ? '' : join(shared.dir, 'corpus/gen1-projects');
const readJson = (path: string): any => JSON.parse(readFileSync(path, 'utf8'));

void describe('forte init + push of a real Gen 1 project with NoSQL tables (built binary, local cloud)', { skip: shared.skip }, () => {
  let work: string;
  let home: string;
  before(() => {
    work = mkdtempSync(join(tmpdir(), 'forte-gen1-ddb-'));
    home = join(work, 'home');
  });
  after(() => removeProject({ work, home }));

  const copy = (project: string, as: string): string => {
    const root = join(work, as);
    cpSync(join(corpus, project, '_snapshot.pre.generate'), root, { recursive: true });
    return root;
  };

  void it('discussions-multi-ddb: the whole project pushes, its bucket too; fetchUserActivity queries a NoSQL table through its function', async () => {
    const root = copy('discussions-multi-ddb', 'discussions-ddb');
    const init = await runForte(['init', '--amplify', '{"envName":"main"}', '--yes'], { cwd: root, home });
    assert.equal(init.code, 0, init.stderr);
    const push = await runForte(['push', '--yes'], { cwd: root, home });
    assert.equal(push.code, 0, `${push.stdout}\n${push.stderr}`);
    const meta = readJson(join(root, 'amplify/backend/amplify-meta.json'));
    assert.equal(meta.storage.activity.output.Name, 'activity-main');
    assert.equal(meta.storage.activity.output.SortKeyName, 'userId');
    assert.equal(meta.storage.bookmarks.output.Name, 'bookmarks-main');
    assert.match(meta.storage.bookmarks.output.StreamArn, /:table\/bookmarks-main\/stream\//);
    const stackSuffix = readJson(join(root, 'amplify/team-provider-info.json')).main.awscloudformation.StackName.split('-')[3];
    assert.equal(meta.storage.avatars.output.BucketName, `discus-avatars${stackSuffix}-main`);

    // The project's own function queries the table's byUserId index through STORAGE_ACTIVITY_NAME, with read access only.
    const cloud = readJson(join(home, 'cloud', 'cloud.json')) as { url: string };
    const keys = readJson(join(home, 'cloud', 'admin-credentials.json')) as { accessKeyId: string; secretAccessKey: string };
    const db = new DynamoDBClient({ endpoint: `${cloud.url}/dynamodb`, region: 'us-east-1', credentials: keys, maxAttempts: 1 });
    try {
      for (const [id, timestamp] of [
        ['a1', '2026-01-01T00:00:00Z'],
        ['a2', '2026-01-02T00:00:00Z'],
      ] as const) {
        const Item = { id: { S: id }, userId: { S: 'u1' }, activityType: { S: 'INSERT_Post' }, timestamp: { S: timestamp } };
        await db.send(new PutItemCommand({ TableName: 'activity-main', Item }));
      }
    } finally {
      db.destroy();
    }
    const api = meta.api.discussions.output;
    const fetched = await fetch(api.GraphQLAPIEndpointOutput, {
      method: 'POST',
      headers: { 'content-type': 'application/json', 'x-api-key': api.GraphQLAPIKeyOutput },
      body: JSON.stringify({ query: '{ fetchUserActivity(userId: "u1") { id userId activityType timestamp } }' }),
    });
    const answer = (await fetched.json()) as { data?: { fetchUserActivity?: { id: string }[] }; errors?: unknown };
    assert.equal(answer.errors, undefined, JSON.stringify(answer.errors));
    assert.deepEqual(
      answer.data?.fetchUserActivity?.map((a) => a.id),
      ['a2', 'a1'],
      'newest first (ScanIndexForward: false on the index sort key)',
    );
  });
});
