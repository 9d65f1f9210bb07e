import assert from 'node:assert/strict';
import { readFile, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { after, before, describe, it } from 'node:test';
import { Amplify } from 'aws-amplify';
import { generateClient } from 'aws-amplify/api';
import { deployTestApi, type DeployedTestApi } from './appsync-deploy.js';
import { installRecordingWebSocket } from './appsync-realtime-fixture.js';
import { deployFunction, resourceContext, startLambdaCloud } from './lambda-fixture.js';
import { makeTempDir } from './make-temp-dir.js';
import type { TestCloud } from './index.js';

const SCHEMA = /* GraphQL */ `
  type Note @model @auth(rules: [{ allow: custom }, { allow: public, provider: apiKey, operations: [read] }]) {
    id: ID!
    text: String
    secret: String
  }
  type Query {
    whoami: AWSJSON @function(name: "echo-\${env}") @auth(rules: [{ allow: custom }])
    hidden: String @function(name: "echo-\${env}") @auth(rules: [{ allow: custom }])
  }
`;

/**
 * The authorizer: records every event (one JSON line each) and decides by token: `allow…` tokens pass with
 * a resolverContext; `allow-denied` also denies Note.secret (by ARN) and Query.hidden (short form);
 * `allow-nocache` answers ttlOverride 0; anything else is refused.
 */
const AUTHORIZER = `
const fs = require('node:fs');
exports.handler = async (event) => {
  fs.appendFileSync(process.env.OUT, JSON.stringify(event) + '\\n');
  const token = event.authorizationToken;
  if (!token.startsWith('allow')) return { isAuthorized: false };
  const { apiId, accountId } = event.requestContext;
  return {
    isAuthorized: true,
    resolverContext: { userid: 'user-' + token, info: 'from the authorizer' },
    deniedFields: token === 'allow-denied'
      ? ['arn:aws:appsync:' + process.env.AWS_REGION + ':' + accountId + ':apis/' + apiId + '/types/Note/fields/secret', 'Query.hidden']
      : [],
    ...(token === 'allow-nocache' ? { ttlOverride: 0 } : {}),
  };
};`;

let cloud: TestCloud;
let api: DeployedTestApi;
let additional: DeployedTestApi;
let events: string;
const socket = installRecordingWebSocket();

interface Observable {
  subscribe(observer: { next(value: any): void; error(error: unknown): void }): { unsubscribe(): void };
}
let client: { graphql(options: Record<string, unknown>): Promise<unknown> & Observable };

async function gql(
  query: string,
  authToken: string | undefined,
  variables: Record<string, unknown> = {},
  extra: Record<string, unknown> = {},
): Promise<{ data: any; errors?: any[] }> {
  try {
    const auth = authToken === undefined ? { authMode: 'apiKey' } : { authMode: 'lambda', authToken };
    return (await client.graphql({ query, variables, ...auth, ...extra })) as { data: any; errors?: any[] };
  } catch (error) {
    if (typeof error === 'object' && error !== null && 'errors' in error) return error as { data: any; errors: any[] };
    throw error;
  }
}

/** The events the authorizer received so far. */
const authorizerEvents = async (): Promise<Record<string, any>[]> =>
  (await readFile(events, 'utf8').catch(() => ''))
    .split('\n')
    .filter(Boolean)
    .map((l) => JSON.parse(l) as Record<string, any>);
const invocationsFor = async (token: string): Promise<number> => (await authorizerEvents()).filter((e) => e.authorizationToken === token).length;

const configure = (target: DeployedTestApi): void => {
  Amplify.configure({ API: { GraphQL: { endpoint: target.url, region: 'us-east-1', defaultAuthMode: 'apiKey', apiKey: target.apiKey } } });
  client = generateClient() as unknown as typeof client;
};

before(async () => {
  cloud = await startLambdaCloud();
  events = join(await makeTempDir('forte-authorizer'), 'events.jsonl');
  await writeFile(events, '');
  await deployFunction(cloud, { name: 'authorizer-dev', files: { 'index.js': AUTHORIZER }, variables: { OUT: events } });
  await deployFunction(cloud, { name: 'echo-dev', files: { 'index.js': 'exports.handler = async (event) => event;' } });
  // As the api category makes a function an authorizer: PermissionForAppSyncToInvokeLambda in its template.
  await cloud.kernel
    .resourceHandler('AWS::Lambda::Permission')!
    .create(
      { FunctionName: 'authorizer-dev', Action: 'lambda:InvokeFunction', Principal: 'appsync.amazonaws.com' },
      resourceContext(cloud, 'PermissionForAppSyncToInvokeLambda'),
    );
  const lambdaMode = { authenticationType: 'AWS_LAMBDA' as const, lambdaAuthorizerConfig: { lambdaFunction: 'authorizer-dev', ttlSeconds: 300 } };
  api = await deployTestApi(cloud, {
    schema: SCHEMA,
    authConfig: { defaultAuthentication: lambdaMode, additionalAuthenticationProviders: [{ authenticationType: 'API_KEY' }] },
  });
  // Named by ARN, as the api category's template names it (arn:aws:lambda:<region>:<account>:function:<name>-<env>).
  const byArn = {
    ...lambdaMode,
    lambdaAuthorizerConfig: {
      ...lambdaMode.lambdaAuthorizerConfig,
      lambdaFunction: `arn:aws:lambda:us-east-1:${cloud.kernel.config.accountId}:function:authorizer-dev`,
    },
  };
  additional = await deployTestApi(cloud, {
    name: 'additional',
    schema: SCHEMA,
    authConfig: { defaultAuthentication: { authenticationType: 'API_KEY' }, additionalAuthenticationProviders: [byArn] },
  });
  configure(api);
});
after(async () => {
  await cloud.close();
});

void describe('AWS_LAMBDA authorization through the unmodified aws-amplify v6 (authMode lambda)', () => {
  void it("an allowed token: custom rules admit it, $ctx.identity is the authorizer's resolverContext", async () => {
    const created = await gql('mutation { createNote(input: { text: "hello", secret: "s" }) { id text secret } }', 'allow-1');
    assert.equal(created.errors, undefined);
    assert.equal(created.data.createNote.text, 'hello');
    const who = await gql('{ whoami }', 'allow-1');
    assert.equal(who.errors, undefined);
    const event = JSON.parse(String(who.data.whoami)) as Record<string, any>;
    assert.deepEqual(event.identity, { resolverContext: { userid: 'user-allow-1', info: 'from the authorizer' } });
  });

  void it("the authorizer gets AppSync's event: authorizationToken, requestContext, requestHeaders", async () => {
    const query = 'query Mine($limit: Int) { listNotes(limit: $limit) { items { id } } }';
    assert.equal((await gql(query, 'allow-event', { limit: 5 })).errors, undefined);
    const event = (await authorizerEvents()).find((e) => e.authorizationToken === 'allow-event')!;
    assert.deepEqual(Object.keys(event).sort(), ['authorizationToken', 'requestContext', 'requestHeaders']);
    assert.deepEqual(Object.keys(event.requestContext).sort(), ['accountId', 'apiId', 'operationName', 'queryString', 'requestId', 'variables']);
    assert.equal(event.requestContext.apiId, api.apiId);
    assert.equal(event.requestContext.accountId, cloud.kernel.config.accountId);
    // The document as aws-amplify sends it (it prints the query again).
    assert.match(event.requestContext.queryString, /^query Mine\(\$limit: Int\) \{\s+listNotes\(limit: \$limit\)/);
    // The request's operationName, which aws-amplify does not send.
    assert.equal(event.requestContext.operationName, null);
    assert.deepEqual(event.requestContext.variables, { limit: 5 });
    assert.match(event.requestContext.requestId, /^[0-9a-f-]{36}$/);
    assert.equal(event.requestHeaders.authorization, 'allow-event');
  });

  void it('a refused token is UnauthorizedException; API keys keep their own rules', async () => {
    const refused = await gql('{ listNotes { items { id } } }', 'deny-me');
    // HTTP 401 UnauthorizedException, which aws-amplify reports as "Unauthorized".
    assert.deepEqual(refused.data, {});
    assert.equal(refused.errors![0].message, 'Unauthorized');
    const keyRead = await gql('{ listNotes { items { text } } }', undefined);
    assert.equal(keyRead.errors, undefined);
    assert.ok(keyRead.data.listNotes.items.length > 0);
    const keyWrite = await gql('mutation { createNote(input: { text: "k" }) { id } }', undefined);
    assert.equal(keyWrite.errors![0].errorType, 'Unauthorized');
  });

  void it('deniedFields (ARN or Type.field) resolve to null with an error; the rest is answered', async () => {
    const list = await gql('{ listNotes { items { text secret } } }', 'allow-denied');
    assert.equal(list.data.listNotes.items[0].text, 'hello');
    assert.equal(list.data.listNotes.items[0].secret, null);
    assert.equal(list.errors![0].errorType, 'Unauthorized');
    assert.match(list.errors![0].message, /Not Authorized to access secret on type Note/);
    const hidden = await gql('{ hidden whoami }', 'allow-denied');
    assert.equal(hidden.data.hidden, null);
    assert.ok(hidden.data.whoami);
    const other = await gql('{ listNotes { items { secret } } }', 'allow-1');
    assert.equal(other.errors, undefined);
    assert.equal(other.data.listNotes.items[0].secret, 's');
  });

  void it('decisions are cached by token for the TTL (both ways); ttlOverride 0 asks every time', async () => {
    for (let i = 0; i < 3; i++) assert.equal((await gql('{ listNotes { items { id } } }', 'allow-cached')).errors, undefined);
    assert.equal(await invocationsFor('allow-cached'), 1);
    for (let i = 0; i < 2; i++) await gql('{ listNotes { items { id } } }', 'deny-cached');
    assert.equal(await invocationsFor('deny-cached'), 1);
    for (let i = 0; i < 2; i++) assert.equal((await gql('{ listNotes { items { id } } }', 'allow-nocache')).errors, undefined);
    assert.equal(await invocationsFor('allow-nocache'), 2);
  });

  void it('subscriptions over the realtime WebSocket with authMode lambda', async () => {
    const values: any[] = [];
    const errors: unknown[] = [];
    const acks = socket.frames.filter((f) => f.type === 'start_ack').length;
    const sub = client
      .graphql({ query: 'subscription { onCreateNote { id text } }', authMode: 'lambda', authToken: 'allow-rt' })
      .subscribe({ next: (v) => values.push(v), error: (e) => errors.push(e) });
    await socket.waitFor((f) => f.type === 'start_ack', acks + 1);
    const created = await gql('mutation { createNote(input: { text: "live" }) { id text } }', 'allow-1');
    assert.equal(created.errors, undefined);
    for (let i = 0; i < 500 && values.length === 0; i++) await new Promise((r) => setTimeout(r, 20));
    sub.unsubscribe();
    assert.deepEqual(errors, []);
    assert.equal(values[0].data.onCreateNote.text, 'live');
    const denied = client.graphql({ query: 'subscription { onCreateNote { id } }', authMode: 'lambda', authToken: 'deny-rt' });
    const refusal = await new Promise<unknown>((resolve) => {
      const s = denied.subscribe({ next: () => resolve('next'), error: (e) => resolve(e) });
      setTimeout(() => {
        s.unsubscribe();
        resolve('timeout');
      }, 3000);
    });
    assert.notEqual(refusal, 'next');
    assert.notEqual(refusal, 'timeout');
  });

  void it('an authorizer whose resource policy does not let AppSync invoke it refuses every token, without being called', async () => {
    // The same code, deployed without PermissionForAppSyncToInvokeLambda.
    await deployFunction(cloud, { name: 'unpermitted-dev', files: { 'index.js': AUTHORIZER }, variables: { OUT: events } });
    const locked = await deployTestApi(cloud, {
      name: 'locked',
      schema: SCHEMA,
      authConfig: {
        defaultAuthentication: { authenticationType: 'AWS_LAMBDA', lambdaAuthorizerConfig: { lambdaFunction: 'unpermitted-dev', ttlSeconds: 0 } },
        additionalAuthenticationProviders: [{ authenticationType: 'API_KEY' }],
      },
    });
    configure(locked);
    try {
      const refused = await gql('{ listNotes { items { id } } }', 'allow-locked');
      assert.equal(refused.errors![0].message, 'Unauthorized');
      assert.equal(await invocationsFor('allow-locked'), 0);
      assert.match(cloud.logs().join(''), /no permission lets appsync\.amazonaws\.com invoke it.*unpermitted-dev/);
    } finally {
      configure(api);
    }
  });

  void it('AWS_LAMBDA as an additional mode, the authorizer named by its ARN', async () => {
    configure(additional);
    try {
      const created = await gql('mutation { createNote(input: { text: "extra" }) { text } }', 'allow-2');
      assert.equal(created.errors, undefined);
      assert.equal(created.data.createNote.text, 'extra');
      const refused = await gql('mutation { createNote(input: { text: "x" }) { text } }', 'nope');
      assert.equal(refused.errors![0].message, 'Unauthorized');
    } finally {
      configure(api);
    }
  });
});
