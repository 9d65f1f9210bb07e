import assert from 'node:assert/strict';
import { randomUUID } from 'node:crypto';
import { after, before, describe, it } from 'node:test';
import { CognitoIdentityProviderClient, InitiateAuthCommand } from '@aws-sdk/client-cognito-identity-provider';
import { deployTestApi, type DeployedTestApi } from './appsync-deploy.js';
import { createTestUsers } from './test-identity-pool.js';
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

// Owners may read everything but `secret`, which only the `Editors` group may read.
const OWNED_SCHEMA = /* GraphQL */ `
  type Note @model @auth(rules: [{ allow: owner }, { allow: groups, groups: ["Editors"] }]) {
    id: ID!
    text: String
    secret: String @auth(rules: [{ allow: groups, groups: ["Editors"] }])
  }
`;

let cloud: TestCloud;
let api: DeployedTestApi;
let owned: DeployedTestApi;
const tokens: Record<string, string> = {};

interface Answer {
  data: Record<string, any> | null;
  errors?: Array<{ path: string[] | null; data: any; errorType: string | null; message: string }>;
}
async function gql(query: string, variables: Record<string, unknown>, as?: string): Promise<Answer> {
  const auth: Record<string, string> = as ? { authorization: tokens[as]! } : { 'x-api-key': api.apiKey };
  const res = await fetch(as ? owned.url : api.url, {
    method: 'POST',
    headers: { 'content-type': 'application/json', ...auth },
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
  const users = await createTestUsers(cloud, { olga: [], edith: ['Editors'] });
  owned = await deployTestApi(cloud, {
    name: 'conflictowned',
    schema: OWNED_SCHEMA,
    userPoolId: users.userPoolId,
    authConfig: { defaultAuthentication: { authenticationType: 'AMAZON_COGNITO_USER_POOLS' } },
    resolverConfig: { project: { ConflictDetection: 'VERSION', ConflictHandler: 'OPTIMISTIC_CONCURRENCY' } },
  });
  const idp = new CognitoIdentityProviderClient({ endpoint: `${cloud.url}/cognito-idp/`, region: 'us-east-1', credentials: cloud.credentials, maxAttempts: 1 });
  for (const username of ['olga', 'edith']) {
    const signedIn = await idp.send(
      new InitiateAuthCommand({
        ClientId: users.clientId,
        AuthFlow: 'USER_PASSWORD_AUTH',
        AuthParameters: { USERNAME: username, PASSWORD: 'Correct-Horse-9' },
      }),
    );
    tokens[username] = signedIn.AuthenticationResult!.AccessToken!;
  }
  idp.destroy();
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

  void it('is answered as the field would be: the owner as a username, a field the caller may not read never there', async () => {
    const fields = 'id text secret owner _version _lastChangedAt _deleted';
    const note = ok(
      await gql(`mutation ($input: CreateNoteInput!) { createNote(input: $input) { id owner _version } }`, { input: { text: 'draft' } }, 'olga'),
      'createNote',
    );
    assert.equal(note.owner, 'olga');
    const update = `mutation operation($input: UpdateNoteInput!, $condition: ModelNoteConditionInput) { updateNote(input: $input, condition: $condition) { ${fields} also: secret } }`;
    ok(await gql(update, { input: { id: note.id, secret: 's3cret', _version: 1 }, condition: null }, 'edith'), 'updateNote');

    const stale = await gql(update, { input: { id: note.id, text: 'mine', _version: 1 }, condition: null }, 'olga');
    assert.equal(stale.errors?.[0]?.errorType, 'ConflictUnhandled');
    const data = stale.errors![0]!.data as Record<string, unknown>;
    assert.deepEqual(
      { id: data.id, text: data.text, owner: data.owner, _version: data._version },
      { id: note.id, text: 'draft', owner: 'olga', _version: 2 },
      'the owner as every answer gives it, not as stored (<sub>::<username>)',
    );
    assert.equal('secret' in data, false, JSON.stringify(data));
    assert.equal(data.also, null, 'not even under an alias');
    assert.ok(!JSON.stringify(stale).includes('s3cret'));

    const editor = await gql(update, { input: { id: note.id, text: 'edit', _version: 1 }, condition: null }, 'edith');
    assert.deepEqual({ secret: editor.errors?.[0]?.data?.secret, also: editor.errors?.[0]?.data?.also }, { secret: 's3cret', also: 's3cret' });
  });
});
