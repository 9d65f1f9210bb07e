import assert from 'node:assert/strict';
import { randomUUID } from 'node:crypto';
import { after, before, describe, it } from 'node:test';
import { deployTestApi, type DeployedTestApi } from './appsync-deploy.js';
import { startTestCloud, type TestCloud } from './index.js';

const SCHEMA = /* GraphQL */ `
  type Post @model @auth(rules: [{ allow: public }]) {
    id: ID!
    title: String
    comments: [Comment] @hasMany(indexName: "byPost", fields: ["id"])
  }
  type Comment @model @auth(rules: [{ allow: public }]) {
    id: ID!
    content: String
    postID: ID @index(name: "byPost")
    post: Post @belongsTo(fields: ["postID"])
  }
`;

let cloud: TestCloud;
let api: DeployedTestApi;

interface Answer {
  data: Record<string, any> | null;
  errors?: Array<{ path: string[] | null; data: any; errorType: string | null; message: string }>;
}
async function gql(query: string, variables: Record<string, unknown>): Promise<Answer> {
  const res = await fetch(api.url, {
    method: 'POST',
    headers: { 'content-type': 'application/json', 'x-api-key': api.apiKey },
    body: JSON.stringify({ query, variables }),
  });
  assert.equal(res.status, 200);
  return (await res.json()) as Answer;
}
const ok = (answer: Answer, field: string): any => {
  assert.equal(answer.errors, undefined, JSON.stringify(answer.errors));
  return answer.data![field];
};

before(async () => {
  cloud = await startTestCloud();
  api = await deployTestApi(cloud, {
    name: 'conflictdata',
    schema: SCHEMA,
    authConfig: { defaultAuthentication: { authenticationType: 'API_KEY' } },
    resolverConfig: { project: { ConflictDetection: 'VERSION', ConflictHandler: 'OPTIMISTIC_CONCURRENCY' } },
  });
});
after(() => cloud.close());

void describe("ConflictUnhandled's server item", () => {
  void it('is resolved through the whole selection set: relations, aliases, fragments and variables of nested fields', async () => {
    const post = ok(
      await gql('mutation ($input: CreatePostInput!) { createPost(input: $input) { id title _version } }', { input: { title: 'p' } }),
      'createPost',
    );
    const id = randomUUID();
    ok(
      await gql('mutation ($input: CreateCommentInput!) { createComment(input: $input) { id } }', { input: { id, content: 'first', postID: post.id } }),
      'createComment',
    );
    const edited = ok(
      await gql('mutation ($input: UpdateCommentInput!) { updateComment(input: $input) { id _version _lastChangedAt } }', {
        input: { id, content: 'server', _version: 1 },
      }),
      'updateComment',
    );
    // As DataStore selects a belongsTo (its key fields and `_deleted`), plus what another client might select.
    const stale = await gql(
      `mutation operation($input: UpdateCommentInput!, $condition: ModelCommentConditionInput, $limit: Int) {
        updateComment(input: $input, condition: $condition) {
          id content ...Keys
          post { id title _version _deleted comments(limit: $limit) { items { id content } } }
          heading: post { title }
          _version _lastChangedAt _deleted
        }
      }
      fragment Keys on Comment { postID }`,
      { input: { id, content: 'client', _version: 1 }, condition: null, limit: 5 },
    );
    assert.deepEqual(stale.data, { updateComment: null });
    assert.equal(stale.errors?.length, 1);
    const [error] = stale.errors!;
    assert.deepEqual(
      { errorType: error!.errorType, message: error!.message, data: error!.data },
      {
        errorType: 'ConflictUnhandled',
        message: 'Conflict resolver rejects mutation.',
        data: {
          id,
          content: 'server',
          postID: post.id,
          post: { id: post.id, title: 'p', _version: 1, _deleted: null, comments: { items: [{ id, content: 'server' }] } },
          heading: { title: 'p' },
          _version: 2,
          _lastChangedAt: edited._lastChangedAt,
          _deleted: null,
        },
      },
    );
  });
});
