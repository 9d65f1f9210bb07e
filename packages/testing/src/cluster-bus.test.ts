import assert from 'node:assert/strict';
import { createHash } from 'node:crypto';
import { request } from 'node:http';
import { after, before, describe, it } from 'node:test';
import { setTimeout as sleep } from 'node:timers/promises';
import {
  AdminDisableUserCommand,
  AdminEnableUserCommand,
  CognitoIdentityProviderClient,
  GetUserCommand,
  GlobalSignOutCommand,
  InitiateAuthCommand,
  RevokeTokenCommand,
} from '@aws-sdk/client-cognito-identity-provider';
import { CreateTableCommand, DynamoDBClient, PutItemCommand, QueryCommand, UpdateTableCommand } from '@aws-sdk/client-dynamodb';
import { Hash } from '@smithy/hash-node';
import { SignatureV4 } from '@smithy/signature-v4';
import { APPSYNC_RESOURCE_TYPES, hostingBlobPath, RESOURCE_TYPES, SIGNING_SERVICE } from '@forte/protocol';
import { WebSocket } from 'ws';
import { InvokeCommand } from '@aws-sdk/client-lambda';
import {
  createApiGatewayService,
  createAppSyncService,
  createControlService,
  createDynamoDbService,
  createHostingService,
  createIamService,
  createLambdaService,
  createS3Service,
} from '@forte/cloud';
import { transform, type AppSyncAuthConfiguration } from '@forte/graphql-transformer';
import { deployTestApi, type DeployedTestApi } from './appsync-deploy.js';
import { CREATE_TODO, setUpRealtimeFixture, type Frame, type RealtimeFixture, type RealtimeUser } from './appsync-realtime-fixture.js';
import {
  clusterSkipReason,
  deployFunction,
  deployRole,
  filledSdkCache,
  handlerOf,
  lambdaClient,
  resourceContext,
  startCluster,
  type TestCloud,
  type TestCluster,
} from './index.js';

// Two clouds in one process, as two instances of a cluster: one PostgreSQL database, one data folder (their
// shared blob store and keys) and one NATS bus; B answers under A's URL (`publicUrl`), as instances behind
// one load balancer do. What one instance changes, the other must serve at once.
const skip = await clusterSkipReason();

// The services whose SQL runs on PostgreSQL today (the user pools' does not yet: `json_extract`).
const WITHOUT_USER_POOLS = [createIamService, createDynamoDbService, createAppSyncService, createControlService, createHostingService, createS3Service];

/** Posts readable with an API key, their `secret` with IAM only; created with IAM. */
const POST_SCHEMA = /* GraphQL */ `
  type Post @model @auth(rules: [{ allow: public, provider: apiKey }, { allow: public, provider: iam }]) {
    id: ID!
    title: String
    secret: String @auth(rules: [{ allow: public, provider: iam }])
  }
`;
const POST_AUTH: AppSyncAuthConfiguration = {
  defaultAuthentication: { authenticationType: 'API_KEY' },
  additionalAuthenticationProviders: [{ authenticationType: 'AWS_IAM' }],
};
const ON_CREATE_POST = 'subscription { onCreatePost { id title secret } }';
const CREATE_POST = 'mutation ($input: CreatePostInput!) { createPost(input: $input) { id title secret } }';

void describe('a cluster of two instances (one database, one NATS bus): AppSync and hosting', { skip }, () => {
  let cluster: TestCluster;
  let api: DeployedTestApi;
  before(async () => {
    cluster = await startCluster(WITHOUT_USER_POOLS);
    // Through A only: B hears of the API from the bus.
    api = await deployTestApi(cluster.a, { schema: POST_SCHEMA, authConfig: POST_AUTH, name: 'posts' });
  });
  after(async () => {
    await cluster?.close();
  });

  void it('delivers a mutation answered by B to the subscribers connected to A and B, once each, as their own rules allow', async () => {
    const { a, b } = cluster;
    const keyOnA = await subscribe(a, api, { kind: 'apiKey' }, ON_CREATE_POST);
    const iamOnA = await subscribe(a, api, { kind: 'iam', cloud: a }, ON_CREATE_POST);
    const iamOnB = await subscribe(b, api, { kind: 'iam', cloud: a }, ON_CREATE_POST);
    try {
      const made = await iamGraphql(b, api, CREATE_POST, { input: { title: 'made on B', secret: 'iam only' } });
      assert.equal(made.errors, undefined, JSON.stringify(made));
      const post = made.data.createPost;
      const fence = (await iamGraphql(a, api, CREATE_POST, { input: { title: 'made on A' } })).data.createPost;
      await until(() => keyOnA.data.length >= 2 && iamOnA.data.length >= 2 && iamOnB.data.length >= 2, 'deliveries');
      await sleep(300); // anything delivered twice would have arrived by now
      assert.deepEqual(
        keyOnA.data,
        [
          { id: post.id, title: 'made on B', secret: null },
          { id: fence.id, title: 'made on A', secret: null },
        ],
        'the API key subscriber never receives the IAM-only field',
      );
      assert.deepEqual(iamOnA.data, [
        { id: post.id, title: 'made on B', secret: 'iam only' },
        { id: fence.id, title: 'made on A', secret: null },
      ]);
      assert.deepEqual(iamOnB.data, iamOnA.data);
    } finally {
      for (const s of [keyOnA, iamOnA, iamOnB]) s.close();
    }
  });

  void it('serves on B a schema redeployed through A', async () => {
    const { a, b } = cluster;
    const query = 'query { listPosts { items { id extra } } }';
    const before = await iamGraphql(a, api, query);
    assert.match(JSON.stringify(before.errors), /extra/, 'the field does not exist yet');
    const compiled = transform({
      schema: POST_SCHEMA.replace('title: String', 'title: String\n    extra: String'),
      authConfig: POST_AUTH,
      options: { totalCounts: false },
    });
    const tables = Object.fromEntries(compiled.plan.tables.map((t) => [t.modelName, `${t.properties.TableName}-${api.apiId}-dev`]));
    await a.kernel
      .resourceHandler(APPSYNC_RESOURCE_TYPES.graphQLSchema)!
      .update(
        `${api.apiId}/schema`,
        { ApiId: api.apiId, Definition: compiled.schema, Plan: compiled.plan, Tables: tables },
        {},
        resourceContext(a, 'GraphQLSchema'),
      );
    // At once: B rebuilds the schema when the bus tells it, and a document its schema refuses meanwhile is
    // checked against the stored one.
    const after = await iamGraphql(b, api, query);
    assert.equal(after.errors, undefined, JSON.stringify(after));
    assert.ok(Array.isArray(after.data.listPosts.items));
  });

  void it('uses on B, at once, a table definition changed through A', async () => {
    const { a, b } = cluster;
    const dynamo = (cloud: TestCloud): DynamoDBClient =>
      new DynamoDBClient({ endpoint: `${cloud.url}/dynamodb`, region: 'us-east-1', credentials: cloud.credentials, maxAttempts: 1 });
    await dynamo(a).send(
      new CreateTableCommand({
        TableName: 'cars',
        AttributeDefinitions: [{ AttributeName: 'id', AttributeType: 'S' }],
        KeySchema: [{ AttributeName: 'id', KeyType: 'HASH' }],
        BillingMode: 'PAY_PER_REQUEST',
      }),
    );
    // B reads the definition (and keeps it: table-definition-cache.ts).
    await dynamo(b).send(new PutItemCommand({ TableName: 'cars', Item: { id: { S: 'c1' }, color: { S: 'red' } } }));
    await dynamo(a).send(
      new UpdateTableCommand({
        TableName: 'cars',
        AttributeDefinitions: [{ AttributeName: 'color', AttributeType: 'S' }],
        GlobalSecondaryIndexUpdates: [
          { Create: { IndexName: 'byColor', KeySchema: [{ AttributeName: 'color', KeyType: 'HASH' }], Projection: { ProjectionType: 'ALL' } } },
        ],
      }),
    );
    const byColor = async (): Promise<string[]> =>
      (
        await dynamo(b).send(
          new QueryCommand({
            TableName: 'cars',
            IndexName: 'byColor',
            KeyConditionExpression: 'color = :c',
            ExpressionAttributeValues: { ':c': { S: 'red' } },
          }),
        )
      ).Items!.map((item) => item.id!.S!);
    // The bus message may still be on its way when UpdateTable answers: a short wait, far from "never".
    const deadline = Date.now() + 1000;
    let found: string[] | Error = new Error('not queried');
    do {
      found = await byColor().catch((error: Error) => error);
      if (!(found instanceof Error)) break;
      await sleep(10);
    } while (Date.now() < deadline);
    assert.deepEqual(found, ['c1'], 'B queries the index A added');
    await dynamo(b).send(new PutItemCommand({ TableName: 'cars', Item: { id: { S: 'c2' }, color: { S: 'red' } } }));
    assert.deepEqual((await byColor()).sort(), ['c1', 'c2'], "B's writes keep the new index");
  });

  void it('serves on B a site deployment switched through A, without waiting for its recheck', async () => {
    const { a, b } = cluster;
    const sites = a.kernel.resourceHandler(RESOURCE_TYPES.hostingSite)!;
    const site = await sites.create({ AppId: 'app1', EnvName: 'dev' }, { ...resourceContext(a, 'Site'), appSlug: 'clusterapp' });
    const siteId = site.physicalId;
    await deploySite(a, siteId, { 'index.html': '<p>v1</p>' });
    const get = async (cloud: TestCloud): Promise<string> =>
      (await send(cloud, { path: '/', headers: { host: `clusterapp-dev.localhost:${cloud.port}` } })).body;
    assert.equal(await get(b), '<p>v1</p>');
    // B now holds v1, trusted for a second (live-site-cache.ts RECHECK_MS): only the bus makes it drop it sooner.
    await deploySite(a, siteId, { 'index.html': '<p>v2</p>' });
    const switched = Date.now();
    let served = await get(b);
    while (served !== '<p>v2</p>' && Date.now() - switched < 400) {
      await sleep(10);
      served = await get(b);
    }
    assert.equal(served, '<p>v2</p>', 'B serves the new deployment well before its own recheck');
  });
});

void describe('a cluster of two instances (one database, one NATS bus): Lambda', { skip }, () => {
  let cluster: TestCluster;
  before(async () => {
    const lambda = { cacheDir: await filledSdkCache(), allowDownloads: false };
    cluster = await startCluster([createIamService, createS3Service, createLambdaService, createApiGatewayService], { lambda });
  });
  after(async () => {
    await cluster?.close();
  });

  void it('runs on B, at once, the code a function was redeployed with through A', async () => {
    const { a, b } = cluster;
    const version = (v: string): Record<string, string> => ({ 'index.js': `exports.handler = async () => ({ version: '${v}' });` });
    const role = await deployRole(a, 'versioned-role');
    await deployFunction(a, { name: 'versioned', files: version('v1'), role });
    const invoke = async (cloud: TestCloud): Promise<unknown> => {
      const out = await lambdaClient(cloud).send(new InvokeCommand({ FunctionName: 'versioned', Payload: Buffer.from('{}') }));
      return out.FunctionError ? { error: Buffer.from(out.Payload!).toString() } : JSON.parse(Buffer.from(out.Payload!).toString());
    };
    // At once: B reads a function it has not deployed from the database and deploys it in its own runtime.
    assert.deepEqual(await invoke(b), { version: 'v1' });
    await deployFunction(a, { name: 'versioned', files: version('v2'), role });
    assert.deepEqual(await invoke(a), { version: 'v2' });
    let after = await invoke(b);
    for (const deadline = Date.now() + 2000; JSON.stringify(after) !== '{"version":"v2"}' && Date.now() < deadline;) {
      await sleep(20);
      after = await invoke(b);
    }
    assert.deepEqual(after, { version: 'v2' }, 'B runs the new code');
  });

  void it("refuses on B, as soon as the bus tells it, a REST method whose function's permission was removed through A", async () => {
    const { a, b } = cluster;
    const arn = await deployFunction(a, { name: 'guarded', files: { 'index.js': "exports.handler = async () => ({ statusCode: 200, body: 'served' });" } });
    const uri = `arn:aws:apigateway:us-east-1:lambda:path/2015-03-31/functions/${arn}/invocations`;
    const body = { swagger: '2.0', paths: { '/hello': { get: { 'x-amazon-apigateway-integration': { type: 'aws_proxy', httpMethod: 'POST', uri } } } } };
    const { physicalId: apiId } = await handlerOf(a, 'AWS::ApiGateway::RestApi').create({ Name: 'guarded', Body: body }, resourceContext(a, 'GuardedApi'));
    await handlerOf(a, 'AWS::ApiGateway::Deployment').create({ RestApiId: apiId, StageName: 'dev' }, resourceContext(a, 'GuardedDeployment'));
    const status = async (cloud: TestCloud): Promise<number> => (await fetch(`${cloud.url}/restapis/${apiId}/dev/hello`)).status;
    // B has asked, and keeps in memory that no permission lets the gateway invoke the function.
    assert.equal(await status(b), 500);
    const props = {
      FunctionName: 'guarded',
      Action: 'lambda:InvokeFunction',
      Principal: 'apigateway.amazonaws.com',
      SourceArn: `arn:aws:execute-api:us-east-1:${a.kernel.config.accountId}:${apiId}/*/*/*`,
    };
    const permissions = handlerOf(a, 'AWS::Lambda::Permission');
    const { physicalId } = await permissions.create(props, resourceContext(a, 'GuardedPermission'));
    assert.equal(await status(a), 200);
    // B also runs the function once the bus has told it of it (a cold process: seconds on a loaded machine).
    assert.equal(await settle(() => status(b), 200, 10_000), 200, 'B serves the method the permission now allows');
    await permissions.delete(physicalId, props, resourceContext(a, 'GuardedPermission'));
    assert.equal(await status(a), 500, 'A refuses at once');
    assert.equal(await settle(() => status(b), 500, 1000), 500, 'B refuses once the message is in');
    assert.equal(await status(b), 500);
  });
});

// Every built-in service, user pools included: what needs their SQL on PostgreSQL (a start that fails there
// for a statement PostgreSQL lacks is reported and skipped: it runs once the user pools' SQL is portable).
const full = skip
  ? undefined
  : await startCluster().then(
      (cluster) => ({ cluster, skip: undefined }),
      (error: Error & { code?: string }) => {
        if (error.code !== '42883' && error.code !== '42601' && error.code !== '42704') throw error;
        const reason = `the whole cloud does not start on PostgreSQL yet: ${error.message}`;
        console.log(`cluster tests with user pools skipped: ${reason}`);
        return { cluster: undefined, skip: reason };
      },
    );

void describe('a cluster of two instances (one database, one NATS bus): user pools', { skip: skip ?? full?.skip }, () => {
  let fx: RealtimeFixture;
  let a: TestCloud;
  let b: TestCloud;
  before(async () => {
    ({ a, b } = full!.cluster!);
    // Through A only: B hears of the pool's signing key and the API from the bus.
    fx = await setUpRealtimeFixture(a);
  });
  after(async () => {
    await full?.cluster?.close();
  });

  const graphql = async (cloud: TestCloud, token: string, query: string, variables: Record<string, unknown> = {}): Promise<{ status: number; body: any }> => {
    const res = await fetch(`${cloud.url}/graphql/${fx.api.apiId}`, {
      method: 'POST',
      headers: { 'content-type': 'application/json', authorization: token },
      body: JSON.stringify({ query, variables }),
    });
    return { status: res.status, body: await res.json() };
  };
  const idp = (cloud: TestCloud): CognitoIdentityProviderClient =>
    new CognitoIdentityProviderClient({ endpoint: `${cloud.url}/cognito-idp/`, region: 'us-east-1', credentials: cloud.credentials, maxAttempts: 1 });
  const signIn = async (cloud: TestCloud, user: RealtimeUser): Promise<{ access: string; refresh: string }> => {
    const auth = await idp(cloud).send(
      new InitiateAuthCommand({ ClientId: fx.clientId, AuthFlow: 'USER_PASSWORD_AUTH', AuthParameters: { USERNAME: user, PASSWORD: 'Correct-Horse-9' } }),
    );
    return { access: auth.AuthenticationResult!.AccessToken!, refresh: auth.AuthenticationResult!.RefreshToken! };
  };
  /**
   * Refused on `cloud` once the bus has told it of the other instance's write: the instances share no memory, so a
   * request can reach it just before the message does; the data version's bound (1 s, bus-data-version.ts) caps that (the wait here allows for a loaded machine).
   */
  const refused = async (cloud: TestCloud, access: string): Promise<void> => {
    const bound = Date.now() + 5000;
    for (;;) {
      const error = await idp(cloud)
        .send(new GetUserCommand({ AccessToken: access }))
        .then(() => undefined)
        .catch((e: Error) => e);
      if (error) {
        assert.equal(error.name, 'NotAuthorizedException');
        break;
      }
      assert.ok(Date.now() < bound, 'still accepted past the data version bound');
      await sleep(20);
    }
    const answer = await graphql(cloud, access, 'query { listTodos { items { id } } }');
    assert.equal(answer.status, 401, JSON.stringify(answer.body));
  };

  void it('delivers a mutation answered by B to owners and group readers connected to A, once each, never to another user', async () => {
    const auth = (user: RealtimeUser): Auth => ({ kind: 'token', token: fx.tokens[user] });
    const query = 'subscription { onCreateTodo { id content owner secret } }';
    const alice = await subscribe(a, fx.api, auth('alice'), query);
    const bob = await subscribe(a, fx.api, auth('bob'), query);
    const carolOnB = await subscribe(b, fx.api, auth('carol'), query);
    try {
      const todo = (await graphql(b, fx.tokens.alice, CREATE_TODO, { input: { content: 'made on B', secret: 'alice only' } })).body.data.createTodo;
      const fence = (await graphql(a, fx.tokens.bob, CREATE_TODO, { input: { content: 'bob, made on A' } })).body.data.createTodo;
      await until(() => alice.data.length >= 1 && bob.data.length >= 1 && carolOnB.data.length >= 2, 'deliveries');
      await sleep(300);
      assert.deepEqual(
        alice.data.map((t) => [t.id, t.secret]),
        [[todo.id, 'alice only']],
        "alice hears her item once, and never bob's",
      );
      assert.deepEqual(
        bob.data.map((t) => t.id),
        [fence.id],
        "bob never hears alice's item",
      );
      assert.deepEqual(
        carolOnB.data.map((t) => [t.id, t.secret]),
        [
          [todo.id, null],
          [fence.id, null],
        ],
        'an Admin reader on B hears both, once, without the owner-only field',
      );
    } finally {
      for (const s of [alice, bob, carolOnB]) s.close();
    }
  });

  void it('refuses on B, as soon as the bus tells it, the tokens a GlobalSignOut or RevokeToken through A ended', async () => {
    const first = await signIn(a, 'dave');
    assert.equal((await idp(b).send(new GetUserCommand({ AccessToken: first.access }))).Username, 'dave');
    assert.equal((await graphql(b, first.access, 'query { listTodos { items { id } } }')).status, 200);
    await idp(a).send(new GlobalSignOutCommand({ AccessToken: first.access }));
    await refused(b, first.access);

    const second = await signIn(b, 'erin');
    assert.equal((await graphql(a, second.access, 'query { listTodos { items { id } } }')).status, 200);
    assert.equal((await graphql(b, second.access, 'query { listTodos { items { id } } }')).status, 200);
    await idp(a).send(new RevokeTokenCommand({ ClientId: fx.clientId, Token: second.refresh }));
    await refused(b, second.access);
  });

  void it('refuses on B, as soon as the bus tells it, a user disabled through A, and serves their next sign-in once enabled through A', async () => {
    const list = 'query { listTodos { items { id } } }';
    // B has checked bob's sign-in, and keeps it in memory until a write through either instance.
    assert.equal((await graphql(b, fx.tokens.bob, list)).status, 200);
    assert.equal((await graphql(b, fx.tokens.bob, list)).status, 200);
    await idp(a).send(new AdminDisableUserCommand({ UserPoolId: fx.userPoolId, Username: 'bob' }));
    await refused(b, fx.tokens.bob);
    // Disabling also ended bob's sign-ins (as AWS does): enabled again, bob signs in anew.
    await idp(a).send(new AdminEnableUserCommand({ UserPoolId: fx.userPoolId, Username: 'bob' }));
    assert.equal((await graphql(b, (await signIn(a, 'bob')).access, list)).status, 200);
  });
});

type Auth = { kind: 'apiKey' } | { kind: 'iam'; cloud: TestCloud } | { kind: 'token'; token: string };

function encode(value: unknown): string {
  return Buffer.from(JSON.stringify(value)).toString('base64url');
}

/** SigV4 headers for `POST <path>` of the API with `body`, as aws-amplify signs the realtime handshake and each start. */
async function iamHeaders(cloud: TestCloud, api: DeployedTestApi, path: string, body: string): Promise<Record<string, string>> {
  const u = new URL(api.url);
  const signer = new SignatureV4({ service: 'appsync', region: 'us-east-1', credentials: cloud.credentials, sha256: Hash.bind(null, 'sha256') });
  const headers = {
    accept: 'application/json, text/javascript',
    'content-encoding': 'amz-1.0',
    'content-type': 'application/json; charset=UTF-8',
    host: u.host,
  };
  return (await signer.sign({ method: 'POST', protocol: 'http:', hostname: u.hostname, port: Number(u.port), path, headers, body })).headers as Record<
    string,
    string
  >;
}

/** A raw realtime (`graphql-ws`) connection to one instance with one subscription started. */
async function subscribe(cloud: TestCloud, api: DeployedTestApi, auth: Auth, query: string): Promise<{ data: any[]; close(): void }> {
  const host = new URL(api.url).host;
  const path = new URL(api.url).pathname;
  const data = JSON.stringify({ query, variables: {} });
  const authorize = async (signedPath: string, body: string): Promise<Record<string, string>> =>
    auth.kind === 'apiKey'
      ? { host, 'x-amz-date': '20261201T000000Z', 'x-api-key': api.apiKey }
      : auth.kind === 'token'
        ? { host, Authorization: auth.token }
        : iamHeaders(auth.cloud, api, signedPath, body);
  const socket = new WebSocket(`ws://127.0.0.1:${cloud.port}${path}/realtime`, ['graphql-ws', `header-${encode(await authorize(`${path}/connect`, '{}'))}`]);
  const frames: Frame[] = [];
  socket.on('message', (raw) => frames.push(JSON.parse(String(raw)) as Frame));
  await new Promise((resolve, reject) => {
    socket.once('open', resolve);
    socket.once('error', reject);
  });
  socket.send(JSON.stringify({ type: 'connection_init' }));
  await until(() => frames.some((f) => f.type === 'connection_ack' || f.type === 'connection_error'), 'connection_ack');
  socket.send(JSON.stringify({ id: 's1', type: 'start', payload: { data, extensions: { authorization: await authorize(path, data) } } }));
  await until(() => frames.some((f) => f.type === 'start_ack' || f.type === 'error'), 'start_ack');
  assert.ok(
    frames.some((f) => f.type === 'start_ack'),
    JSON.stringify(frames),
  );
  return {
    get data() {
      return frames.filter((f) => f.type === 'data').map((f) => Object.values(f.payload.data as Record<string, unknown>)[0]);
    },
    close: () => socket.close(),
  };
}

/** What `read` gives once it gives `wanted`, or at the end of `ms` (for a bus message still on its way). */
async function settle<T>(read: () => Promise<T>, wanted: T, ms: number): Promise<T> {
  const deadline = Date.now() + ms;
  let value = await read();
  while (value !== wanted && Date.now() < deadline) {
    await sleep(20);
    value = await read();
  }
  return value;
}

async function until(check: () => boolean, what: string, ms = 5000): Promise<void> {
  const deadline = Date.now() + ms;
  while (!check()) {
    if (Date.now() > deadline) throw new Error(`no ${what} within ${ms} ms`);
    await sleep(5);
  }
}

/** A GraphQL request to one instance, signed with the (shared) admin keys. */
async function iamGraphql(cloud: TestCloud, api: DeployedTestApi, query: string, variables: Record<string, unknown> = {}): Promise<any> {
  const body = JSON.stringify({ query, variables });
  const path = new URL(api.url).pathname;
  const signer = new SignatureV4({ service: 'appsync', region: 'us-east-1', credentials: cloud.credentials, sha256: Hash.bind(null, 'sha256') });
  const signed = await signer.sign({
    method: 'POST',
    protocol: 'http:',
    hostname: '127.0.0.1',
    port: cloud.port,
    path,
    headers: { host: `127.0.0.1:${cloud.port}`, 'content-type': 'application/json' },
    body,
  });
  const res = await fetch(`${cloud.url}${path}`, { method: 'POST', headers: signed.headers, body });
  return res.json();
}

/** Raw HTTP to one instance; `signed`: SigV4 with the shared admin keys (the site route needs its Host header). */
async function send(
  cloud: TestCloud,
  options: { method?: string; path: string; headers?: Record<string, string>; body?: Buffer | string; signed?: boolean },
): Promise<{ status: number; body: string }> {
  const method = options.method ?? 'GET';
  let headers: Record<string, string> = { ...options.headers };
  if (options.signed) {
    const signer = new SignatureV4({ service: SIGNING_SERVICE, region: 'us-east-1', credentials: cloud.credentials, sha256: Hash.bind(null, 'sha256') });
    headers = (
      await signer.sign({
        method,
        protocol: 'http:',
        hostname: '127.0.0.1',
        port: cloud.port,
        path: options.path,
        query: {},
        headers: { host: `127.0.0.1:${cloud.port}`, ...headers },
        body: options.body,
      })
    ).headers;
  }
  return new Promise((resolve, reject) => {
    const req = request({ host: '127.0.0.1', port: cloud.port, method, path: options.path, headers }, (res) => {
      const chunks: Buffer[] = [];
      res.on('data', (c: Buffer) => chunks.push(c));
      res.on('end', () => resolve({ status: res.statusCode ?? 0, body: Buffer.concat(chunks).toString('utf8') }));
      res.on('error', reject);
    });
    req.on('error', reject);
    req.end(options.body);
  });
}

/** A site deployment through one instance: CreateDeployment, the missing blobs, StartDeployment. */
async function deploySite(cloud: TestCloud, siteId: string, files: Record<string, string>): Promise<void> {
  const sha = (data: string): string => createHash('sha256').update(data).digest('hex');
  const hosting = async (operation: string, input: unknown): Promise<any> => {
    const reply = await send(cloud, {
      method: 'POST',
      path: '/hosting-api/',
      headers: { 'content-type': 'application/x-amz-json-1.1', 'x-amz-target': `ForteHosting.${operation}` },
      body: JSON.stringify(input),
      signed: true,
    });
    assert.equal(reply.status, 200, reply.body);
    return JSON.parse(reply.body);
  };
  const list = Object.entries(files).map(([path, content]) => ({ path, sha256: sha(content), size: Buffer.byteLength(content) }));
  const created = await hosting('CreateDeployment', { siteId, files: list });
  for (const hash of created.missing as string[]) {
    const content = Object.values(files).find((c) => sha(c) === hash)!;
    const up = await send(cloud, {
      method: 'PUT',
      path: hostingBlobPath(siteId, hash),
      headers: { 'x-amz-content-sha256': hash },
      body: content,
      signed: true,
    });
    assert.equal(up.status, 200, up.body);
  }
  await hosting('StartDeployment', { siteId, deploymentId: created.deployment.deploymentId });
}
