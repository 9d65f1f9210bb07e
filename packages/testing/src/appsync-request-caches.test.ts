import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import {
  AdminDeleteUserCommand,
  AdminDisableUserCommand,
  AdminEnableUserCommand,
  CognitoIdentityProviderClient,
  GlobalSignOutCommand,
  InitiateAuthCommand,
} from '@aws-sdk/client-cognito-identity-provider';
import {
  CreateTableCommand,
  DeleteTableCommand,
  DynamoDBClient,
  GetItemCommand,
  PutItemCommand,
  QueryCommand,
  UpdateTableCommand,
} from '@aws-sdk/client-dynamodb';
import { verifyIdentityToken, type ResourceContext } from '@forte/cloud';
import { APPSYNC_RESOURCE_TYPES, AUTH_RESOURCE_TYPES } from '@forte/protocol';
import { transform } from '@forte/graphql-transformer';
import { deployTestApi, type DeployedTestApi } from './appsync-deploy.js';
import { createTestUsers } from './test-identity-pool.js';
import { callFailure, startTestCloud, type TestCloud } from './index.js';

// What the GraphQL request path remembers between requests (verified tokens, validated documents, table
// definitions) must never outlive what it was derived from: each test uses the thing once so it is
// remembered, changes what it depends on, and checks the next request sees the change.

const SCHEMA = /* GraphQL */ `
  type Todo @model @auth(rules: [{ allow: owner }]) {
    id: ID!
    content: String
  }
`;
const GET_TODO = 'query ($id: ID!) { getTodo(id: $id) { id content owner } }';

let cloud: TestCloud;
let idp: CognitoIdentityProviderClient;
let users: { userPoolId: string; clientId: string; providerName: string };
let api: DeployedTestApi;

async function call(
  target: DeployedTestApi,
  headers: Record<string, string>,
  query: string,
  variables: Record<string, unknown> = {},
): Promise<{ status: number; json: any }> {
  const res = await fetch(target.url, {
    method: 'POST',
    headers: { 'content-type': 'application/json', ...headers },
    body: JSON.stringify({ query, variables }),
  });
  return { status: res.status, json: await res.json() };
}

async function signIn(username: string, clientId = users.clientId): Promise<{ access: string; id: string }> {
  const out = await idp.send(
    new InitiateAuthCommand({ ClientId: clientId, AuthFlow: 'USER_PASSWORD_AUTH', AuthParameters: { USERNAME: username, PASSWORD: 'Correct-Horse-9' } }),
  );
  return { access: out.AuthenticationResult!.AccessToken!, id: out.AuthenticationResult!.IdToken! };
}

const context = (stackName: string, logicalId: string): ResourceContext => ({
  appId: 'app1',
  appSlug: 'app1',
  envName: 'dev',
  stackName,
  logicalId,
  region: 'us-east-1',
  accountId: cloud.kernel.config.accountId,
  log: cloud.kernel.log,
});

/** Creates a to-do as the token's user and answers its id (the token is then verified and remembered). */
async function createTodo(token: string, content: string): Promise<string> {
  const created = await call(api, { authorization: token }, 'mutation ($c: String) { createTodo(input: {content: $c}) { id } }', { c: content });
  assert.equal(created.status, 200, JSON.stringify(created.json));
  return created.json.data.createTodo.id as string;
}

before(async () => {
  cloud = await startTestCloud();
  users = await createTestUsers(cloud, { alice: [], bob: [], carol: [], dave: [] });
  idp = new CognitoIdentityProviderClient({ endpoint: `${cloud.url}/cognito-idp/`, region: 'us-east-1', credentials: cloud.credentials, maxAttempts: 1 });
  api = await deployTestApi(cloud, {
    schema: SCHEMA,
    userPoolId: users.userPoolId,
    authConfig: {
      defaultAuthentication: { authenticationType: 'AMAZON_COGNITO_USER_POOLS' },
      additionalAuthenticationProviders: [{ authenticationType: 'API_KEY' }],
    },
  });
});
after(() => cloud.close());

void describe('what the GraphQL path remembers follows every change', () => {
  void it('a token already accepted is refused at once after GlobalSignOut, and its owner data stays private', async () => {
    const alice = await signIn('alice');
    const id = await createTodo(alice.access, 'mine');
    const read = await call(api, { authorization: alice.access }, GET_TODO, { id });
    assert.deepEqual(read.json.data.getTodo, { id, content: 'mine', owner: 'alice' });
    const bob = await signIn('bob');
    const other = await call(api, { authorization: bob.access }, GET_TODO, { id });
    assert.equal(other.json.data.getTodo, null);
    assert.equal(other.json.errors[0].errorType, 'Unauthorized');

    await idp.send(new GlobalSignOutCommand({ AccessToken: alice.access }));
    for (const token of [alice.access, alice.id]) {
      const after = await call(api, { authorization: token }, GET_TODO, { id });
      assert.equal(after.status, 401);
      assert.equal(after.json.errors[0].errorType, 'UnauthorizedException');
    }
    const again = await signIn('alice');
    assert.equal((await call(api, { authorization: again.id }, GET_TODO, { id })).json.data.getTodo.content, 'mine');
  });

  void it('an ID token already accepted is refused once its user is disabled or deleted', async () => {
    const carol = await signIn('carol');
    const id = await createTodo(carol.id, 'carol');
    await idp.send(new AdminDisableUserCommand({ UserPoolId: users.userPoolId, Username: 'carol' }));
    assert.equal((await call(api, { authorization: carol.id }, GET_TODO, { id })).status, 401);
    assert.equal((await call(api, { authorization: carol.access }, GET_TODO, { id })).status, 401);
    // Disabling also ends every sign-in (as in Cognito): enabling again does not bring the old tokens back.
    await idp.send(new AdminEnableUserCommand({ UserPoolId: users.userPoolId, Username: 'carol' }));
    assert.equal((await call(api, { authorization: carol.id }, GET_TODO, { id })).status, 401);
    const fresh = await signIn('carol');
    assert.equal((await call(api, { authorization: fresh.id }, GET_TODO, { id })).json.data.getTodo.content, 'carol');
    await idp.send(new AdminDeleteUserCommand({ UserPoolId: users.userPoolId, Username: 'carol' }));
    for (const token of [fresh.id, fresh.access]) assert.equal((await call(api, { authorization: token }, GET_TODO, { id })).status, 401);
  });

  void it('tokens of a deleted app client are refused, though they were accepted before', async () => {
    const clientHandler = cloud.kernel.resourceHandler(AUTH_RESOURCE_TYPES.userPoolClient)!;
    const clientProps = {
      UserPoolId: users.userPoolId,
      ClientName: 'mobile',
      ExplicitAuthFlows: ['ALLOW_USER_PASSWORD_AUTH', 'ALLOW_USER_SRP_AUTH', 'ALLOW_REFRESH_TOKEN_AUTH'],
    };
    const made = await clientHandler.create(clientProps, context('amplify-app1-dev-auth', 'UserPoolClient'));
    const clientId = String(made.attributes.ClientId);
    const dave = await signIn('dave', clientId);
    const id = await createTodo(dave.access, 'dave');
    await clientHandler.delete(made.physicalId, clientProps, context('amplify-app1-dev-auth', 'UserPoolClient'));
    for (const token of [dave.access, dave.id]) assert.equal((await call(api, { authorization: token }, GET_TODO, { id })).status, 401);
  });

  void it('an access token verified for AppSync is still refused where only ID tokens count', async () => {
    const bob = await signIn('bob');
    await createTodo(bob.access, 'bob');
    assert.equal(await verifyIdentityToken(cloud.kernel, users.providerName, bob.access), undefined);
    assert.equal((await verifyIdentityToken(cloud.kernel, users.providerName, bob.access, { tokenUse: 'any' }))?.username, 'bob');
    assert.equal((await verifyIdentityToken(cloud.kernel, users.providerName, bob.id))?.username, 'bob');
  });

  void it('a query text validated once is validated again against a new schema, and refusals answer alike every time', async () => {
    const notes = await deployTestApi(cloud, {
      name: 'notes',
      schema: 'type Note @model @auth(rules: [{ allow: public }]) { id: ID! title: String extra: String }',
      authConfig: { defaultAuthentication: { authenticationType: 'API_KEY' } },
    });
    const key = { 'x-api-key': notes.apiKey };
    const query = '{ listNotes { items { id extra } } }';
    for (let i = 0; i < 2; i++) assert.deepEqual((await call(notes, key, query)).json, { data: { listNotes: { items: [] } } });

    const compiled = transform({
      schema: 'type Note @model @auth(rules: [{ allow: public }]) { id: ID! title: String }',
      authConfig: { defaultAuthentication: { authenticationType: 'API_KEY' } },
      options: { totalCounts: false },
    });
    const ctx = context('amplify-app1-dev-api-notes', 'GraphQLSchema');
    const tables = { Note: `Note-${notes.apiId}-dev` };
    const props = (c: typeof compiled) => ({ ApiId: notes.apiId, Definition: c.schema, Plan: c.plan, Tables: tables });
    await cloud.kernel.resourceHandler(APPSYNC_RESOURCE_TYPES.graphQLSchema)!.update(`${notes.apiId}/schema`, props(compiled), props(notes.compiled), ctx);
    const stale = await call(notes, key, query);
    assert.equal(stale.json.data, null);
    assert.equal(stale.json.errors[0].errorType, 'ValidationError');
    assert.match(stale.json.errors[0].message, /extra/);
    assert.deepEqual((await call(notes, key, query)).json, stale.json);

    const tooDeep = `{ __type(name: "Note") { fields { type ${'{ ofType '.repeat(14)}{ name }${' }'.repeat(14)} } } }`;
    const first = await call(notes, key, tooDeep);
    assert.equal(first.json.errors[0].errorType, 'ValidationError');
    assert.match(first.json.errors[0].message, /nested deeper/);
    assert.deepEqual((await call(notes, key, tooDeep)).json, first.json);
    const broken = '{ listNotes { items { id } ';
    const parseError = await call(notes, key, broken);
    assert.equal(parseError.json.errors[0].errorType, 'MalformedHttpRequestException');
    assert.deepEqual((await call(notes, key, broken)).json, parseError.json);
  });

  void it("item requests follow a table's new index, its deletion and its re-creation with another key", async () => {
    const client = new DynamoDBClient({ endpoint: `${cloud.url}/dynamodb`, region: cloud.credentials.region, credentials: cloud.credentials, maxAttempts: 1 });
    const S = 'S' as const;
    await client.send(
      new CreateTableCommand({
        TableName: 'Moving',
        KeySchema: [{ AttributeName: 'id', KeyType: 'HASH' }],
        AttributeDefinitions: [{ AttributeName: 'id', AttributeType: S }],
        BillingMode: 'PAY_PER_REQUEST',
      }),
    );
    await client.send(new PutItemCommand({ TableName: 'Moving', Item: { id: { S: 'a' }, colour: { S: 'red' } } }));
    assert.equal((await client.send(new GetItemCommand({ TableName: 'Moving', Key: { id: { S: 'a' } } }))).Item?.colour?.S, 'red');

    const byColour = { TableName: 'Moving', IndexName: 'byColour', KeyConditionExpression: 'colour = :c', ExpressionAttributeValues: { ':c': { S: 'red' } } };
    const missing = await callFailure(client.send(new QueryCommand(byColour)));
    assert.equal(missing.name, 'ValidationException');
    await client.send(
      new UpdateTableCommand({
        TableName: 'Moving',
        AttributeDefinitions: [{ AttributeName: 'colour', AttributeType: S }],
        GlobalSecondaryIndexUpdates: [
          { Create: { IndexName: 'byColour', KeySchema: [{ AttributeName: 'colour', KeyType: 'HASH' }], Projection: { ProjectionType: 'ALL' } } },
        ],
      }),
    );
    assert.deepEqual(
      (await client.send(new QueryCommand(byColour))).Items?.map((i) => i.id?.S),
      ['a'],
    );
    await client.send(new PutItemCommand({ TableName: 'Moving', Item: { id: { S: 'b' }, colour: { S: 'red' } } }));
    assert.deepEqual((await client.send(new QueryCommand(byColour))).Items?.map((i) => i.id?.S).sort(), ['a', 'b']);

    await client.send(new DeleteTableCommand({ TableName: 'Moving' }));
    const gone = await callFailure(client.send(new GetItemCommand({ TableName: 'Moving', Key: { id: { S: 'a' } } })));
    assert.equal(gone.name, 'ResourceNotFoundException');

    await client.send(
      new CreateTableCommand({
        TableName: 'Moving',
        KeySchema: [{ AttributeName: 'code', KeyType: 'HASH' }],
        AttributeDefinitions: [{ AttributeName: 'code', AttributeType: S }],
        BillingMode: 'PAY_PER_REQUEST',
      }),
    );
    const oldKey = await callFailure(client.send(new GetItemCommand({ TableName: 'Moving', Key: { id: { S: 'a' } } })));
    assert.equal(oldKey.name, 'ValidationException');
    await client.send(new PutItemCommand({ TableName: 'Moving', Item: { code: { S: 'x' } } }));
    assert.equal((await client.send(new GetItemCommand({ TableName: 'Moving', Key: { code: { S: 'x' } } }))).Item?.code?.S, 'x');
  });
});
