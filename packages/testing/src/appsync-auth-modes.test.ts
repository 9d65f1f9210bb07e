import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import { CognitoIdentityProviderClient, InitiateAuthCommand } from '@aws-sdk/client-cognito-identity-provider';
import { TABLES } from '@forte/cloud';
import { deployTestApi, type DeployedTestApi } from './appsync-deploy.js';
import { createTestUsers } from './test-identity-pool.js';
import { startTestCloud, type TestCloud } from './index.js';

const SCHEMA = /* GraphQL */ `
  type Note @model @auth(rules: [{ allow: owner, ownerField: "editors", identityClaim: "username" }]) {
    id: ID!
    title: String
    editors: [String]
  }
  type Post @model @auth(rules: [{ allow: public }]) {
    id: ID!
    title: String
    meta: AWSJSON
    contact: AWSEmail
    status: String @default(value: "draft")
    tags: [Tag] @manyToMany(relationName: "PostTags")
  }
  type Tag @model @auth(rules: [{ allow: public }]) {
    id: ID!
    label: String
    posts: [Post] @manyToMany(relationName: "PostTags")
  }
  type Profile @model @auth(rules: [{ allow: owner }, { allow: public, operations: [read] }]) {
    id: ID!
    name: String
    salary: Int @auth(rules: [{ allow: owner, operations: [read] }])
  }
`;

const MEMO_SCHEMA = /* GraphQL */ `
  type Memo @model @auth(rules: [{ allow: owner, provider: oidc, identityClaim: "sub" }, { allow: private, provider: oidc, operations: [read] }]) {
    id: ID!
    text: String
  }
`;

let cloud: TestCloud;
let api: DeployedTestApi;
let oidcApi: DeployedTestApi;
let versionedApi: DeployedTestApi;
const tokens: Record<string, { access: string; id: string }> = {};

async function call(
  target: DeployedTestApi,
  headers: Record<string, string>,
  query: string,
  variables: Record<string, unknown> = {},
): Promise<{ status: number; errorType: string | null; json: any }> {
  const res = await fetch(target.url, {
    method: 'POST',
    headers: { 'content-type': 'application/json', ...headers },
    body: JSON.stringify({ query, variables }),
  });
  return { status: res.status, errorType: res.headers.get('x-amzn-errortype'), json: await res.json() };
}
const user = (name: string, use: 'access' | 'id' = 'access'): Record<string, string> => ({ authorization: tokens[name]![use] });

before(async () => {
  cloud = await startTestCloud();
  const users = await createTestUsers(cloud, { alice: [], bob: [], carol: [] });
  const idp = new CognitoIdentityProviderClient({ endpoint: `${cloud.url}/cognito-idp/`, region: 'us-east-1', credentials: cloud.credentials, maxAttempts: 1 });
  for (const name of ['alice', 'bob', 'carol']) {
    const out = await idp.send(
      new InitiateAuthCommand({ ClientId: users.clientId, AuthFlow: 'USER_PASSWORD_AUTH', AuthParameters: { USERNAME: name, PASSWORD: 'Correct-Horse-9' } }),
    );
    tokens[name] = { access: out.AuthenticationResult!.AccessToken!, id: out.AuthenticationResult!.IdToken! };
  }
  api = await deployTestApi(cloud, {
    schema: SCHEMA,
    userPoolId: users.userPoolId,
    authConfig: {
      defaultAuthentication: { authenticationType: 'AMAZON_COGNITO_USER_POOLS' },
      additionalAuthenticationProviders: [{ authenticationType: 'API_KEY' }],
    },
  });
  oidcApi = await deployTestApi(cloud, {
    name: 'memos',
    schema: MEMO_SCHEMA,
    authConfig: {
      defaultAuthentication: {
        authenticationType: 'OPENID_CONNECT',
        openIDConnectConfig: { name: 'cloud', issuerUrl: `${cloud.url}/${users.userPoolId}`, clientId: users.clientId },
      },
      additionalAuthenticationProviders: [{ authenticationType: 'AWS_LAMBDA', lambdaAuthorizerConfig: { lambdaFunction: 'authorizer' } }],
    },
  });
  versionedApi = await deployTestApi(cloud, {
    name: 'synced',
    schema: 'type Item @model @auth(rules: [{ allow: public }]) { id: ID! name: String }',
    authConfig: { defaultAuthentication: { authenticationType: 'API_KEY' } },
    resolverConfig: { project: { ConflictDetection: 'VERSION', ConflictHandler: 'OPTIMISTIC_CONCURRENCY' } },
  });
});
after(() => cloud.close());

void describe('AppSync auth modes and rules beyond the basics', () => {
  void it("accepts user pool ID tokens as well as access tokens, and refuses another pool's or a forged one", async () => {
    const query = 'mutation { createProfile(input: {name: "Alice"}) { id name owner } }';
    const viaAccess = await call(api, user('alice'), query);
    assert.equal(viaAccess.json.data.createProfile.owner, 'alice');
    const viaId = await call(api, user('alice', 'id'), query);
    assert.equal(viaId.json.data.createProfile.owner, 'alice');
    const [head, payload] = tokens.alice!.access.split('.');
    const forged = await call(api, { authorization: `${head}.${payload}.${Buffer.from('nope').toString('base64url')}` }, query);
    assert.equal(forged.status, 401);
    assert.equal(forged.errorType, 'UnauthorizedException');
  });

  void it('multi-owner lists with identityClaim username: every listed editor, nobody else', async () => {
    const created = await call(api, user('alice'), 'mutation { createNote(input: {title: "shared", editors: ["alice", "bob"]}) { id editors } }');
    assert.deepEqual(created.json.data.createNote.editors, ['alice', 'bob']);
    const own = await call(api, user('alice'), 'mutation { createNote(input: {title: "mine"}) { id editors } }');
    assert.deepEqual(own.json.data.createNote.editors, ['alice'], 'a missing owner list is filled with the caller');
    const id = created.json.data.createNote.id as string;

    const bobUpdate = await call(api, user('bob'), 'mutation ($id: ID!) { updateNote(input: {id: $id, title: "edited"}) { title } }', { id });
    assert.equal(bobUpdate.json.data.updateNote.title, 'edited');
    const bobList = await call(api, user('bob'), 'query { listNotes { items { title } } }');
    assert.deepEqual(
      bobList.json.data.listNotes.items.map((n: any) => n.title),
      ['edited'],
    );

    const carolGet = await call(api, user('carol'), 'query ($id: ID!) { getNote(id: $id) { title } }', { id });
    assert.equal(carolGet.json.data.getNote, null);
    assert.equal(carolGet.json.errors[0].errorType, 'Unauthorized');
    assert.deepEqual((await call(api, user('carol'), 'query { listNotes { items { title } } }')).json.data.listNotes.items, []);
    const carolDelete = await call(api, user('carol'), 'mutation ($id: ID!) { deleteNote(input: {id: $id}) { id } }', { id });
    assert.equal(carolDelete.json.errors[0].message, 'Not Authorized to access deleteNote on type Mutation');
    const bobDrops = await call(api, user('bob'), 'mutation ($id: ID!) { updateNote(input: {id: $id, editors: ["carol"]}) { id } }', { id });
    assert.equal(bobDrops.json.errors[0].errorType, 'Unauthorized', 'an owner may not hand the item to others only');
  });

  void it('field-level rules: unreadable fields are null with an error, unwritable fields refuse the mutation', async () => {
    const created = await call(api, user('alice'), 'mutation { createProfile(input: {name: "A2"}) { id } }');
    const id = created.json.data.createProfile.id as string;
    await cloud.kernel
      .capability(TABLES)
      .update({ table: `Profile-${api.apiId}-dev`, key: { id: { S: id } }, update: { expression: 'SET salary = :s', values: { ':s': { N: '100' } } } });
    const asOwner = await call(api, user('alice'), 'query ($id: ID!) { getProfile(id: $id) { name salary } }', { id });
    assert.deepEqual(asOwner.json, { data: { getProfile: { name: 'A2', salary: 100 } } });
    const asPublic = await call(api, { 'x-api-key': api.apiKey }, 'query ($id: ID!) { getProfile(id: $id) { name salary } }', { id });
    assert.deepEqual(asPublic.json.data, { getProfile: { name: 'A2', salary: null } });
    assert.equal(asPublic.json.errors[0].message, 'Not Authorized to access salary on type Profile');
    assert.deepEqual(asPublic.json.errors[0].path, ['getProfile', 'salary']);
    const write = await call(api, user('alice'), 'mutation ($id: ID!) { updateProfile(input: {id: $id, salary: 1}) { id } }', { id });
    assert.equal(write.json.errors[0].message, 'Not Authorized to access updateProfile on type Mutation');
  });

  void it('many-to-many through the join model, AWSJSON, @default and scalar formats', async () => {
    const key = { 'x-api-key': api.apiKey };
    const post = await call(api, key, 'mutation { createPost(input: {title: "p", meta: "{\\"a\\":[1,2]}"}) { id status meta } }');
    assert.equal(post.json.data.createPost.status, 'draft');
    assert.deepEqual(JSON.parse(post.json.data.createPost.meta), { a: [1, 2] });
    const stored = await cloud.kernel.capability(TABLES).get({ table: `Post-${api.apiId}-dev`, key: { id: { S: post.json.data.createPost.id } } });
    assert.ok(stored?.meta && 'M' in stored.meta, 'AWSJSON is stored as a map');
    const tag = await call(api, key, 'mutation { createTag(input: {label: "news"}) { id } }');
    await call(api, key, 'mutation ($p: ID!, $t: ID!) { createPostTags(input: {postId: $p, tagId: $t}) { id } }', {
      p: post.json.data.createPost.id,
      t: tag.json.data.createTag.id,
    });
    const read = await call(api, key, 'query ($id: ID!) { getPost(id: $id) { tags { items { tag { label posts { items { post { title } } } } } } } }', {
      id: post.json.data.createPost.id,
    });
    assert.equal(read.json.errors, undefined);
    assert.equal(read.json.data.getPost.tags.items[0].tag.label, 'news');
    assert.equal(read.json.data.getPost.tags.items[0].tag.posts.items[0].post.title, 'p');

    const badEmail = await call(api, key, 'mutation { createPost(input: {contact: "not-an-email"}) { id } }');
    assert.equal(badEmail.json.data, null);
    assert.match(badEmail.json.errors[0].message, /AWSEmail/);
    const badJson = await call(api, key, 'mutation ($m: AWSJSON) { createPost(input: {meta: $m}) { id } }', { m: '{not json' });
    assert.match(badJson.json.errors[0].message, /AWSJSON/);
  });

  void it("OPENID_CONNECT with this cloud's user pool as issuer: owner by sub, private read; a token no authorizer function accepts refused", async () => {
    const created = await call(oidcApi, user('alice'), 'mutation { createMemo(input: {text: "m"}) { id owner } }');
    assert.equal(created.json.errors, undefined);
    const id = created.json.data.createMemo.id as string;
    const bobRead = await call(oidcApi, user('bob'), 'query ($id: ID!) { getMemo(id: $id) { text } }', { id });
    assert.equal(bobRead.json.data.getMemo.text, 'm', 'private read for any signed-in user of the issuer');
    const bobWrite = await call(oidcApi, user('bob'), 'mutation ($id: ID!) { updateMemo(input: {id: $id, text: "x"}) { id } }', { id });
    assert.equal(bobWrite.json.errors[0].errorType, 'Unauthorized');
    const lambda = await call(oidcApi, { authorization: 'custom-token' }, 'query { listMemos { items { id } } }');
    assert.equal(lambda.status, 401);
    // Its AWS_LAMBDA provider names a function that does not exist: refused, the reason in the cloud's log.
    assert.equal(lambda.json.errors[0].errorType, 'UnauthorizedException');
    assert.match(lambda.json.errors[0].message, /You are not authorized to make this call/);
    const key = await call(oidcApi, { 'x-api-key': oidcApi.apiKey }, 'query { listMemos { items { id } } }');
    assert.equal(key.status, 401, 'an API without API_KEY refuses keys');

    const foreign = await deployTestApi(cloud, {
      name: 'foreign',
      schema: MEMO_SCHEMA,
      authConfig: {
        defaultAuthentication: { authenticationType: 'OPENID_CONNECT', openIDConnectConfig: { name: 'other', issuerUrl: 'https://login.example.com' } },
      },
    });
    const elsewhere = await call(foreign, user('alice'), 'query { listMemos { items { id } } }');
    assert.equal(elsewhere.status, 401);
    assert.match(elsewhere.json.errors[0].message, /issuer https:\/\/login\.example\.com is not one of this cloud's user pools/);
  });

  void it('conflict detection: _version on every write, ConflictUnhandled on a stale one, soft deletes', async () => {
    const key = { 'x-api-key': versionedApi.apiKey };
    const fields = 'id name _version _deleted _lastChangedAt';
    const created = await call(versionedApi, key, `mutation { createItem(input: {name: "a"}) { ${fields} } }`);
    const id = created.json.data.createItem.id as string;
    assert.equal(created.json.data.createItem._version, 1);
    const updated = await call(versionedApi, key, `mutation ($id: ID!) { updateItem(input: {id: $id, name: "b", _version: 1}) { ${fields} } }`, { id });
    assert.equal(updated.json.data.updateItem._version, 2);
    const stale = await call(versionedApi, key, `mutation ($id: ID!) { updateItem(input: {id: $id, name: "c", _version: 1}) { ${fields} } }`, { id });
    assert.equal(stale.json.data.updateItem, null);
    assert.equal(stale.json.errors[0].errorType, 'ConflictUnhandled');
    assert.equal(stale.json.errors[0].data.name, 'b', 'the conflict answers the server item');
    const deleted = await call(versionedApi, key, `mutation ($id: ID!) { deleteItem(input: {id: $id, _version: 2}) { ${fields} } }`, { id });
    assert.equal(deleted.json.data.deleteItem._deleted, true);
    assert.equal(deleted.json.data.deleteItem._version, 3);
    const after = await call(versionedApi, key, `query ($id: ID!) { getItem(id: $id) { ${fields} } }`, { id });
    assert.equal(after.json.data.getItem._deleted, true, 'soft-deleted items stay readable until their _ttl');
  });
});
