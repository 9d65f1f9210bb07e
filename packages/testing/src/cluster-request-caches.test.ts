import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import { setTimeout as sleep } from 'node:timers/promises';
import {
  AdminUpdateUserAttributesCommand,
  ChangePasswordCommand,
  CognitoIdentityProviderClient,
  InitiateAuthCommand,
} from '@aws-sdk/client-cognito-identity-provider';
import { InvokeCommand } from '@aws-sdk/client-lambda';
import {
  createApiGatewayService,
  createCognitoIdpService,
  createIamService,
  createLambdaService,
  createS3Service,
  type Kernel,
  type ServiceFactory,
  type SqlStore,
} from '@forte/cloud';
import { deployFunction, filledSdkCache, handlerOf, lambdaClient, resourceContext } from './lambda-fixture.js';
import { clusterSkipReason, startCluster, type TestCluster } from './start-cluster.js';
import type { TestCloud } from './start-test-cloud.js';
import { createTestUsers } from './test-identity-pool.js';

// What a REST request and an Invoke look up on every call (the API's definition and stages, the function's
// row) is kept in memory between calls on PostgreSQL too, and a deployment through one instance is what
// the other serves next; what the user pools keep is not dropped for every attempt they count.
const skip = await clusterSkipReason();

/** Every statement a service runs through the kernel's store, in `statements`. */
function recording(sql: SqlStore, statements: string[]): SqlStore {
  return {
    ...sql,
    all: (text, params) => (statements.push(text), sql.all(text, params)),
    get: (text, params) => (statements.push(text), sql.get(text, params)),
    run: (text, params) => (statements.push(text), sql.run(text, params)),
    transaction: (fn) => sql.transaction((tx) => fn(recording(tx, statements))),
  };
}

/** The statements each cloud's Lambda and API Gateway services ran, by the cloud's kernel. */
const statementsOf = new WeakMap<object, string[]>();
const recorded =
  (create: (kernel: Kernel) => ReturnType<ServiceFactory>): ServiceFactory =>
  (kernel) => {
    const statements = statementsOf.get(kernel) ?? [];
    statementsOf.set(kernel, statements);
    return create(Object.create(kernel, { sql: { value: recording(kernel.sql, statements) } }) as Kernel);
  };

/** Answers what the gateway got: the function's event path and variable, or the gateway's error type. */
const ECHO = `exports.handler = async (event) => ({
  statusCode: 200,
  body: JSON.stringify({ path: event.path, greeting: process.env.GREETING ?? null }),
});`;

const integration = (functionArn: string) => ({
  'x-amazon-apigateway-any-method': {
    'x-amazon-apigateway-integration': {
      type: 'aws_proxy',
      httpMethod: 'POST',
      uri: `arn:aws:apigateway:us-east-1:lambda:path/2015-03-31/functions/${functionArn}/invocations`,
    },
  },
});
const swagger = (functionArn: string, paths: string[]) => ({
  swagger: '2.0',
  info: { title: 'cached', version: '1' },
  basePath: '/dev',
  paths: Object.fromEntries(paths.map((path) => [path, integration(functionArn)])),
});

/** Waits (up to 10 s) for `done`; a bus message is on its way for a moment after the write answered. */
async function until(done: () => Promise<boolean>, what: string): Promise<void> {
  for (const deadline = Date.now() + 10_000; Date.now() < deadline; await sleep(10)) if (await done()) return;
  throw new Error(`timed out waiting for ${what}`);
}

/** How many statements of `cloud` since `from` match `pattern`. */
const matching = (cloud: TestCloud, from: number, pattern: RegExp): number =>
  statementsOf
    .get(cloud.kernel)!
    .slice(from)
    .filter((s) => pattern.test(s)).length;
const count = (cloud: TestCloud): number => statementsOf.get(cloud.kernel)!.length;

void describe('a cluster on PostgreSQL: what REST requests and invocations keep in memory', { skip }, () => {
  let cluster: TestCluster;
  let a: TestCloud;
  let b: TestCloud;
  let functionArn: string;
  let apiId: string;
  const apiContext = () => resourceContext(a, 'cachedApi', 'amplify-app1-dev-api');

  const rest = async (cloud: TestCloud, path: string): Promise<{ status: number; errorType: string | null; json: any }> => {
    const res = await fetch(`${cloud.url}/restapis/${apiId}/dev${path}`);
    const text = await res.text();
    return { status: res.status, errorType: res.headers.get('x-amzn-errortype'), json: res.ok ? JSON.parse(text) : text };
  };
  const invoke = async (cloud: TestCloud): Promise<{ greeting: string | null }> => {
    const out = await lambdaClient(cloud).send(new InvokeCommand({ FunctionName: 'echo', Payload: Buffer.from('{"path":"/direct"}') }));
    assert.equal(out.FunctionError, undefined, Buffer.from(out.Payload ?? []).toString());
    return JSON.parse(JSON.parse(Buffer.from(out.Payload!).toString()).body);
  };
  const deployEcho = (greeting: string) => deployFunction(a, { name: 'echo', files: { 'index.js': ECHO }, variables: { GREETING: greeting } });

  before(async () => {
    const cacheDir = await filledSdkCache();
    cluster = await startCluster([
      createIamService,
      createS3Service,
      recorded((kernel) => createLambdaService(kernel, { cacheDir, allowDownloads: false })),
      recorded((kernel) => createApiGatewayService(kernel)),
      createCognitoIdpService,
    ]);
    ({ a, b } = cluster);
  });
  after(async () => {
    await cluster?.close();
  });

  void it('serves on B an API redeployed through A: the new route answers, the old one is gone', async () => {
    functionArn = await deployEcho('hello');
    await handlerOf(a, 'AWS::Lambda::Permission').create(
      { FunctionName: 'echo', Action: 'lambda:InvokeFunction', Principal: 'apigateway.amazonaws.com' },
      resourceContext(a, 'echoPermission', 'amplify-app1-dev-api'),
    );
    const api = await handlerOf(a, 'AWS::ApiGateway::RestApi').create({ Body: swagger(functionArn, ['/old']) }, apiContext());
    apiId = api.physicalId;
    await handlerOf(a, 'AWS::ApiGateway::Deployment').create(
      { RestApiId: apiId, StageName: 'dev' },
      resourceContext(a, 'cachedDeployment', 'amplify-app1-dev-api'),
    );
    // At once: B reads an API it does not hold from the database.
    assert.deepEqual((await rest(b, '/old')).json, { path: '/old', greeting: 'hello' });

    await handlerOf(a, 'AWS::ApiGateway::RestApi').update(apiId, { Body: swagger(functionArn, ['/new']) }, {}, apiContext());
    await until(async () => (await rest(b, '/new')).status === 200, 'B to serve the new route');
    assert.deepEqual((await rest(b, '/new')).json, { path: '/new', greeting: 'hello' });
    // API Gateway answers a path no resource matches with 403 Missing Authentication Token.
    const old = await rest(b, '/old');
    assert.deepEqual([old.status, old.errorType], [403, 'MissingAuthenticationTokenException'], 'B no longer serves the old route');
  });

  void it('invokes on B the function configuration A deployed last', async () => {
    assert.equal((await invoke(b)).greeting, 'hello');
    await deployEcho('bonjour');
    await until(async () => (await invoke(b)).greeting === 'bonjour', 'B to run the new configuration');
    for (let i = 0; i < 5; i++) assert.equal((await invoke(b)).greeting, 'bonjour', 'never the old one again');
    assert.equal((await rest(b, '/new')).json.greeting, 'bonjour', 'through the gateway too');
  });

  // The version the kept rows depend on also changes every second by itself (a bus message may be lost),
  // so a warm call may read once a second; without the cache each call reads.
  const CALLS = 30;
  const bound = (startedAt: number) => 2 + Math.floor((Date.now() - startedAt) / 1000);

  void it('reads neither the API definition nor the function row on a warm REST request', async () => {
    assert.equal((await rest(b, '/new')).status, 200);
    const from = count(b);
    const startedAt = Date.now();
    for (let i = 0; i < CALLS; i++) assert.equal((await rest(b, '/new')).status, 200);
    const most = bound(startedAt);
    const apis = matching(b, from, /FROM apigateway_apis\b/);
    const functions = matching(b, from, /FROM lambda_functions\b/);
    assert.ok(apis <= most, `${apis} reads of the API in ${CALLS} requests (at most ${most})`);
    assert.ok(functions <= most, `${functions} reads of the function in ${CALLS} requests (at most ${most})`);
    assert.ok(matching(b, from, /FROM apigateway_stages\b/) <= most);
  });

  void it('reads not the function row on a warm Invoke', async () => {
    await invoke(b);
    const from = count(b);
    const startedAt = Date.now();
    for (let i = 0; i < CALLS; i++) await invoke(b);
    const most = bound(startedAt);
    const functions = matching(b, from, /FROM lambda_functions\b/);
    assert.ok(functions <= most, `${functions} reads of the function in ${CALLS} invocations (at most ${most})`);
  });

  void it('changes no data version of the user pools for a counted attempt, so no instance drops its kept sign-ins', async () => {
    const users = await createTestUsers(a, { ann: [] });
    const idp = new CognitoIdentityProviderClient({ endpoint: `${a.url}/cognito-idp/`, region: 'us-east-1', credentials: a.credentials, maxAttempts: 1 });
    const signedIn = await idp.send(
      new InitiateAuthCommand({ ClientId: users.clientId, AuthFlow: 'USER_PASSWORD_AUTH', AuthParameters: { USERNAME: 'ann', PASSWORD: 'Correct-Horse-9' } }),
    );
    const accessToken = signedIn.AuthenticationResult!.AccessToken!;
    // What A announces: the user pools' data changes, and a marker the test sends after what it watches. One
    // publisher's messages arrive in order, so once the marker is here, anything sent before it is too.
    let changes = 0;
    let markers = 0;
    const stops = [
      await a.kernel.bus.subscribe('cache.cognito-idp-data.v1', () => void (changes += 1)),
      await a.kernel.bus.subscribe('test.marker.v1', () => void (markers += 1)),
    ];
    const marked = async (): Promise<void> => {
      const before = markers;
      a.kernel.bus.publish('test.marker.v1', null);
      await until(() => Promise.resolve(markers > before), 'the marker');
    };
    try {
      await idp.send(new AdminUpdateUserAttributesCommand({ UserPoolId: users.userPoolId, Username: 'ann', UserAttributes: [{ Name: 'name', Value: 'Ann' }] }));
      await marked();
      assert.ok(changes >= 1, 'a write to the user pools is announced');
      changes = 0;
      await assert.rejects(
        idp.send(new ChangePasswordCommand({ AccessToken: accessToken, PreviousPassword: 'Wrong-Horse-9', ProposedPassword: 'Other-Horse-9' })),
        { name: 'NotAuthorizedException' },
      );
      await marked();
      assert.equal(changes, 0, 'the wrong password was counted without a change of the data version');
    } finally {
      for (const stop of stops) stop();
      idp.destroy();
    }
  });
});
