import assert from 'node:assert/strict';
import { readFile } from 'node:fs/promises';
import { join } from 'node:path';
import { after, before, describe, it } from 'node:test';
import { setTimeout as sleep } from 'node:timers/promises';
import { Amplify } from 'aws-amplify';
import { generateClient } from 'aws-amplify/api';
import { fetchAuthSession, signIn, signOut } from 'aws-amplify/auth';
import { deployTestApi, type DeployedTestApi } from './appsync-deploy.js';
import { createTestIdentityPool, createTestUsers } from './test-identity-pool.js';
import { deployFunction, startLambdaCloud } from './lambda-fixture.js';
import { makeTempDir } from './make-temp-dir.js';
import { BUILT_IN_SERVICES, createApiGatewayService, createEventsService, createLambdaService, type ServiceFactory } from '@forte/cloud';
import { PROXY_TEST_ADDRESS, proxyAddressSkipReason, requestFrom, startTestCloud, type TestCloud } from './index.js';

const ANY_CALLER = '[{ allow: private }, { allow: public, provider: apiKey }, { allow: public, provider: iam }]';
const SCHEMA = /* GraphQL */ `
  type Note @model @auth(rules: [{ allow: public }]) {
    id: ID!
    title: String
    echo: AWSJSON @function(name: "echo-\${env}")
  }
  type Query {
    echo(msg: String, tags: [String]): AWSJSON @function(name: "echo-\${env}") @auth(rules: ${ANY_CALLER})
    chained(msg: String): AWSJSON @function(name: "first-\${env}") @function(name: "echo-\${env}") @auth(rules: [{ allow: public, provider: apiKey }])
    fails: String @function(name: "fails-\${env}") @auth(rules: [{ allow: public, provider: apiKey }])
    adminOnly: AWSJSON @function(name: "echo-\${env}") @auth(rules: [{ allow: groups, groups: ["Admin"] }])
    defaultModeOnly: AWSJSON @function(name: "echo-\${env}")
    signedIn: AWSJSON @function(name: "echo-\${env}") @auth(rules: [{ allow: private }])
    signedInIam: AWSJSON @function(name: "echo-\${env}") @auth(rules: [{ allow: private, provider: iam }])
  }
  type Mutation {
    record(msg: String): EventInvocationResponse @function(name: "recorder-\${env}", invocationType: Event) @auth(rules: [{ allow: public, provider: apiKey }])
  }
`;

const AUTH_CONFIG = {
  defaultAuthentication: { authenticationType: 'AMAZON_COGNITO_USER_POOLS' as const },
  additionalAuthenticationProviders: [{ authenticationType: 'API_KEY' as const }, { authenticationType: 'AWS_IAM' as const }],
};

let cloud: TestCloud;
let api: DeployedTestApi;
let recorded: string;
let client: { graphql(options: { query: string; variables?: Record<string, unknown>; authMode: string }): Promise<unknown> };

/** Runs a document through the real client and answers `{data, errors}` whether or not it rejected. */
async function gql(
  query: string,
  authMode: 'apiKey' | 'userPool' | 'identityPool',
  variables: Record<string, unknown> = {},
): Promise<{ data: any; errors?: any[] }> {
  try {
    return (await client.graphql({ query, variables, authMode })) as { data: any; errors?: any[] };
  } catch (error) {
    if (typeof error === 'object' && error !== null && 'errors' in error) return error as { data: any; errors: any[] };
    throw error;
  }
}

const as = async (username: string): Promise<void> => {
  await signOut();
  assert.equal((await signIn({ username, password: 'Correct-Horse-9', options: { authFlowType: 'USER_PASSWORD_AUTH' } })).isSignedIn, true);
};

/** The event the echo function answered (AWSJSON comes back as a string). */
const eventOf = (value: unknown): Record<string, any> => JSON.parse(String(value)) as Record<string, any>;

const EVENT_KEYS = ['arguments', 'fieldName', 'identity', 'prev', 'request', 'source', 'typeName'];

before(async () => {
  // Connections from PROXY_TEST_ADDRESS stand for a load balancer's.
  cloud = await startLambdaCloud({ trustedProxies: [PROXY_TEST_ADDRESS] });
  recorded = join(await makeTempDir('forte-fn-recorded'), 'event.json');
  await deployFunction(cloud, { name: 'echo-dev', files: { 'index.js': 'exports.handler = async (event) => event;' } });
  await deployFunction(cloud, {
    name: 'first-dev',
    files: { 'index.js': "exports.handler = async (event) => ({ from: 'first', msg: event.arguments.msg });" },
  });
  await deployFunction(cloud, {
    name: 'fails-dev',
    files: { 'index.js': "exports.handler = async () => { const e = new Error('quota exhausted'); e.name = 'QuotaError'; throw e; };" },
  });
  await deployFunction(cloud, {
    name: 'recorder-dev',
    files: {
      'index.js':
        // Written whole, then renamed: the test never reads it half written.
        "const fs = require('node:fs'); exports.handler = async (event) => { fs.writeFileSync(process.env.OUT + '.tmp', JSON.stringify(event)); fs.renameSync(process.env.OUT + '.tmp', process.env.OUT); return 'done'; };",
    },
    variables: { OUT: recorded },
  });
  const users = await createTestUsers(cloud, { alice: [], carol: ['Admin'] });
  api = await deployTestApi(cloud, { schema: SCHEMA, userPoolId: users.userPoolId, authConfig: AUTH_CONFIG });
  const identityPoolId = await createTestIdentityPool(cloud, users, {
    authenticated: [`${api.arn}/types/Query/fields/*`],
    unauthenticated: [`${api.arn}/types/Query/fields/*`],
  });
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
    API: { GraphQL: { endpoint: api.url, region: 'us-east-1', defaultAuthMode: 'apiKey', apiKey: api.apiKey } },
  });
  client = generateClient() as unknown as typeof client;
});
after(async () => {
  await signOut().catch(() => undefined);
  await cloud.close();
});

void describe('@function resolvers through the unmodified aws-amplify v6', () => {
  void it("answers the function's result, invoked with exactly AppSync's Lambda event (API key: identity null)", async () => {
    const result = await gql('query Echo($msg: String, $tags: [String]) { echo(msg: $msg, tags: $tags) }', 'apiKey', { msg: 'hi', tags: ['a', 'b'] });
    assert.equal(result.errors, undefined);
    const event = eventOf(result.data.echo);
    assert.deepEqual(Object.keys(event).sort(), EVENT_KEYS);
    assert.equal(event.typeName, 'Query');
    assert.equal(event.fieldName, 'echo');
    assert.deepEqual(event.arguments, { msg: 'hi', tags: ['a', 'b'] });
    assert.equal(event.identity, null);
    assert.equal(event.source, null);
    assert.equal(event.prev, null);
    assert.deepEqual(Object.keys(event.request).sort(), ['domainName', 'headers']);
    assert.equal(event.request.domainName, null);
    assert.equal(event.request.headers['x-api-key'], api.apiKey);
    for (const name of Object.keys(event.request.headers)) assert.equal(name, name.toLowerCase());
  });

  void it('user pools: identity {sub, issuer, username, claims, sourceIp, defaultAuthStrategy, groups}', async () => {
    await as('carol');
    const event = eventOf((await gql('{ echo }', 'userPool')).data.echo);
    assert.deepEqual(Object.keys(event.identity).sort(), ['claims', 'defaultAuthStrategy', 'groups', 'issuer', 'sourceIp', 'sub', 'username']);
    assert.equal(event.identity.username, 'carol');
    assert.equal(event.identity.sub, event.identity.claims.sub);
    assert.equal(event.identity.issuer, event.identity.claims.iss);
    assert.deepEqual(event.identity.groups, ['Admin']);
    assert.equal(event.identity.defaultAuthStrategy, 'ALLOW');
    assert.deepEqual(event.identity.sourceIp, ['127.0.0.1']);
    assert.match(event.request.headers.authorization, /^eyJ/);
  });

  void it("user pools: sourceIp is the client a trusted balancer forwards for, and the caller's own address otherwise", async (t) => {
    await as('carol');
    const token = String((await fetchAuthSession()).tokens?.idToken);
    const call = async (forwardedFor: string, from?: string): Promise<unknown> => {
      const options = {
        method: 'POST',
        headers: { 'content-type': 'application/json', authorization: token, 'x-forwarded-for': forwardedFor },
        body: JSON.stringify({ query: '{ echo }' }),
      };
      const body = from ? (await requestFrom(from, api.url, options)).body : await (await fetch(api.url, options)).text();
      return eventOf((JSON.parse(body) as { data: { echo: string } }).data.echo).identity.sourceIp;
    };
    assert.deepEqual(await call('198.51.100.7'), ['127.0.0.1'], "a direct caller's X-Forwarded-For is not believed");
    const skip = await proxyAddressSkipReason(cloud.port);
    if (skip) return void t.skip(skip);
    assert.deepEqual(await call('203.0.113.1, 198.51.100.7', PROXY_TEST_ADDRESS), ['198.51.100.7']);
  });

  void it('IAM (identity pool guest): identity {accountId, cognitoIdentityPoolId, cognitoIdentityId, …, userArn}', async () => {
    await signOut();
    const result = await gql('{ echo }', 'identityPool');
    assert.equal(result.errors, undefined);
    const identity = eventOf(result.data.echo).identity;
    assert.deepEqual(Object.keys(identity).sort(), [
      'accountId',
      'cognitoIdentityAuthProvider',
      'cognitoIdentityAuthType',
      'cognitoIdentityId',
      'cognitoIdentityPoolId',
      'sourceIp',
      'userArn',
      'username',
    ]);
    assert.equal(identity.cognitoIdentityAuthType, 'unauthenticated');
    assert.equal(identity.accountId, cloud.kernel.config.accountId);
    assert.match(identity.cognitoIdentityId, /^us-east-1:/);
    assert.match(identity.userArn, /^arn:aws:sts::\d{12}:assumed-role\/.+\/CognitoIdentityCredentials$/);
  });

  void it('a chain passes each result to the next as prev.result; the last result is the answer', async () => {
    const event = eventOf((await gql('{ chained(msg: "two") }', 'apiKey')).data.chained);
    assert.equal(event.fieldName, 'chained');
    assert.deepEqual(event.prev, { result: { from: 'first', msg: 'two' } });
  });

  void it('a field of a model type gets its parent item as source', async () => {
    const created = await gql('mutation { createNote(input: { title: "hello" }) { id } }', 'apiKey');
    const id = created.data.createNote.id as string;
    const read = await gql(`{ getNote(id: "${id}") { title echo } }`, 'apiKey');
    assert.equal(read.errors, undefined);
    const event = eventOf(read.data.getNote.echo);
    assert.equal(event.typeName, 'Note');
    assert.equal(event.source.id, id);
    assert.equal(event.source.title, 'hello');
  });

  void it("a function error is the field's GraphQL error: errorType and message from the function, the field null", async () => {
    const result = await gql('{ fails chained(msg: "still") }', 'apiKey');
    assert.equal(result.data.fails, null);
    assert.ok(result.data.chained, 'the other field still resolves');
    assert.equal(result.errors?.length, 1);
    assert.equal(result.errors![0].errorType, 'QuotaError');
    assert.equal(result.errors![0].message, 'quota exhausted');
    assert.deepEqual(result.errors![0].path, ['fails']);
  });

  void it('invocationType Event answers {success: true} and the function runs on its own', async () => {
    const result = await gql('mutation { record(msg: "later") { success } }', 'apiKey');
    assert.deepEqual(result, { data: { record: { success: true } } });
    let text: string | undefined;
    for (let i = 0; i < 100 && text === undefined; i++) text = await readFile(recorded, 'utf8').catch(() => sleep(100).then(() => undefined));
    assert.ok(text, 'the Event invocation ran');
    const event = JSON.parse(text) as Record<string, any>;
    assert.equal(event.fieldName, 'record');
    assert.deepEqual(event.arguments, { msg: 'later' });
  });

  void it('@auth on the field: static groups let members in and refuse others; no @auth means the default mode only', async () => {
    await as('carol');
    assert.equal((await gql('{ adminOnly }', 'userPool')).errors, undefined);
    await as('alice');
    const refused = await gql('{ adminOnly }', 'userPool');
    assert.equal(refused.data.adminOnly, null);
    assert.equal(refused.errors?.[0].errorType, 'Unauthorized');
    assert.equal(refused.errors?.[0].message, 'Not Authorized to access adminOnly on type Query');
    assert.equal((await gql('{ defaultModeOnly }', 'userPool')).errors, undefined);
    const byKey = await gql('{ defaultModeOnly adminOnly }', 'apiKey');
    assert.deepEqual(
      byKey.errors?.map((e) => e.message),
      ['Not Authorized to access defaultModeOnly on type Query', 'Not Authorized to access adminOnly on type Query'],
    );
    await signOut();
    const guest = await gql('{ chained(msg: "x") }', 'identityPool');
    assert.equal(guest.errors?.[0].message, 'Not Authorized to access chained on type Query');
  });

  void it('@auth private: signed-in users (user pools) and authenticated identities (IAM) are let in; API keys and guests are not', async () => {
    await as('alice');
    assert.equal(eventOf((await gql('{ signedIn }', 'userPool')).data.signedIn).identity.username, 'alice');
    const iam = await gql('{ signedInIam }', 'identityPool');
    assert.equal(iam.errors, undefined);
    const identity = eventOf(iam.data.signedInIam).identity;
    assert.equal(identity.cognitoIdentityAuthType, 'authenticated');
    assert.match(identity.cognitoIdentityAuthProvider, /^"cognito-idp\.[^"]+"/);
    assert.equal((await gql('{ signedIn }', 'apiKey')).errors?.[0].message, 'Not Authorized to access signedIn on type Query');
    assert.equal((await gql('{ signedIn }', 'identityPool')).errors?.[0].message, 'Not Authorized to access signedIn on type Query');
    await signOut();
    assert.equal((await gql('{ signedInIam }', 'identityPool')).errors?.[0].message, 'Not Authorized to access signedInIam on type Query');
  });
});

void describe('@function at push time', () => {
  const deploy = (schema: string) => deployTestApi(cloud, { schema, authConfig: { defaultAuthentication: { authenticationType: 'API_KEY' } }, name: 'other' });

  void it('a function that does not exist deploys as on AWS, with a warning naming the field and the function; the field fails until it exists', async () => {
    const ghostly = await deploy('type Query { ghost: String @function(name: "echo-${env}") @function(name: "ghost-${env}") }');
    assert.equal(ghostly.warnings.length, 1);
    assert.match(
      ghostly.warnings[0]!,
      /^Query\.ghost calls @function "ghost-dev", which does not exist in this environment \(dev\): the field answers Lambda:ResourceNotFoundException/,
    );
    assert.match(ghostly.warnings[0]!, /Add the function, or fix the name in schema\.graphql/);
    const ask = async (): Promise<{ data: any; errors?: any[] }> =>
      (await fetch(ghostly.url, {
        method: 'POST',
        headers: { 'content-type': 'application/json', 'x-api-key': ghostly.apiKey },
        body: JSON.stringify({ query: '{ ghost }' }),
      }).then((res) => res.json())) as { data: any; errors?: any[] };
    const missing = await ask();
    assert.deepEqual(missing.data, { ghost: null });
    assert.equal(missing.errors?.[0].errorType, 'Lambda:ResourceNotFoundException');
    assert.match(missing.errors?.[0].message, /^Function not found: arn:aws:lambda:us-east-1:\d{12}:function:ghost-dev$/);
    await deployFunction(cloud, { name: 'ghost-dev', files: { 'index.js': "exports.handler = async () => 'boo';" } });
    assert.deepEqual(await ask(), { data: { ghost: 'boo' } });
    const served = await deploy('type Query { ghost: String @function(name: "ghost-${env}") }');
    assert.deepEqual(served.warnings, [], 'no warning once the function exists');
  });

  void it('a cloud without the lambda service refuses the schema, naming the service', async () => {
    // The services that need functions go with the lambda service: the scheduler (events) and the REST gateway.
    const withoutFunctions: ServiceFactory[] = [createLambdaService, createEventsService, createApiGatewayService];
    const bare = await startTestCloud({ services: BUILT_IN_SERVICES.filter((create) => !withoutFunctions.includes(create)) });
    try {
      await assert.rejects(
        deployTestApi(bare, {
          schema: 'type Query { ping: String @function(name: "ping") }',
          authConfig: { defaultAuthentication: { authenticationType: 'API_KEY' } },
        }),
        /Query\.ping is served by @function, which needs the lambda service, and this cloud runs without it/,
      );
    } finally {
      await bare.close();
    }
  });

  void it('a function in another region or account cannot be reached', async () => {
    await assert.rejects(deploy('type Query { far: String @function(name: "echo-${env}", region: "eu-west-3") }'), /cannot reach functions elsewhere/);
  });
});
