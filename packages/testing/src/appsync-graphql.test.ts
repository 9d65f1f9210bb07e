import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import { Amplify } from 'aws-amplify';
import { generateClient } from 'aws-amplify/api';
import { signIn, signOut } from 'aws-amplify/auth';
import { TABLES, type ResourceContext } from '@forte/cloud';
import { deployTestApi, type DeployedTestApi } from './appsync-deploy.js';
import { createTestIdentityPool, createTestUsers } from './test-identity-pool.js';
import { startTestCloud, type TestCloud } from './index.js';

const SCHEMA = /* GraphQL */ `
  type Todo
    @model
    @auth(
      rules: [
        { allow: owner }
        { allow: groups, groups: ["Admin"] }
        { allow: public, operations: [read] }
        { allow: private, provider: iam, operations: [read] }
        { allow: public, provider: iam, operations: [read] }
      ]
    ) {
    id: ID!
    content: String
    priority: Int
    owner: String
    secret: String @auth(rules: [{ allow: owner }, { allow: groups, groups: ["Admin"] }])
    comments: [Comment] @hasMany
  }
  type Comment @model @auth(rules: [{ allow: public }, { allow: private }]) {
    id: ID!
    body: String
    todo: Todo @belongsTo
  }
  type Order @model @auth(rules: [{ allow: public }]) {
    customerId: ID! @primaryKey(sortKeyFields: ["orderedAt"])
    orderedAt: AWSDateTime!
    sku: String @index
    total: Int
  }
  type Customer @model @auth(rules: [{ allow: public }]) {
    id: ID!
    name: String
    orders: [Order] @hasMany(fields: ["id"])
  }
  type Doc @model @auth(rules: [{ allow: groups, groupsField: "groups" }]) {
    id: ID!
    title: String
    groups: [String]
  }
`;

let cloud: TestCloud;
let api: DeployedTestApi;
/** The model client is used untyped: its types come from a Gen 2 schema, which this test has none of. */
interface LooseClient {
  graphql(options: { query: string; variables: Record<string, unknown>; authMode: string }): Promise<unknown>;
  models: Record<string, any>;
}
let client: LooseClient;

/** Runs a raw document through the real client and answers `{data, errors}` whether or not it rejected. */
async function gql(
  query: string,
  variables: Record<string, unknown>,
  authMode: 'apiKey' | 'userPool' | 'iam' | 'identityPool',
): Promise<{ data: any; errors?: any[] }> {
  try {
    return (await client.graphql({ query, variables, authMode })) as { data: any; errors?: any[] };
  } catch (error) {
    if (typeof error === 'object' && error !== null && 'errors' in error) return error as { data: any; errors: any[] };
    throw error;
  }
}

const post = async (headers: Record<string, string>, body: unknown): Promise<{ status: number; errorType: string | null; json: any }> => {
  const res = await fetch(api.url, { method: 'POST', headers: { 'content-type': 'application/json', ...headers }, body: JSON.stringify(body) });
  return { status: res.status, errorType: res.headers.get('x-amzn-errortype'), json: await res.json() };
};

/** The data of a model client call, which answers errors beside the data instead of throwing. */
const ok = (result: { data: any; errors?: unknown[] }): any => {
  assert.deepEqual(result.errors, undefined, 'no errors');
  return result.data;
};

const as = async (username: string): Promise<void> => {
  await signOut();
  const result = await signIn({ username, password: 'Correct-Horse-9', options: { authFlowType: 'USER_PASSWORD_AUTH' } });
  assert.equal(result.isSignedIn, true);
};

const unauthorized = (errors: any[] | undefined, field: string, type = 'Mutation'): void => {
  assert.ok(errors?.length, `expected an error for ${field}`);
  assert.equal(errors![0].errorType, 'Unauthorized');
  assert.equal(errors![0].message, `Not Authorized to access ${field} on type ${type}`);
};

before(async () => {
  cloud = await startTestCloud();
  const users = await createTestUsers(cloud, { alice: [], bob: [], carol: ['Admin'], dave: ['Editors'] });
  api = await deployTestApi(cloud, {
    schema: SCHEMA,
    userPoolId: users.userPoolId,
    totalCounts: true,
    authConfig: {
      defaultAuthentication: { authenticationType: 'AMAZON_COGNITO_USER_POOLS' },
      additionalAuthenticationProviders: [{ authenticationType: 'API_KEY' }, { authenticationType: 'AWS_IAM' }],
    },
  });
  // What the api category grants the root stack's roles, as Amplify does: appsync:GraphQL on the API's fields.
  const queries = [`${api.arn}/types/Query/fields/*`];
  const identityPoolId = await createTestIdentityPool(cloud, users, { authenticated: queries, unauthenticated: queries });
  Amplify.configure({
    Auth: {
      Cognito: {
        userPoolId: users.userPoolId,
        userPoolClientId: users.clientId,
        identityPoolId,
        allowGuestAccess: true,
        userPoolEndpoint: `${cloud.url}/cognito-idp/`,
        identityPoolEndpoint: `${cloud.url}/cognito-identity/`,
      },
    },
    API: {
      GraphQL: {
        endpoint: api.url,
        region: 'us-east-1',
        defaultAuthMode: 'apiKey',
        apiKey: api.apiKey,
        modelIntrospection: api.compiled.modelIntrospection as never,
      },
    },
  });
  client = generateClient() as unknown as LooseClient;
});
after(async () => {
  await signOut().catch(() => undefined);
  await cloud.close();
});

void describe('AppSync over HTTP through the unmodified aws-amplify v6', () => {
  void it('creates, reads, lists with filter, limit and nextToken, counts, updates and deletes (API key, custom primary key)', async () => {
    const models = client.models;
    for (const [i, day] of ['01', '02', '03', '04'].entries()) {
      const { data, errors } = await models.Order.create({
        customerId: 'c1',
        orderedAt: `2026-01-${day}T00:00:00.000Z`,
        sku: i % 2 ? 'pen' : 'ink',
        total: (i + 1) * 10,
      });
      assert.equal(errors, undefined);
      assert.equal(data.customerId, 'c1');
      assert.match(data.createdAt, /^\d{4}-\d\d-\d\dT/);
    }
    await models.Order.create({ customerId: 'c2', orderedAt: '2026-01-01T00:00:00.000Z', sku: 'ink', total: 5 });

    const got = await models.Order.get({ customerId: 'c1', orderedAt: '2026-01-02T00:00:00.000Z' });
    assert.equal(got.data.total, 20);
    const missing = await models.Order.get({ customerId: 'c9', orderedAt: '2026-01-02T00:00:00.000Z' });
    assert.equal(missing.data, null);

    const byKey = await models.Order.list({ customerId: 'c1', orderedAt: { ge: '2026-01-02' }, sortDirection: 'DESC' });
    assert.deepEqual(
      ok(byKey).map((o: any) => o.total),
      [40, 30, 20],
    );

    const filtered = await models.Order.list({ filter: { total: { gt: 15 }, sku: { eq: 'pen' } } });
    assert.deepEqual(
      ok(filtered)
        .map((o: any) => o.total)
        .sort(),
      [20, 40],
    );

    const first = await models.Order.list({ limit: 2 });
    assert.equal(first.data.length, 2);
    assert.ok(first.nextToken);
    const rest = await models.Order.list({ limit: 10, nextToken: first.nextToken });
    assert.equal(first.data.length + rest.data.length, 5);
    assert.equal(new Set([...first.data, ...rest.data].map((o: any) => `${o.customerId}/${o.orderedAt}`)).size, 5);

    const bySku = await models.Order.ordersBySku({ sku: 'ink' });
    assert.deepEqual(
      ok(bySku)
        .map((o: any) => o.total)
        .sort((a: number, b: number) => a - b),
      [5, 10, 30],
    );

    const counted = await gql(
      'query ($f: ModelOrderFilterInput) { listOrders(filter: $f, limit: 1) { items { total } totalCount } }',
      { f: { total: { ge: 10 } } },
      'apiKey',
    );
    assert.equal(counted.data.listOrders.totalCount, 4);
    assert.equal(counted.data.listOrders.items.length <= 1, true);

    const updated = await models.Order.update({ customerId: 'c1', orderedAt: '2026-01-01T00:00:00.000Z', total: 11 });
    assert.equal(updated.data.total, 11);
    assert.equal(updated.data.sku, 'ink', 'an update changes only the fields given');
    const deleted = await models.Order.delete({ customerId: 'c2', orderedAt: '2026-01-01T00:00:00.000Z' });
    assert.equal(deleted.data.total, 5);
    assert.equal((await models.Order.get({ customerId: 'c2', orderedAt: '2026-01-01T00:00:00.000Z' })).data, null);
  });

  void it('refuses a tampered nextToken and answers a failed condition as ConditionalCheckFailedException', async () => {
    const tampered = await gql('query { listOrders(nextToken: "eyJub3QiOiJhIGtleSJ9") { items { total } } }', {}, 'apiKey');
    assert.equal(tampered.data.listOrders, null);
    assert.equal(tampered.errors?.[0].errorType, 'InvalidNextTokenException');

    const again = await gql(
      'mutation ($i: CreateOrderInput!) { createOrder(input: $i) { total } }',
      { i: { customerId: 'c1', orderedAt: '2026-01-02T00:00:00.000Z', total: 1 } },
      'apiKey',
    );
    assert.equal(again.data.createOrder, null);
    assert.equal(again.errors?.[0].errorType, 'DynamoDB:ConditionalCheckFailedException');
    const conditioned = await gql(
      'mutation ($i: UpdateOrderInput!, $c: ModelOrderConditionInput) { updateOrder(input: $i, condition: $c) { total } }',
      { i: { customerId: 'c1', orderedAt: '2026-01-02T00:00:00.000Z', total: 99 }, c: { total: { eq: 12345 } } },
      'apiKey',
    );
    assert.equal(conditioned.data.updateOrder, null);
    assert.equal(conditioned.errors?.[0].errorType, 'DynamoDB:ConditionalCheckFailedException');
    const unchanged = await gql('query { getOrder(customerId: "c1", orderedAt: "2026-01-02T00:00:00.000Z") { total } }', {}, 'apiKey');
    assert.equal(unchanged.data.getOrder.total, 20);
  });

  void it('enforces owner and static group rules for get, list, create, update and delete (user pools)', async () => {
    await as('alice');
    const models = client.models;
    const created = await models.Todo.create({ content: 'alice todo', secret: 's1', priority: 1 }, { authMode: 'userPool' });
    assert.equal(created.errors, undefined);
    assert.equal(created.data.owner, 'alice', 'the owner is filled in from the caller and answered as the username');
    const stored = await cloud.kernel.capability(TABLES).get({ table: `Todo-${api.apiId}-dev`, key: { id: { S: created.data.id } } });
    assert.match((stored?.owner as { S: string }).S, /^[0-9a-f-]{36}::alice$/, 'stored as <sub>::<username>');
    const aliceId = created.data.id as string;
    assert.equal((await models.Todo.get({ id: aliceId }, { authMode: 'userPool' })).data.secret, 's1');
    const reassign = await gql('mutation ($i: UpdateTodoInput!) { updateTodo(input: $i) { id } }', { i: { id: aliceId, owner: 'bob' } }, 'userPool');
    unauthorized(reassign.errors, 'updateTodo');

    await as('bob');
    await models.Todo.create({ content: 'bob todo' }, { authMode: 'userPool' });
    const bobList = await models.Todo.list({ authMode: 'userPool' });
    assert.deepEqual(
      ok(bobList).map((t: any) => t.content),
      ['bob todo'],
      "a list under owner rules answers only the caller's items",
    );
    const bobGet = await gql('query ($id: ID!) { getTodo(id: $id) { id content } }', { id: aliceId }, 'userPool');
    assert.equal(bobGet.data.getTodo, null);
    unauthorized(bobGet.errors, 'getTodo', 'Query');
    unauthorized(
      (await gql('mutation ($i: UpdateTodoInput!) { updateTodo(input: $i) { id } }', { i: { id: aliceId, content: 'x' } }, 'userPool')).errors,
      'updateTodo',
    );
    unauthorized((await gql('mutation ($i: DeleteTodoInput!) { deleteTodo(input: $i) { id } }', { i: { id: aliceId } }, 'userPool')).errors, 'deleteTodo');
    unauthorized(
      (await gql('mutation ($i: CreateTodoInput!) { createTodo(input: $i) { id } }', { i: { content: 'forged', owner: 'alice' } }, 'userPool')).errors,
      'createTodo',
    );

    await as('carol');
    const adminList = await models.Todo.list({ authMode: 'userPool' });
    assert.equal(ok(adminList).length, 2, 'the Admin group sees every item');
    const adminUpdate = await models.Todo.update({ id: aliceId, content: 'edited by admin' }, { authMode: 'userPool' });
    assert.equal(adminUpdate.data.content, 'edited by admin');
    assert.equal(adminUpdate.data.owner, 'alice', 'the owner stays');

    // API key: public read only; the owner-only field is null with an error.
    const publicGet = await gql('query ($id: ID!) { getTodo(id: $id) { id content secret } }', { id: aliceId }, 'apiKey');
    assert.equal(publicGet.data.getTodo.content, 'edited by admin');
    assert.equal(publicGet.data.getTodo.secret, null);
    assert.equal(publicGet.errors?.[0].message, 'Not Authorized to access secret on type Todo');
    assert.equal((await gql('query { listTodos { items { id } } }', {}, 'apiKey')).data.listTodos.items.length, 2);
    unauthorized((await gql('mutation { createTodo(input: {content: "k"}) { id } }', {}, 'apiKey')).errors, 'createTodo');

    const adminDelete = await models.Todo.delete({ id: aliceId }, { authMode: 'userPool' });
    assert.equal(adminDelete.data.id, aliceId);
  });

  void it('enforces dynamic group rules: members only, lists filtered, creators must name a group of theirs', async () => {
    await as('dave');
    const models = client.models;
    const doc = await models.Doc.create({ title: 'plan', groups: ['Editors'] }, { authMode: 'userPool' });
    assert.equal(doc.errors, undefined);
    assert.equal((await models.Doc.get({ id: doc.data.id }, { authMode: 'userPool' })).data.title, 'plan');
    unauthorized((await gql('mutation { createDoc(input: {title: "x", groups: ["Admin"]}) { id } }', {}, 'userPool')).errors, 'createDoc');

    await as('alice');
    // As Amplify: no group to build the dynamic group filter from, so the list is unauthorized, not empty.
    unauthorized((await gql('query { listDocs { items { id } } }', {}, 'userPool')).errors, 'listDocs', 'Query');
    unauthorized((await gql('query ($id: ID!) { getDoc(id: $id) { id } }', { id: doc.data.id }, 'userPool')).errors, 'getDoc', 'Query');
    unauthorized(
      (await gql('mutation ($i: UpdateDocInput!) { updateDoc(input: $i) { id } }', { i: { id: doc.data.id, title: 'y' } }, 'userPool')).errors,
      'updateDoc',
    );
    unauthorized((await gql('query { listDocs { items { id } } }', {}, 'apiKey')).errors, 'listDocs', 'Query');
  });

  void it('resolves relations both ways (hasMany and belongsTo)', async () => {
    await as('alice');
    const models = client.models;
    const todo = await models.Todo.create({ content: 'with comments' }, { authMode: 'userPool' });
    for (const body of ['one', 'two']) await models.Comment.create({ body, todoCommentsId: todo.data.id }, { authMode: 'apiKey' });
    const withComments = await gql(
      'query ($id: ID!) { getTodo(id: $id) { content comments { items { body todo { content } } } } }',
      { id: todo.data.id },
      'apiKey',
    );
    assert.equal(withComments.errors, undefined);
    const items = withComments.data.getTodo.comments.items as any[];
    assert.deepEqual(items.map((c) => c.body).sort(), ['one', 'two']);
    assert.equal(items[0].todo.content, 'with comments');
  });

  void it("applies a hasMany field's sort key argument to the related model's primary key", async () => {
    const customer = await gql('mutation { createCustomer(input: { name: "Ada" }) { id } }', {}, 'apiKey');
    const id = customer.data.createCustomer.id as string;
    for (const [orderedAt, total] of [
      ['2026-01-01T00:00:00.000Z', 1],
      ['2026-02-01T00:00:00.000Z', 2],
      ['2026-03-01T00:00:00.000Z', 3],
    ] as const)
      await gql('mutation ($i: CreateOrderInput!) { createOrder(input: $i) { total } }', { i: { customerId: id, orderedAt, total } }, 'apiKey');
    const orders = async (condition: unknown, direction = 'ASC'): Promise<number[]> => {
      const result = await gql(
        'query ($id: ID!, $c: ModelStringKeyConditionInput, $d: ModelSortDirection) { getCustomer(id: $id) { orders(orderedAt: $c, sortDirection: $d) { items { total } } } }',
        { id, c: condition, d: direction },
        'apiKey',
      );
      assert.equal(result.errors, undefined);
      return (result.data.getCustomer.orders.items as { total: number }[]).map((o) => o.total);
    };
    assert.deepEqual(await orders(null), [1, 2, 3]);
    assert.deepEqual(await orders({ ge: '2026-02-01T00:00:00.000Z' }), [2, 3]);
    assert.deepEqual(await orders({ between: ['2026-01-15T00:00:00.000Z', '2026-02-15T00:00:00.000Z'] }), [2]);
    assert.deepEqual(await orders({ lt: '2026-03-01T00:00:00.000Z' }, 'DESC'), [2, 1]);
  });

  void it('accepts IAM callers: guest and signed-in identity pool credentials by their rules, refused beyond them', async () => {
    await signOut();
    const guest = await gql('query { listTodos { items { content } } }', {}, 'iam');
    assert.equal(guest.errors, undefined);
    assert.ok(guest.data.listTodos.items.length >= 1);
    const guestWrite = await gql('mutation { createComment(input: {body: "guest"}) { id } }', {}, 'iam');
    assert.equal(guestWrite.errors?.[0].message ?? '', 'Unauthorized', 'the role policy grants Query fields only: 401 UnauthorizedException');

    await as('bob');
    const signedIn = await gql('query { listTodos { items { content } } }', {}, 'iam');
    assert.equal(signedIn.errors, undefined);
    unauthorized((await gql('query { listDocs { items { id } } }', {}, 'iam')).errors, 'listDocs', 'Query');
    await signOut();
  });
});

void describe("AppSync over HTTP: refusals in AppSync's shapes", () => {
  const list = { query: 'query { listOrders { items { total } } }' };

  void it('answers 401 UnauthorizedException without credentials, with a bad token or an unknown key', async () => {
    const attempts: Array<Record<string, string>> = [
      {},
      { authorization: 'eyJhbGciOiJSUzI1NiJ9.eyJzdWIiOiJ4In0.c2ln' },
      { 'x-api-key': 'da2-aaaaaaaaaaaaaaaaaaaaaaaaaa' },
    ];
    for (const headers of attempts) {
      const res = await post(headers, list);
      assert.equal(res.status, 401);
      assert.equal(res.errorType, 'UnauthorizedException');
      assert.equal(res.json.errors[0].errorType, 'UnauthorizedException');
    }
    const ok = await post({ 'x-api-key': api.apiKey }, list);
    assert.equal(ok.status, 200);
    assert.ok(Array.isArray(ok.json.data.listOrders.items));
  });

  void it('refuses too deep queries and subscriptions over HTTP, with errors[]', async () => {
    const key = { 'x-api-key': api.apiKey };
    const deep = `query { getTodo(id: "x") { ${'comments { items { todo { '.repeat(5)} id ${'} } } '.repeat(5)} } }`;
    const tooDeep = await post(key, { query: deep });
    assert.equal(tooDeep.status, 200);
    assert.equal(tooDeep.json.data, null);
    assert.match(tooDeep.json.errors[0].message, /nested deeper than 15 levels/);
    const shallow = await post(key, { query: `query { getTodo(id: "x") { ${'comments { items { todo { '.repeat(4)} id ${'} } } '.repeat(4)} } }` });
    assert.equal(shallow.json.errors, undefined, 'a query of 13 levels runs');

    // Variables nested too deep are refused before the body is parsed (JSON.parse of `[[[…` costs far more than its
    // bytes); one level less is parsed and reaches execution.
    const nested = async (levels: number): Promise<{ data: unknown; errors: Array<{ errorType: string; message: string }> }> => {
      const query = JSON.stringify('query ($v: String) { listOrders { items { total } } }');
      const body = `{"query":${query},"variables":{"v":${'['.repeat(levels)}"x"${']'.repeat(levels)}}}`;
      const res = await fetch(api.url, { method: 'POST', headers: { 'content-type': 'application/json', ...key }, body });
      assert.equal(res.status, 200);
      return (await res.json()) as { data: unknown; errors: Array<{ errorType: string; message: string }> };
    };
    const deepBody = await nested(300_000);
    assert.equal(deepBody.data, null);
    assert.equal(deepBody.errors[0]!.errorType, 'ValidationError');
    assert.match(deepBody.errors[0]!.message, /^The request body is nested deeper than 144 levels: its variables may nest 143 \(graphql\.maxQueryDepth/);
    assert.match((await nested(143)).errors[0]!.message, /^The request body is nested deeper than 144 levels/);
    assert.doesNotMatch((await nested(142)).errors[0]!.message, /nested deeper/, 'the variables nest 143 levels: parsed, then refused as not a String');

    const sub = await post(key, { query: 'subscription { onCreateOrder { total } }' });
    assert.match(sub.json.errors[0].message, /realtime WebSocket endpoint/);
    const huge = await post(key, { query: `query { listOrders { items { total } } } # ${'x'.repeat(101 * 1024)}` });
    assert.match(huge.json.errors[0].message, /larger than 102400 bytes \(graphql.maxQueryBytes of the cloud's config.json\)/);
  });

  void it("takes its query limits from the cloud's settings", async () => {
    const strict = await startTestCloud({ graphqlLimits: { maxQueryDepth: 3, maxQueryBytes: 2048 } });
    try {
      const schema = `type Post @model @auth(rules: [{ allow: public }]) { id: ID! comments: [Comment] @hasMany }
        type Comment @model @auth(rules: [{ allow: public }]) { id: ID! text: String }`;
      const small = await deployTestApi(strict, {
        schema,
        authConfig: { defaultAuthentication: { authenticationType: 'API_KEY' }, additionalAuthenticationProviders: [] },
      });
      const call = async (query: string): Promise<{ data: unknown; errors?: { message: string }[] }> => {
        const res = await fetch(small.url, {
          method: 'POST',
          headers: { 'content-type': 'application/json', 'x-api-key': small.apiKey },
          body: JSON.stringify({ query }),
        });
        return (await res.json()) as { data: unknown; errors?: { message: string }[] };
      };
      assert.equal((await call('query { listPosts { items { id } } }')).errors, undefined, 'three levels run');
      const deep = await call('query { listPosts { items { comments { items { id } } } } }');
      assert.equal(deep.data, null);
      assert.match(deep.errors?.[0]?.message ?? '', /nested deeper than 3 levels \(graphql.maxQueryDepth of the cloud's config.json\)/);
      const huge = await call(`query { listPosts { items { id } } } # ${'x'.repeat(3000)}`);
      assert.match(huge.errors?.[0]?.message ?? '', /larger than 2048 bytes \(graphql.maxQueryBytes/);
    } finally {
      await strict.close();
    }
  });

  void it('refuses a schema whose plan has an unknown version, and an expired API key', async () => {
    const ctx: ResourceContext = {
      appId: 'app1',
      appSlug: 'app1',
      envName: 'dev',
      stackName: 'amplify-app1-dev-api-api',
      logicalId: 'GraphQLSchema',
      region: 'us-east-1',
      accountId: cloud.kernel.config.accountId,
      log: cloud.kernel.log,
    };
    const schemaHandler = cloud.kernel.resourceHandler('Forte::AppSync::GraphQLSchema')!;
    const tables = Object.fromEntries(api.compiled.plan.tables.map((t) => [t.modelName, `${t.modelName}-${api.apiId}-dev`]));
    const props = { ApiId: api.apiId, Definition: api.compiled.schema, Plan: api.compiled.plan, Tables: tables };
    await assert.rejects(
      schemaHandler.update(`${api.apiId}/schema`, { ...props, Plan: { ...api.compiled.plan, version: 99 } }, props, ctx),
      /plan has version 99/,
    );
    await assert.rejects(schemaHandler.update(`${api.apiId}/schema`, { ...props, Definition: 'type Query { x: Nope }' }, props, ctx), /not valid GraphQL/);

    await cloud.kernel.sql.run('UPDATE appsync_api_keys SET expires_at = ? WHERE api_key = ?', [Math.floor(Date.now() / 1000) - 1, api.apiKey]);
    await schemaHandler.update(`${api.apiId}/schema`, props, props, ctx); // a redeploy reloads the API and its keys
    const res = await post({ 'x-api-key': api.apiKey }, list);
    assert.equal(res.status, 401);
    assert.equal(res.errorType, 'UnauthorizedException');
    assert.equal(res.json.errors[0].message, 'API key has expired.');
  });
});
