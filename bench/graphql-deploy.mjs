// Shared set-up of the GraphQL benchmarks (bench/graphql.mjs, bench/realtime.mjs): a data folder with a
// user pool, a GraphQL API whose schema comes from the transformer, and to-dos, made through the cloud's
// own resource handlers and public APIs; and the cloud under test started on that folder as its own process.
import './sdk-notice.mjs';
import assert from 'node:assert/strict';
import { spawn } from 'node:child_process';
import { randomUUID } from 'node:crypto';
import { readFileSync } from 'node:fs';
import { request } from 'node:http';
import { join } from 'node:path';

const root = new URL('..', import.meta.url).pathname;
const cloudDist = join(root, 'packages/cloud/dist');
const cloudBin = join(cloudDist, 'bin.cjs');

/** The benchmarks' model: to-dos under an owner rule, listed newest first through an index on the owner. */
export const BENCH_SCHEMA = `
type Todo @model @auth(rules: [{ allow: owner }]) {
  id: ID!
  content: String!
  done: Boolean
  owner: String @index(name: "byOwner", queryField: "todosByOwner", sortKeyFields: ["createdAt"])
  createdAt: AWSDateTime
}
`;

/** The fields every benchmark selects (get, list, create and the realtime harness's subscription). */
export const TODO_FIELDS = ['id', 'content', 'done', 'owner', 'createdAt', 'updatedAt'];
const selection = TODO_FIELDS.join(' ');
export const GET_TODO = `query GetTodo($id: ID!) { getTodo(id: $id) { ${selection} } }`;
export const LIST_TODOS = `query TodosByOwner($owner: String!, $limit: Int) { todosByOwner(owner: $owner, sortDirection: DESC, limit: $limit) { items { ${selection} } nextToken } }`;
export const CREATE_TODO = `mutation CreateTodo($input: CreateTodoInput!) { createTodo(input: $input) { ${selection} } }`;

export const PASSWORD = 'Bench-Passw0rd!';
const BENCH_ENV = 'bench';

/** A JSON POST on a fresh connection (set-up and checks only; the measured load uses wrk or its own agent). */
export function postJson(url, headers, body) {
  const data = JSON.stringify(body);
  return new Promise((resolve, reject) => {
    const req = request(
      url,
      { method: 'POST', agent: false, headers: { 'content-type': 'application/json', 'content-length': Buffer.byteLength(data), ...headers } },
      (res) => {
        const chunks = [];
        res.on('data', (d) => chunks.push(d));
        res.on('end', () => {
          const text = Buffer.concat(chunks).toString('utf8');
          try {
            resolve({ status: res.statusCode, headers: res.headers, json: JSON.parse(text), text });
          } catch {
            reject(new Error(`${url} answered ${res.statusCode} with non-JSON: ${text.slice(0, 300)}`));
          }
        });
      },
    );
    req.on('error', reject);
    req.end(data);
  });
}

/** A GraphQL request with a user pool access token; throws on HTTP or GraphQL errors unless `allowErrors`. */
export async function graphql(url, token, query, variables, { allowErrors = false } = {}) {
  const r = await postJson(url, { authorization: token }, { query, variables });
  if (!allowErrors && (r.status !== 200 || r.json.errors)) throw new Error(`${url} answered ${r.status}: ${r.text.slice(0, 500)}`);
  return r;
}

/**
 * A server's answers to the GraphQL benchmarks' requests, checked before any timing: the caller's to-do and
 * list of `own` come back whole, a to-do of another user is refused, another owner's list answers none of theirs.
 */
export async function checkAnswers(name, url, { caller, other, ownTodo, otherTodo }, own = 20) {
  const mine = await graphql(url, caller.token, GET_TODO, { id: ownTodo.id });
  assert.deepEqual(mine.json.data.getTodo, ownTodo, `${name}: getTodo of the caller's to-do`);
  const refused = await graphql(url, caller.token, GET_TODO, { id: otherTodo.id }, { allowErrors: true });
  assert.equal(refused.json.data?.getTodo ?? null, null, `${name}: getTodo of another user's to-do must not answer it`);
  assert.equal(refused.json.errors?.[0]?.errorType, 'Unauthorized', `${name}: getTodo of another user's to-do is refused`);
  const list = await graphql(url, caller.token, LIST_TODOS, { owner: caller.owner, limit: own });
  const page = list.json.data.todosByOwner;
  assert.equal(page.items.length, own, `${name}: the caller's list`);
  assert.ok(
    page.items.every((i) => i.owner === caller.username),
    `${name}: only the caller's to-dos`,
  );
  const foreign = await graphql(url, caller.token, LIST_TODOS, { owner: other.owner, limit: own }, { allowErrors: true });
  assert.ok(
    (foreign.json.data?.todosByOwner?.items ?? []).every((i) => i.owner === caller.username),
    `${name}: another owner's list answers none of their to-dos`,
  );
  return { own: mine, list };
}

/** Signs a user in with USER_PASSWORD_AUTH: the access token (what aws-amplify sends to AppSync) and its identity. */
export async function signIn(cloudUrl, clientId, username) {
  const { json: body } = await postJson(
    `${cloudUrl}/cognito-idp/`,
    { 'content-type': 'application/x-amz-json-1.1', 'x-amz-target': 'AWSCognitoIdentityProviderService.InitiateAuth' },
    {
      AuthFlow: 'USER_PASSWORD_AUTH',
      ClientId: clientId,
      AuthParameters: { USERNAME: username, PASSWORD },
    },
  );
  const token = body.AuthenticationResult?.AccessToken;
  if (!token) throw new Error(`sign-in of ${username} failed: ${JSON.stringify(body)}`);
  const claims = JSON.parse(Buffer.from(token.split('.')[1], 'base64url').toString('utf8'));
  return { username, token, sub: claims.sub, owner: `${claims.sub}::${claims.username ?? username}`, issuer: claims.iss };
}

/**
 * Creates, in a fresh data folder, through `createCloud()` from dist in this process (as bench/auth.mjs
 * does): a user pool and app client, `users` confirmed users (AdminCreateUser + AdminSetUserPassword),
 * a GraphQL API with user pool auth, one table per model of `transform(BENCH_SCHEMA)` and the schema
 * resource — the resources a push of the api category creates. Then, over HTTP: `ownTodos` to-dos per
 * user through the createTodo mutation (the owner stamped by the API), and `otherTodos` to-dos of
 * other owners written with BatchWriteItem (admin credentials) in the shape of a created one.
 * Answers what the benchmarks need to find it all again.
 */
export async function deployBenchApi({ dataDir, users, ownTodos, otherTodos }) {
  const { createCloud } = await import(join(cloudDist, 'server.js'));
  const { DEFAULT_TRANSFORM_PARAMETERS, transform } = await import(join(root, 'packages/graphql-transformer/dist/index.js'));
  const { APPSYNC_RESOURCE_TYPES, AUTH_RESOURCE_TYPES, DYNAMODB_RESOURCE_TYPES } = await import(join(root, 'packages/protocol/dist/index.js'));
  const { AdminCreateUserCommand, AdminSetUserPasswordCommand, CognitoIdentityProviderClient } = await import('@aws-sdk/client-cognito-identity-provider');
  const { BatchWriteItemCommand, DynamoDBClient, GetItemCommand } = await import('@aws-sdk/client-dynamodb');

  // FORTE_DATABASE (bench/graphql.mjs sets it for BENCH_DATABASE=postgres) is the bin's setting too.
  const cloud = await createCloud({ dataDir, port: 0, host: '127.0.0.1', logLevel: 'warn', database: process.env.FORTE_DATABASE || undefined });
  try {
    const kernel = cloud.kernel;
    const ctx = (logicalId) => ({
      appId: 'bench',
      appSlug: 'bench',
      envName: BENCH_ENV,
      stackName: 'amplify-bench-bench-api',
      logicalId,
      region: 'us-east-1',
      accountId: kernel.config.accountId,
      log: kernel.log,
    });
    const handler = (type) => {
      const h = kernel.resourceHandler(type);
      if (!h) throw new Error(`the cloud has no handler for ${type}: build the AppSync service first`);
      return h;
    };
    const pool = await handler(AUTH_RESOURCE_TYPES.userPool).create({ PoolName: 'Bench' }, ctx('UserPool'));
    const poolId = String(pool.attributes.UserPoolId ?? pool.physicalId);
    const client = await handler(AUTH_RESOURCE_TYPES.userPoolClient).create(
      { UserPoolId: poolId, ClientName: 'web', ExplicitAuthFlows: ['ALLOW_USER_PASSWORD_AUTH', 'ALLOW_USER_SRP_AUTH', 'ALLOW_REFRESH_TOKEN_AUTH'] },
      ctx('UserPoolClientWeb'),
    );
    const clientId = String(client.attributes.ClientId ?? client.physicalId);

    const credentials = JSON.parse(readFileSync(join(dataDir, 'admin-credentials.json'), 'utf8'));
    const idp = new CognitoIdentityProviderClient({ region: 'us-east-1', endpoint: `${cloud.url}/cognito-idp/`, credentials, maxAttempts: 1 });
    const usernames = Array.from({ length: users }, (_, i) => `user${String(i).padStart(4, '0')}`);
    for (const username of usernames) {
      await idp.send(new AdminCreateUserCommand({ UserPoolId: poolId, Username: username, MessageAction: 'SUPPRESS' }));
      await idp.send(new AdminSetUserPasswordCommand({ UserPoolId: poolId, Username: username, Password: PASSWORD, Permanent: true }));
    }
    idp.destroy();

    const api = await handler(APPSYNC_RESOURCE_TYPES.graphQLApi).create(
      { Name: `bench-${BENCH_ENV}`, AuthenticationType: 'AMAZON_COGNITO_USER_POOLS', UserPoolConfig: { UserPoolId: poolId, AwsRegion: 'us-east-1' } },
      ctx('GraphQLAPI'),
    );
    const apiId = String(api.attributes.ApiId);
    // A new project's transformer parameters: owners are stored as `<sub>::<username>`.
    const compiled = transform({
      schema: BENCH_SCHEMA,
      parameters: DEFAULT_TRANSFORM_PARAMETERS,
      authConfig: { defaultAuthentication: { authenticationType: 'AMAZON_COGNITO_USER_POOLS' }, additionalAuthenticationProviders: [] },
    });
    const tables = {};
    for (const table of compiled.plan.tables) {
      const created = await handler(DYNAMODB_RESOURCE_TYPES.table).create(
        { ...table.properties, TableName: `${table.modelName}-${apiId}-${BENCH_ENV}` },
        ctx(`${table.modelName}Table`),
      );
      tables[table.modelName] = String(created.attributes.TableName);
    }
    await handler(APPSYNC_RESOURCE_TYPES.graphQLSchema).create(
      { ApiId: apiId, Definition: compiled.schema, Plan: compiled.plan, Tables: tables },
      ctx('GraphQLSchema'),
    );

    // To-dos: each user's own through the API, the rest in bulk in the shape of a created one.
    const graphqlUrl = `${cloud.url}/graphql/${apiId}`;
    let template;
    for (const username of usernames) {
      const { token } = await signIn(cloud.url, clientId, username);
      for (let i = 0; i < ownTodos; i++) {
        const r = await graphql(graphqlUrl, token, CREATE_TODO, { input: { content: `${username} to-do ${i}`, done: i % 3 === 0 } });
        template ??= r.json.data.createTodo;
      }
    }
    if (otherTodos > 0) {
      if (!template) throw new Error('otherTodos needs at least one created to-do as a template');
      const dynamodb = new DynamoDBClient({ region: 'us-east-1', endpoint: `${cloud.url}/dynamodb`, credentials, maxAttempts: 1 });
      // The stored item of a created to-do (every attribute the API writes), copied with other values.
      const stored = (await dynamodb.send(new GetItemCommand({ TableName: tables.Todo, Key: { id: { S: template.id } } }))).Item;
      if (!stored) throw new Error(`the created to-do ${template.id} is not in ${tables.Todo}`);
      const start = Date.parse(template.createdAt) - otherTodos * 1000;
      // Other owners hold as many to-dos each as the bench users do.
      const perOwner = Math.max(ownTodos, 1);
      const owners = Array.from({ length: Math.ceil(otherTodos / perOwner) }, (_, i) => `${randomUUID()}::other${String(i).padStart(4, '0')}`);
      for (let n = 0; n < otherTodos; n += 25) {
        const batch = [];
        for (let i = n; i < Math.min(n + 25, otherTodos); i++) {
          const at = new Date(start + i * 1000).toISOString();
          const owner = owners[Math.floor(i / perOwner)];
          const item = {
            ...stored,
            id: { S: randomUUID() },
            content: { S: `other to-do ${i}` },
            done: { BOOL: i % 2 === 0 },
            owner: { S: owner },
            createdAt: { S: at },
            updatedAt: { S: at },
          };
          batch.push({ PutRequest: { Item: item } });
        }
        await dynamodb.send(new BatchWriteItemCommand({ RequestItems: { [tables.Todo]: batch } }));
      }
      dynamodb.destroy();
    }
    return { apiId, poolId, clientId, tableName: tables.Todo, usernames };
  } finally {
    await cloud.close();
  }
}

/**
 * Node options for every cloud a benchmark starts, from BENCH_CLOUD_NODE_ARGS (space-separated), e.g.
 * `--trace-gc` or `--max-semi-space-size=8` to see what the collector does under the benchmark's load.
 */
export const cloudNodeArgs = () => (process.env.BENCH_CLOUD_NODE_ARGS ?? '').split(' ').filter(Boolean);

/**
 * The cloud under test: `packages/cloud/dist/bin.cjs` (what `forte cloud start` runs) on the data folder, as its
 * own process, with `env` over this process's environment (an instance of a cluster: FORTE_DATABASE, FORTE_BUS,
 * FORTE_PUBLIC_URL).
 */
export async function startCloud(dataDir, nodeArgs = [], env = {}) {
  const child = spawn(process.execPath, [...cloudNodeArgs(), ...nodeArgs, cloudBin, '--port', '0', '--data-dir', dataDir], {
    env: { ...process.env, ...env },
    stdio: ['ignore', 'pipe', 'inherit'],
  });
  const url = await new Promise((resolve, reject) => {
    let out = '';
    child.stdout.on('data', (d) => {
      out += d;
      const m = /listening on (\S+)/.exec(out);
      if (m) resolve(m[1]);
    });
    child.on('exit', (code) => reject(new Error(`the cloud exited ${code} before listening`)));
  });
  return {
    url,
    pid: child.pid,
    /** CPU milliseconds used so far (all threads), from /proc (Linux; clock ticks of 10 ms). */
    cpuMs: () => cpuMsOf(child.pid),
    /** Resident set size, from /proc (Linux). */
    rssMiB: () => Number(/VmRSS:\s+(\d+) kB/.exec(readFileSync(`/proc/${child.pid}/status`, 'utf8'))[1]) / 1024,
    stop: async () => {
      child.kill('SIGTERM');
      await new Promise((r) => (child.exitCode === null && child.signalCode === null ? child.once('exit', r) : r()));
    },
  };
}

/** CPU milliseconds used so far by a process (all threads), from /proc (Linux; clock ticks of 10 ms). */
export function cpuMsOf(pid) {
  return readFileSync(`/proc/${pid}/stat`, 'utf8')
    .split(') ')[1]
    .split(' ')
    .slice(11, 13)
    .reduce((sum, ticks) => sum + Number(ticks) * 10, 0);
}

export const median = (xs) => [...xs].sort((a, b) => a - b)[Math.floor(xs.length / 2)];
