/**
 * The corpus app discussions-multi-ddb (../shared/corpus/gen1-projects), whose functions use its NoSQL tables (and which has a bucket),
 * attached with `forte init` and pushed; a file of its own so each end-to-end file stays well within the test
 * timeout. Fails in CI when the corpus is missing.
 */
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { DynamoDBClient, PutItemCommand } from '@aws-sdk/client-dynamodb';
import { describeCorpusBucketPush } from './gen1-bucket-push.js';

const readJson = (path: string): any => JSON.parse(readFileSync(path, 'utf8'));

describeCorpusBucketPush('discussions-multi-ddb', 'avatars', {
  afterPush: {
    what: 'its NoSQL tables deploy; fetchUserActivity queries a table through its function',
    check: async ({ home, meta }) => {
      assert.equal(meta.storage.activity.output.Name, 'activity-main');
      assert.equal(meta.storage.activity.output.SortKeyName, 'userId');
      assert.equal(meta.storage.bookmarks.output.Name, 'bookmarks-main');
      assert.match(meta.storage.bookmarks.output.StreamArn, /:table\/bookmarks-main\/stream\//);

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
    },
  },
});
