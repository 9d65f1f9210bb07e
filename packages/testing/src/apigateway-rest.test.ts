import assert from 'node:assert/strict';
import { request } from 'node:http';
import { after, before, describe, it } from 'node:test';
import {
  AdminAddUserToGroupCommand,
  AdminCreateUserCommand,
  AdminSetUserPasswordCommand,
  CognitoIdentityProviderClient,
  CreateGroupCommand,
} from '@aws-sdk/client-cognito-identity-provider';
import type { ResourceContext } from '@forte/cloud';
import { AUTH_RESOURCE_TYPES } from '@forte/protocol';
import { Hash } from '@smithy/hash-node';
import { SignatureV4 } from '@smithy/signature-v4';
import { Amplify } from 'aws-amplify';
import { get, head, post, put } from 'aws-amplify/api';
import { fetchAuthSession, signIn, signOut } from 'aws-amplify/auth';
import { amplifyAdminQueriesTemplate, amplifyRestApiTemplate } from './apigateway-template.js';
import { controlClient } from './events-control-client.js';
import { PROXY_TEST_ADDRESS, deployFunction, identityPoolTrust, proxyAddressSkipReason, requestFrom, startLambdaCloud, type TestCloud } from './index.js';

/** Echoes the event, or answers what the path asks for: binary bytes, a malformed answer, an error. */
const FUNCTION_CODE = `
exports.handler = async (event) => {
  const last = event.path.split('/').pop();
  if (last === 'binary') return { statusCode: 200, headers: { 'Content-Type': 'image/png' }, body: Buffer.from([0, 1, 2, 255, 254]).toString('base64'), isBase64Encoded: true };
  if (last === 'malformed') return { statusCode: 200, body: { not: 'a string' } };
  if (last === 'throws') throw new Error('the handler broke');
  if (last === 'slow') await new Promise((resolve) => setTimeout(resolve, 1500));
  if (last === 'traced') return { statusCode: 200, body: JSON.stringify({ header: event.headers['X-Amzn-Trace-Id'], env: process.env._X_AMZN_TRACE_ID }) };
  return {
    statusCode: last === 'created' ? 201 : 200,
    headers: { 'Content-Type': 'application/json', 'X-Custom': 'yes' },
    multiValueHeaders: { 'Set-Cookie': ['a=1', 'b=2'] },
    body: JSON.stringify(event),
  };
};`;

const PASSWORD = 'Correct-Horse-9';
let cloud: TestCloud;
let rootUrl: string;
let apiId: string;
let userPoolId: string;

type Event = {
  resource: string;
  path: string;
  httpMethod: string;
  headers: Record<string, string>;
  multiValueHeaders: Record<string, string[]>;
  queryStringParameters: Record<string, string> | null;
  multiValueQueryStringParameters: Record<string, string[]> | null;
  pathParameters: Record<string, string> | null;
  stageVariables: unknown;
  body: string | null;
  isBase64Encoded: boolean;
  requestContext: Record<string, unknown> & { identity: Record<string, string | null> };
};

const ctx = (logicalId: string): ResourceContext => ({
  appId: 'app1',
  appSlug: 'app1',
  envName: 'dev',
  stackName: 'amplify-app1-dev-auth',
  logicalId,
  region: 'us-east-1',
  accountId: cloud.kernel.config.accountId,
  log: cloud.kernel.log,
});
const handler = (type: string) => cloud.kernel.resourceHandler(type)!;

/** The status and body of a refused aws-amplify call (RestApiError). */
async function refusal(call: Promise<unknown>): Promise<{ statusCode: number; headers: Record<string, string>; body: string }> {
  try {
    await call;
  } catch (error) {
    const response = (error as { response?: { statusCode: number; headers: Record<string, string>; body: string } }).response;
    if (response) return response;
    throw error;
  }
  throw new Error('the call succeeded');
}

/** The parameters Amplify's REST API stack takes: the function restfn-dev of this cloud, the roles and the user pool. */
const stackParameters = () => ({
  functionrestfnName: 'restfn-dev',
  functionrestfnArn: `arn:aws:lambda:us-east-1:${cloud.kernel.config.accountId}:function:restfn-dev`,
  env: 'dev',
  authRoleName: 'authRole',
  unauthRoleName: 'unauthRole',
  authUserPoolId: userPoolId,
});

/** Deploys `template` as the dev environment of a new app, which must succeed: the app and the stack's outputs. */
async function deployApp(
  app: string,
  template: unknown,
  parameters: Record<string, string> = stackParameters(),
): Promise<{ appId: string; outputs: Record<string, unknown> }> {
  const deployment = await controlClient(cloud).deploy(app, template as never, parameters);
  assert.equal(deployment.status, 'SUCCEEDED', deployment.error);
  const { environment } = await controlClient(cloud).call('DescribeStack', { appId: deployment.appId, envName: 'dev' });
  return { appId: deployment.appId, outputs: environment.outputs };
}

before(async () => {
  // Connections from PROXY_TEST_ADDRESS stand for a load balancer's; 127.0.0.1 is an ordinary client.
  cloud = await startLambdaCloud({ trustedProxies: [PROXY_TEST_ADDRESS] });
  const pool = await handler(AUTH_RESOURCE_TYPES.userPool).create({ PoolName: 'users' }, ctx('UserPool'));
  userPoolId = String(pool.attributes.UserPoolId);
  const clientId = String(
    (
      await handler(AUTH_RESOURCE_TYPES.userPoolClient).create(
        { UserPoolId: userPoolId, ClientName: 'web', ExplicitAuthFlows: ['ALLOW_USER_PASSWORD_AUTH', 'ALLOW_REFRESH_TOKEN_AUTH'] },
        ctx('UserPoolClientWeb'),
      )
    ).attributes.ClientId,
  );
  const role = async (name: string): Promise<string> =>
    String((await handler('AWS::IAM::Role').create({ RoleName: name, AssumeRolePolicyDocument: identityPoolTrust() }, ctx(name))).attributes.Arn);
  const identityPool = await handler(AUTH_RESOURCE_TYPES.identityPool).create(
    {
      IdentityPoolName: 'users_identitypool',
      AllowUnauthenticatedIdentities: true,
      CognitoIdentityProviders: [{ ProviderName: pool.attributes.ProviderName, ClientId: clientId }],
      Roles: { authenticated: await role('authRole'), unauthenticated: await role('unauthRole') },
      RoleMappings: {
        web: { Type: 'Token', AmbiguousRoleResolution: 'AuthenticatedRole', IdentityProvider: `${String(pool.attributes.ProviderName)}:${clientId}` },
      },
    },
    ctx('IdentityPool'),
  );
  const idp = new CognitoIdentityProviderClient({ endpoint: `${cloud.url}/cognito-idp/`, region: 'us-east-1', credentials: cloud.credentials, maxAttempts: 1 });
  // Amplify names group roles <UserPoolId>-<Group>GroupRole; the API stack's group policies attach to that name.
  const adminRole = await role(`${userPoolId}-AdminGroupRole`);
  await idp.send(new CreateGroupCommand({ UserPoolId: userPoolId, GroupName: 'Admin', Precedence: 1, RoleArn: adminRole }));
  for (const user of ['alice', 'bob']) {
    await idp.send(new AdminCreateUserCommand({ UserPoolId: userPoolId, Username: user, MessageAction: 'SUPPRESS' }));
    await idp.send(new AdminSetUserPasswordCommand({ UserPoolId: userPoolId, Username: user, Password: PASSWORD, Permanent: true }));
  }
  await idp.send(new AdminAddUserToGroupCommand({ UserPoolId: userPoolId, Username: 'bob', GroupName: 'Admin' }));
  idp.destroy();

  const functionArn = await deployFunction(cloud, { name: 'restfn-dev', files: { 'index.js': FUNCTION_CODE } });
  const template = amplifyRestApiTemplate('restapi', [
    { path: '/items', setting: 'protected', auth: ['create', 'read', 'update', 'delete'], guest: ['read'] },
    { path: '/admin', setting: 'private', groups: { Admin: ['read'] } },
    { path: '/open', setting: 'open' },
  ]);
  const { outputs } = await deployApp('RestApp', template, { ...stackParameters(), functionrestfnArn: functionArn });
  rootUrl = String(outputs.RootUrl);
  apiId = String(outputs.ApiId);

  Amplify.configure({
    Auth: {
      Cognito: {
        userPoolId,
        userPoolClientId: clientId,
        identityPoolId: String(identityPool.attributes.IdentityPoolId),
        allowGuestAccess: true,
        userPoolEndpoint: `${cloud.url}/cognito-idp/`,
        identityPoolEndpoint: `${cloud.url}/cognito-identity/`,
      },
    },
    API: { REST: { restapi: { endpoint: rootUrl, region: 'us-east-1' } } },
  });
});
after(() => cloud.close());

const signInAs = async (username: string): Promise<void> => {
  await signOut();
  await signIn({ username, password: PASSWORD, options: { authFlowType: 'USER_PASSWORD_AUTH' } });
};

void describe('REST APIs (API Gateway) through the unmodified aws-amplify v6', () => {
  void it('serves the API at the URL its RootUrl output names', () => {
    assert.match(apiId, /^[a-z0-9]{10}$/);
    assert.equal(rootUrl, `${cloud.url}/restapis/${apiId}/dev`);
  });

  void it('gives a guest the REST proxy event of its signed GET, and the function answer with its headers', async () => {
    await signOut();
    const session = await fetchAuthSession();
    const response = await get({ apiName: 'restapi', path: '/items/a%20b/c', options: { queryParams: { x: '1' }, headers: { 'X-Trace': 'one' } } }).response;
    assert.equal(response.statusCode, 200);
    assert.equal(response.headers['x-custom'], 'yes');
    const event = (await response.body.json()) as unknown as Event;
    assert.equal(event.resource, '/items/{proxy+}');
    assert.equal(event.path, '/items/a%20b/c');
    assert.equal(event.httpMethod, 'GET');
    assert.deepEqual(event.pathParameters, { proxy: 'a b/c' });
    assert.deepEqual(event.queryStringParameters, { x: '1' });
    assert.deepEqual(event.multiValueQueryStringParameters, { x: ['1'] });
    assert.equal(event.headers['x-trace'], 'one');
    assert.deepEqual(event.multiValueHeaders['x-trace'], ['one']);
    assert.equal(event.stageVariables, null);
    assert.equal(event.body, null);
    assert.equal(event.isBase64Encoded, false);
    const rc = event.requestContext;
    assert.equal(rc.stage, 'dev');
    assert.equal(rc.apiId, apiId);
    assert.equal(rc.resourcePath, '/items/{proxy+}');
    assert.equal(rc.httpMethod, 'GET');
    assert.equal(rc.path, '/dev/items/a%20b/c');
    assert.equal(rc.accountId, cloud.kernel.config.accountId);
    assert.match(String(rc.requestId), /^[0-9a-f-]{36}$/);
    assert.match(String(rc.requestTime), /^\d\d\/[A-Z][a-z]{2}\/\d{4}:\d\d:\d\d:\d\d \+0000$/);
    assert.equal(rc.identity.cognitoIdentityId, session.identityId);
    assert.equal(rc.identity.cognitoAuthenticationType, 'unauthenticated');
    assert.equal(rc.identity.cognitoAuthenticationProvider, null);
    assert.equal(rc.identity.userArn, `arn:aws:sts::${cloud.kernel.config.accountId}:assumed-role/unauthRole/CognitoIdentityCredentials`);
    assert.equal(rc.identity.accessKey, session.credentials?.accessKeyId);
    assert.match(String(rc.identity.cognitoIdentityPoolId), /^us-east-1:/);
    assert.equal(rc.identity.sourceIp, '127.0.0.1');
  });

  void it('refuses a guest the methods only signed-in users have, naming the caller and the resource', async () => {
    await signOut();
    const answer = await refusal(post({ apiName: 'restapi', path: '/items', options: { body: { a: 1 } } }).response);
    assert.equal(answer.statusCode, 403);
    const resource = `arn:aws:execute-api:us-east-1:${cloud.kernel.config.accountId}:${apiId}/dev/POST/items`;
    assert.deepEqual(JSON.parse(answer.body), {
      message: `User: arn:aws:sts::${cloud.kernel.config.accountId}:assumed-role/unauthRole/CognitoIdentityCredentials is not authorized to perform: execute-api:Invoke on resource: ${resource}`,
    });
    assert.equal(answer.headers['x-amzn-errortype'], 'AccessDeniedException');
    assert.equal(answer.headers['access-control-allow-origin'], '*');
    assert.equal((await refusal(get({ apiName: 'restapi', path: '/admin' }).response)).statusCode, 403);
  });

  void it('gives a signed-in user its CRUD on /items with the login in the event, and refuses the group-only path', async () => {
    await signInAs('alice');
    const response = await post({ apiName: 'restapi', path: '/items/created', options: { body: { name: 'first' } } }).response;
    assert.equal(response.statusCode, 201);
    const event = (await response.body.json()) as unknown as Event;
    assert.equal(event.httpMethod, 'POST');
    assert.deepEqual(JSON.parse(event.body ?? ''), { name: 'first' });
    assert.equal(event.requestContext.identity.cognitoAuthenticationType, 'authenticated');
    const provider = `cognito-idp.us-east-1.amazonaws.com/${userPoolId}`;
    const sub = event.requestContext.identity.cognitoAuthenticationProvider?.split(':CognitoSignIn:')[1];
    assert.equal(event.requestContext.identity.cognitoAuthenticationProvider, `${provider},${provider}:CognitoSignIn:${sub}`);
    assert.match(sub ?? '', /^[0-9a-f-]{36}$/);
    assert.equal((await put({ apiName: 'restapi', path: '/items', options: { body: {} } }).response).statusCode, 200);
    assert.equal((await head({ apiName: 'restapi', path: '/items' }).response).statusCode, 200);
    assert.equal((await refusal(get({ apiName: 'restapi', path: '/admin' }).response)).statusCode, 403);
  });

  void it("gives a group member the group role's permissions only", async () => {
    await signInAs('bob');
    const response = await get({ apiName: 'restapi', path: '/admin/users' }).response;
    assert.equal(response.statusCode, 200);
    const event = (await response.body.json()) as unknown as Event;
    assert.match(String(event.requestContext.identity.userArn), new RegExp(`assumed-role/${userPoolId}-AdminGroupRole/CognitoIdentityCredentials$`));
    // The group policy grants GET only; the identity pool hands a member the group role instead of the auth role.
    assert.equal((await refusal(post({ apiName: 'restapi', path: '/admin', options: { body: {} } }).response)).statusCode, 403);
    assert.equal((await refusal(post({ apiName: 'restapi', path: '/items', options: { body: {} } }).response)).statusCode, 403);
    await signOut();
  });

  void it('answers binary bodies a function returns base64-encoded as bytes', async () => {
    const response = await get({ apiName: 'restapi', path: '/open/binary' }).response;
    assert.equal(response.headers['content-type'], 'image/png');
    assert.deepEqual([...new Uint8Array(await (await response.body.blob()).arrayBuffer())], [0, 1, 2, 255, 254]);
  });
});

void describe('the gateway over plain HTTP', () => {
  const url = (path: string) => `${rootUrl}${path}`;

  void it('serves open paths unsigned, with null identity fields and both header maps', async () => {
    const response = await fetch(url('/open?a=1&a=2&b=x+y'), { headers: { 'X-Twice': 'one' } });
    assert.equal(response.status, 200);
    assert.deepEqual(response.headers.getSetCookie(), ['a=1', 'b=2']);
    assert.equal(response.headers.get('access-control-allow-origin'), null, "a function's answer carries only its own headers");
    const event = (await response.json()) as Event;
    assert.equal(event.resource, '/open');
    assert.equal(event.pathParameters, null);
    assert.deepEqual(event.queryStringParameters, { a: '2', b: 'x+y' });
    assert.deepEqual(event.multiValueQueryStringParameters, { a: ['1', '2'], b: ['x+y'] });
    assert.equal(event.requestContext.identity.cognitoIdentityId, null);
    assert.equal(event.requestContext.identity.userArn, null);
  });

  void it("traces each request as API Gateway does: X-Amzn-Trace-Id in the event, the client's trace kept, the function's invocation continuing it", async () => {
    const TRACE = /^Root=(1-[0-9a-f]{8}-[0-9a-f]{24});Parent=([0-9a-f]{16});Sampled=([01])$/;
    const traced = async (headers: Record<string, string> = {}) =>
      (await (await fetch(url('/open/traced'), { headers })).json()) as { header: string; env: string };
    const fresh = await traced();
    assert.match(fresh.header, /^Root=1-[0-9a-f]{8}-[0-9a-f]{24}$/);
    assert.equal(TRACE.exec(fresh.env)?.[1], fresh.header.slice('Root='.length), "the function's invocation continues the gateway's trace");
    assert.notEqual((await traced()).header, fresh.header, 'a new trace for each request that names none');
    const client = 'Root=1-5759e988-bd862e3fe1be46a994272793;Sampled=1';
    const kept = await traced({ 'X-Amzn-Trace-Id': client });
    assert.equal(kept.header, client);
    assert.equal(TRACE.exec(kept.env)?.[1], '1-5759e988-bd862e3fe1be46a994272793');
    assert.equal(TRACE.exec(kept.env)?.[3], '1');
    assert.match((await traced({ 'X-Amzn-Trace-Id': 'not a trace' })).header, /^Root=1-[0-9a-f]{8}-[0-9a-f]{24}$/, 'a header that names no trace is replaced');
  });

  void it("gives the function the client's address: a client's own X-Forwarded-For is only a claim, a trusted balancer's names the client", async (t) => {
    // Not behind a trusted proxy: sourceIp is the socket's, and the header passed on ends with it, whatever the client wrote.
    const direct = (await (await fetch(url('/open'), { headers: { 'X-Forwarded-For': '198.51.100.7' } })).json()) as Event;
    assert.equal(direct.requestContext.identity.sourceIp, '127.0.0.1');
    assert.deepEqual(direct.multiValueHeaders['X-Forwarded-For'], ['198.51.100.7, 127.0.0.1']);
    assert.equal(direct.multiValueHeaders['x-forwarded-for'], undefined);
    const plain = (await (await fetch(url('/open'))).json()) as Event;
    assert.equal(plain.headers['X-Forwarded-For'], '127.0.0.1');

    const skip = await proxyAddressSkipReason(cloud.port);
    if (skip) return void t.skip(skip);
    // Through the balancer: the client claimed 203.0.113.1; the balancer appended the address it saw.
    const proxied = await requestFrom(PROXY_TEST_ADDRESS, url('/open'), { headers: { 'X-Forwarded-For': '203.0.113.1, 198.51.100.7' } });
    assert.equal(proxied.status, 200);
    const event = JSON.parse(proxied.body) as Event;
    assert.equal(event.requestContext.identity.sourceIp, '198.51.100.7');
    assert.equal(event.headers['X-Forwarded-For'], '203.0.113.1, 198.51.100.7');
    // The balancer's own request (a health check) comes from it.
    const own = JSON.parse((await requestFrom(PROXY_TEST_ADDRESS, url('/open'))).body) as Event;
    assert.equal(own.requestContext.identity.sourceIp, PROXY_TEST_ADDRESS);
  });

  void it('answers CORS preflights with the OPTIONS mock integration, without authorization', async () => {
    for (const path of ['/items', '/items/a/b']) {
      const response = await fetch(url(path), { method: 'OPTIONS', headers: { Origin: 'http://app.example', 'Access-Control-Request-Method': 'POST' } });
      assert.equal(response.status, 200);
      assert.equal(response.headers.get('access-control-allow-origin'), '*');
      assert.equal(response.headers.get('access-control-allow-methods'), 'DELETE,GET,HEAD,OPTIONS,PATCH,POST,PUT');
      assert.equal(
        response.headers.get('access-control-allow-headers'),
        'Content-Type,X-Amz-Date,Authorization,X-Api-Key,X-Amz-Security-Token,X-Amz-User-Agent',
      );
    }
  });

  void it('answers Missing Authentication Token to unsigned IAM calls and to unknown paths, with CORS headers', async () => {
    for (const [method, path] of [
      ['GET', '/items'],
      ['GET', '/nothing'],
      ['OPTIONS', '/nothing'],
      ['DELETE', '/'],
    ] as const) {
      const response = await fetch(url(path), { method });
      assert.equal(response.status, 403, `${method} ${path}`);
      assert.deepEqual(await response.json(), { message: 'Missing Authentication Token' });
      assert.equal(response.headers.get('x-amzn-errortype'), 'MissingAuthenticationTokenException');
      assert.equal(response.headers.get('access-control-allow-origin'), '*');
      assert.equal(response.headers.get('access-control-expose-headers'), 'Date,X-Amzn-ErrorType');
    }
    const stage = await fetch(`${cloud.url}/restapis/${apiId}/prod/open`);
    assert.equal(stage.status, 403);
    assert.deepEqual(await stage.json(), { message: 'Forbidden' });
  });

  void it('refuses a bad signature', async () => {
    const guest = (await fetchAuthSession()).credentials!;
    const signer = new SignatureV4({
      credentials: { ...guest, secretAccessKey: `${guest.secretAccessKey}x` },
      region: 'us-east-1',
      service: 'execute-api',
      sha256: Hash.bind(null, 'sha256'),
    });
    const target = new URL(url('/items'));
    const signed = await signer.sign({
      method: 'GET',
      protocol: 'http:',
      hostname: target.hostname,
      port: Number(target.port),
      path: target.pathname,
      headers: { host: target.host },
    });
    const response = await fetch(target, { headers: signed.headers });
    assert.equal(response.status, 403);
    assert.equal(response.headers.get('x-amzn-errortype'), 'InvalidSignatureException');
    assert.equal(response.headers.get('access-control-allow-origin'), '*');
  });

  void it('answers 502 Internal server error for a malformed answer or a function error, logging why', async () => {
    for (const path of ['/open/malformed', '/open/throws']) {
      const response = await fetch(url(path));
      assert.equal(response.status, 502, path);
      assert.deepEqual(await response.json(), { message: 'Internal server error' });
      assert.equal(response.headers.get('access-control-allow-origin'), '*');
    }
    const logs = cloud.logs().join('');
    assert.match(logs, /Malformed Lambda proxy response.*body is object: a proxy response's body must be a string/);
    assert.match(logs, /customer function error.*the handler broke/);
  });

  void it('refuses a body over 10 MB with 413, before reading it', async () => {
    const { status, body } = await new Promise<{ status: number; body: string }>((resolve, reject) => {
      const target = new URL(url('/open'));
      const req = request(
        { host: target.hostname, port: target.port, path: target.pathname, method: 'POST', headers: { 'content-length': 10 * 1024 * 1024 + 1 } },
        (res) => {
          let text = '';
          res.setEncoding('utf8').on('data', (chunk: string) => (text += chunk));
          res.on('end', () => resolve({ status: res.statusCode ?? 0, body: text }));
        },
      );
      req.on('error', reject);
      req.write(Buffer.alloc(1024));
    });
    assert.equal(status, 413);
    assert.deepEqual(JSON.parse(body), { message: 'Request Too Long' });
  });
});

void describe('REST API templates the gateway does not serve', () => {
  void it('fail the push, naming the resource and the Swagger field', async () => {
    const template = amplifyRestApiTemplate('badapi', [{ path: '/items', setting: 'open' }]) as {
      Resources: Record<string, { Properties: { Body: { paths: Record<string, Record<string, unknown>> } } }>;
    };
    template.Resources.badapi!.Properties.Body.paths['/items']!.get = {
      'x-amazon-apigateway-integration': { type: 'http_proxy', httpMethod: 'GET', uri: 'https://example.com/items' },
    };
    const deployment = await controlClient(cloud).deploy('BadRestApp', template as never, {
      ...stackParameters(),
      functionrestfnArn: 'arn:aws:lambda:us-east-1:123456789012:function:restfn-dev',
    });
    assert.equal(deployment.status, 'ROLLED_BACK');
    assert.match(String(deployment.error), /badapi/);
    assert.match(
      String(deployment.error),
      /paths\.\/items\.get: the integration type "http_proxy" is not supported: Forte serves aws_proxy \(Lambda proxy\) and mock integrations/,
    );
  });
});

void describe("the function's resource policy", () => {
  // Amplify's REST API stack always writes `function<fn>Permission<api>` (apigateway.amazonaws.com, SourceArn
  // `<api>/*/*/*`): every API above is served through it. Without it, or with one for another API, AWS's
  // gateway cannot invoke the function: the method answers 500 and the execution log says why.
  const deployWithPermission = async (app: string, api: string, sourceArn: ((apiRef: unknown) => unknown) | undefined): Promise<string> => {
    const template = amplifyRestApiTemplate(api, [{ path: '/guarded', setting: 'open' }], 'bbbb2222') as {
      Resources: Record<string, { Type: string; Properties: Record<string, unknown> }>;
    };
    const [permissionId, permission] = Object.entries(template.Resources).find(([, r]) => r.Type === 'AWS::Lambda::Permission')!;
    if (sourceArn) permission.Properties.SourceArn = sourceArn({ Ref: api });
    else delete template.Resources[permissionId];
    return String((await deployApp(app, template)).outputs.RootUrl);
  };

  void it('refuses with 500 Internal server error when no permission lets API Gateway invoke the function, and logs why', async () => {
    const root = await deployWithPermission('NoPermissionApp', 'lockedapi', undefined);
    const response = await fetch(`${root}/guarded`);
    assert.equal(response.status, 500);
    assert.deepEqual(await response.json(), { message: 'Internal server error' });
    assert.match(cloud.logs().join(''), /Invalid permissions on Lambda function.*restfn-dev.*execute-api:us-east-1:\d+:[a-z0-9]+\/dev\/GET\/guarded/);
  });

  void it("refuses when the permission names another API's ARN, and serves a method its ARN matches", async () => {
    const account = cloud.kernel.config.accountId;
    const other = await deployWithPermission('OtherApiApp', 'otherapi', () => `arn:aws:execute-api:us-east-1:${account}:someotherapi/*/*/*`);
    assert.equal((await fetch(`${other}/guarded`)).status, 500);
    // Only GET on this API's dev stage: a GET is served, a POST is refused.
    const narrow = await deployWithPermission('NarrowApp', 'narrowapi', (apiRef) => ({
      'Fn::Join': ['', [`arn:aws:execute-api:us-east-1:${account}:`, apiRef, '/dev/GET/*']],
    }));
    assert.equal((await fetch(`${narrow}/guarded/x`)).status, 200);
    assert.equal((await fetch(`${narrow}/guarded/x`, { method: 'POST', body: '{}' })).status, 500);
  });

  void it('serves a method at once when a permission is added, and refuses it at once when the permission is removed', async () => {
    const root = await deployWithPermission('LaterPermissionApp', 'laterapi', undefined);
    assert.equal((await fetch(`${root}/guarded`)).status, 500, 'no permission yet (and the gateway has asked)');
    const laterApiId = root.split('/').at(-2)!;
    const props = {
      FunctionName: 'restfn-dev',
      Action: 'lambda:InvokeFunction',
      Principal: 'apigateway.amazonaws.com',
      SourceArn: `arn:aws:execute-api:us-east-1:${cloud.kernel.config.accountId}:${laterApiId}/*/*/*`,
    };
    const permissions = handler('AWS::Lambda::Permission');
    const { physicalId } = await permissions.create(props, ctx('LaterPermission'));
    assert.equal((await fetch(`${root}/guarded`)).status, 200);
    assert.equal((await fetch(`${root}/guarded`)).status, 200);
    await permissions.delete(physicalId, props, ctx('LaterPermission'));
    assert.equal((await fetch(`${root}/guarded`)).status, 500);
  });
});

void describe('the life of a REST API', () => {
  void it('serves a stage from its first push, keeps its gateway responses over pushes, and stops once its environment is deleted', async () => {
    const control = controlClient(cloud);
    const parameters = stackParameters();
    const paths = [{ path: '/hello', setting: 'open' as const }];
    const { appId, outputs } = await deployApp('OpenRestApp', amplifyRestApiTemplate('openapi', paths, 'aaaa1111'), parameters);
    const url = `${String(outputs.RootUrl)}/hello/there`;
    const event = (await (await fetch(url)).json()) as Event;
    assert.deepEqual(event.pathParameters, { proxy: 'there' });

    // Amplify's next build names the Deployment and the gateway responses anew: the new ones replace the old.
    const { changeSet } = await control.call('CreateChangeSet', {
      appId,
      envName: 'dev',
      template: amplifyRestApiTemplate('openapi', paths, 'bbbb2222') as never,
      parameters,
    });
    const { deploymentId } = (await control.call('ExecuteChangeSet', { changeSetId: changeSet.changeSetId })).deployment;
    assert.equal((await control.waitFor(deploymentId)).status, 'SUCCEEDED');
    assert.equal((await fetch(url)).status, 200);
    const missing = await fetch(`${String(outputs.RootUrl)}/nothing`);
    assert.equal(missing.status, 403);
    // Amplify's DEFAULT_4XX allows fewer headers than the gateway's own CORS default: its response is still applied.
    assert.equal(missing.headers.get('access-control-allow-headers'), 'Content-Type,X-Amz-Date,Authorization,X-Api-Key,X-Amz-Security-Token');
    const { deployment: deletion } = await control.call('DeleteEnvironment', { appId, envName: 'dev' });
    assert.equal((await control.waitFor(deletion.deploymentId)).status, 'SUCCEEDED');
    const gone = await fetch(url);
    assert.equal(gone.status, 403);
    assert.deepEqual(await gone.json(), { message: 'Forbidden' });
  });
});

void describe("Amplify's AdminQueries API (a Cognito user pool authorizer)", () => {
  let endpoint: string;
  before(async () => {
    const { functionrestfnName, functionrestfnArn, env, authUserPoolId } = stackParameters();
    const { outputs } = await deployApp('AdminQueriesApp', amplifyAdminQueriesTemplate(), { functionrestfnName, functionrestfnArn, env, authUserPoolId });
    endpoint = String(outputs.RootUrl);
    const config = Amplify.getConfig();
    Amplify.configure({ ...config, API: { REST: { ...config.API?.REST, AdminQueries: { endpoint, region: 'us-east-1' } } } });
  });

  void it("passes a signed-in user's access token claims to the function, as AdminQueries reads the caller's groups", async () => {
    await signInAs('bob');
    const { tokens } = await fetchAuthSession();
    const response = await get({ apiName: 'AdminQueries', path: '/listUsers', options: { headers: { Authorization: tokens!.accessToken.toString() } } })
      .response;
    const event = (await response.body.json()) as unknown as Event;
    assert.equal(event.resource, '/{proxy+}');
    assert.deepEqual(event.pathParameters, { proxy: 'listUsers' });
    const claims = (event.requestContext as unknown as { authorizer: { claims: Record<string, string> } }).authorizer.claims;
    assert.equal(claims['cognito:groups'], 'Admin');
    assert.equal(claims.username, 'bob');
    assert.equal(claims.token_use, 'access');
    assert.match(claims.exp ?? '', /^[A-Z][a-z]{2} [A-Z][a-z]{2} \d\d \d\d:\d\d:\d\d UTC \d{4}$/);
    assert.equal(event.requestContext.identity.cognitoIdentityId, null);
  });

  void it('answers 401 Unauthorized without a token, with an ID token (the method requires a scope) and with a forged one', async () => {
    const { tokens } = await fetchAuthSession();
    for (const authorization of [undefined, tokens!.idToken!.toString(), `${tokens!.accessToken.toString()}x`]) {
      const response = await fetch(`${endpoint}/listUsers`, { headers: authorization ? { Authorization: authorization } : {} });
      assert.equal(response.status, 401);
      assert.deepEqual(await response.json(), { message: 'Unauthorized' });
      assert.equal(response.headers.get('x-amzn-errortype'), 'UnauthorizedException');
      assert.equal(response.headers.get('access-control-allow-origin'), '*');
    }
    await signOut();
  });
});

void describe('integration settings', () => {
  void it("answers 504 when the function outlasts the integration's timeout, passes the stage's variables and binary request bodies", async () => {
    const template = amplifyRestApiTemplate('tunedapi', [{ path: '/slow', setting: 'open' }], 'cccc3333') as {
      Resources: Record<string, { Properties: Record<string, unknown> }>;
    };
    const body = template.Resources.tunedapi!.Properties.Body as {
      paths: Record<string, Record<string, { 'x-amazon-apigateway-integration': Record<string, unknown> }>>;
    };
    body.paths['/slow']!['x-amazon-apigateway-any-method']!['x-amazon-apigateway-integration'].timeoutInMillis = 300;
    template.Resources.DeploymentAPIGWtunedapicccc3333!.Properties.StageDescription = { Variables: { color: 'blue' } };
    template.Resources.tunedapi!.Properties.BinaryMediaTypes = ['image/*'];
    const root = String((await deployApp('TunedRestApp', template)).outputs.RootUrl);
    const slow = await fetch(`${root}/slow`);
    assert.equal(slow.status, 504);
    assert.deepEqual(await slow.json(), { message: 'Endpoint request timed out' });
    const event = (await (await fetch(`${root}/slow/fast`)).json()) as Event;
    assert.deepEqual(event.stageVariables, { color: 'blue' });
    // A body of one of the API's binary media types reaches the function base64-encoded; others as text.
    const bytes = Buffer.from([0, 255, 1, 254]);
    const binary = (await (await fetch(`${root}/slow/fast`, { method: 'POST', headers: { 'Content-Type': 'image/png' }, body: bytes })).json()) as Event;
    assert.equal(binary.isBase64Encoded, true);
    assert.equal(binary.body, bytes.toString('base64'));
    const text = (await (await fetch(`${root}/slow/fast`, { method: 'POST', headers: { 'Content-Type': 'text/plain' }, body: 'héllo' })).json()) as Event;
    assert.equal(text.isBase64Encoded, false);
    assert.equal(text.body, 'héllo');
  });
});

void describe('a push shaped as Amplify nests it', () => {
  void it("deploys the API stack and the root's APIGatewayAuthStack as nested stacks, the API's RootUrl output pointing at the cloud", async () => {
    const api = amplifyRestApiTemplate('nestedapi', [{ path: '/things', setting: 'private', auth: ['read'] }], 'dddd4444') as {
      Parameters: Record<string, unknown>;
      Resources: Record<string, unknown>;
    };
    // APIGatewayAuthStack holds the managed policies of the identity pool's roles; the API's id comes in as a parameter.
    const authStack = {
      Description: 'API Gateway policy stack created using Amplify CLI',
      Parameters: { authRoleName: { Type: 'String' }, unauthRoleName: { Type: 'String' }, env: { Type: 'String' }, nestedapi: { Type: 'String' } },
      Conditions: { ShouldNotCreateEnvResources: { 'Fn::Equals': [{ Ref: 'env' }, 'NONE'] } },
      Resources: { PolicyAPIGWAuth1: api.Resources.PolicyAPIGWAuth1 },
    };
    delete api.Resources.PolicyAPIGWAuth1;
    const root = {
      Resources: {
        apinestedapi: {
          Type: 'Forte::Stack',
          Properties: {
            TemplateURL: 'api/nestedapi-cloudformation-template.json',
            Parameters: stackParameters(),
          },
        },
        APIGatewayAuthStack: {
          Type: 'Forte::Stack',
          Properties: {
            TemplateURL: 'api/APIGatewayAuthStack.json',
            Parameters: {
              authRoleName: 'authRole',
              unauthRoleName: 'unauthRole',
              env: 'dev',
              nestedapi: { 'Fn::GetAtt': ['apinestedapi', 'Outputs.ApiId'] },
            },
          },
        },
      },
    };
    const control = controlClient(cloud);
    const { app } = await control.call('CreateApp', { name: 'NestedRestApp' });
    await control.call('CreateEnvironment', { appId: app.appId, envName: 'dev' });
    const { changeSet } = await control.call('CreateChangeSet', {
      appId: app.appId,
      envName: 'dev',
      template: root as never,
      nestedTemplates: { 'api/nestedapi-cloudformation-template.json': api as never, 'api/APIGatewayAuthStack.json': authStack as never },
    });
    const { deploymentId } = (await control.call('ExecuteChangeSet', { changeSetId: changeSet.changeSetId })).deployment;
    const deployment = await control.waitFor(deploymentId);
    assert.equal(deployment.status, 'SUCCEEDED', deployment.error);
    const { resources } = await control.call('DescribeStack', { appId: app.appId, envName: 'dev' });
    const outputs = resources.find((r) => r.logicalId === 'apinestedapi')?.attributes ?? {};
    const nestedApiId = String(outputs['Outputs.ApiId']);
    assert.equal(outputs['Outputs.RootUrl'], `${cloud.url}/restapis/${nestedApiId}/dev`);

    await signInAs('alice');
    const config = Amplify.getConfig();
    Amplify.configure({ ...config, API: { REST: { ...config.API?.REST, nestedapi: { endpoint: String(outputs['Outputs.RootUrl']), region: 'us-east-1' } } } });
    assert.equal((await get({ apiName: 'nestedapi', path: '/things/1' }).response).statusCode, 200);
    assert.equal((await refusal(post({ apiName: 'nestedapi', path: '/things', options: { body: {} } }).response)).statusCode, 403);
    await signOut();
    assert.equal((await refusal(get({ apiName: 'nestedapi', path: '/things' }).response)).statusCode, 403);
  });
});
