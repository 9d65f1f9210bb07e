import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import { DynamoDBClient, PutItemCommand } from '@aws-sdk/client-dynamodb';
import { WebSocket } from 'ws';
import { IDENTITY_TOKEN_VERIFIERS, provide } from '@forte/cloud';
import { deployTestApi, type DeployedTestApi } from './appsync-deploy.js';
import { startTestCloud, type TestCloud } from './index.js';

/**
 * A fault while `@auth` rules are evaluated is a fault of the cloud, not a refusal: the caller is answered
 * AppSync's internal failure and the log has the error, over HTTP and for a subscription's start. The fault
 * is injected as a token verifier whose claims throw when the rules read the `tenant` claim.
 */

const SCHEMA = /* GraphQL */ `
  type Doc @model @auth(rules: [{ allow: private }]) {
    id: ID!
    title: String
    secret: String @auth(rules: [{ allow: owner, identityClaim: "tenant" }])
  }
  type Memo @model @auth(rules: [{ allow: owner, identityClaim: "tenant" }]) {
    id: ID!
    text: String
  }
`;
const FAULT = 'the claim store is unavailable';
const b64 = (value: unknown): string => Buffer.from(JSON.stringify(value)).toString('base64url');
/** A token only the injected verifier takes (the user pool's own verifier refuses it: it is not signed). */
const TOKEN = `${b64({ alg: 'RS256', kid: 'injected' })}.${b64({ sub: 'u-1', token_use: 'id' })}.c2ln`;

let cloud: TestCloud;
let api: DeployedTestApi;

/** Claims whose `tenant` lookup fails, as a claim source that cannot be reached would. */
function faultyClaims(): Record<string, unknown> {
  const claims: Record<string, unknown> = { sub: 'u-1', 'cognito:username': 'alice', token_use: 'id' };
  Object.defineProperty(claims, 'tenant', {
    enumerable: false,
    get() {
      throw new Error(FAULT);
    },
  });
  return claims;
}

const errorLines = (): Array<{ level: string; msg: string; [key: string]: unknown }> =>
  cloud
    .logs()
    .map((l) => JSON.parse(l) as { level: string; msg: string })
    .filter((l) => l.level === 'error');

before(async () => {
  cloud = await startTestCloud();
  api = await deployTestApi(cloud, {
    schema: SCHEMA,
    userPoolId: 'us-east-1_Injected',
    name: 'faults',
    authConfig: { defaultAuthentication: { authenticationType: 'AMAZON_COGNITO_USER_POOLS' } },
  });
  cloud.kernel.addService({
    name: 'faulty-tokens',
    routes: [],
    provides: [
      provide(IDENTITY_TOKEN_VERIFIERS, {
        verify: async (_provider, token) => (token === TOKEN ? { sub: 'u-1', username: 'alice', groups: [], claims: faultyClaims() } : undefined),
      }),
    ],
  });
  const dynamodb = new DynamoDBClient({ endpoint: `${cloud.url}/dynamodb/`, region: 'us-east-1', credentials: cloud.credentials, maxAttempts: 1 });
  await dynamodb.send(
    new PutItemCommand({ TableName: `Doc-${api.apiId}-dev`, Item: { id: { S: 'd-1' }, title: { S: 'plans' }, secret: { S: 'hidden' }, owner: { S: 't-1' } } }),
  );
  dynamodb.destroy();
});
after(() => cloud?.close());

describe('a fault while @auth rules are evaluated', () => {
  it('answers a field-level rule that throws as an internal failure, logged in full, not as a refusal', async () => {
    const res = await fetch(api.url, {
      method: 'POST',
      headers: { 'content-type': 'application/json', authorization: TOKEN },
      body: JSON.stringify({ query: 'query { getDoc(id: "d-1") { id title secret } }' }),
    });
    const body = (await res.json()) as {
      data: { getDoc: Record<string, unknown> | null };
      errors?: Array<{ errorType: string; message: string; path: unknown }>;
    };
    assert.equal(res.status, 200);
    assert.deepEqual(body.data.getDoc, { id: 'd-1', title: 'plans', secret: null });
    assert.equal(body.errors?.length, 1);
    const [error] = body.errors!;
    assert.equal(error!.errorType, 'InternalFailure');
    assert.deepEqual(error!.path, ['getDoc', 'secret']);
    assert.doesNotMatch(error!.message, /Not Authorized/);
    assert.doesNotMatch(error!.message, new RegExp(FAULT), 'the fault is masked in the answer');
    assert.ok(
      errorLines().some((l) => JSON.stringify(l).includes(FAULT)),
      'the log has the error',
    );
  });

  it('refuses a subscription whose rules throw with an internal failure, and logs it', async () => {
    const host = new URL(api.url).host;
    const header = { host, Authorization: TOKEN };
    const socket = new WebSocket(`${api.url.replace(/^http/, 'ws')}/realtime`, ['graphql-ws', `header-${b64(header)}`]);
    const frames: Array<{ type: string; id?: string; payload?: any }> = [];
    const next = (type: string): Promise<{ type: string; id?: string; payload?: any }> =>
      new Promise((resolve, reject) => {
        const timer = setTimeout(() => reject(new Error(`no ${type} frame within 5 s; frames: ${JSON.stringify(frames)}`)), 5000);
        const check = (): void => {
          const frame = frames.find((f) => f.type === type);
          if (!frame) return void socket.once('message', check);
          clearTimeout(timer);
          resolve(frame);
        };
        check();
      });
    socket.on('message', (raw) => frames.push(JSON.parse(String(raw)) as { type: string }));
    try {
      await new Promise((resolve, reject) => socket.once('open', resolve).once('error', reject));
      socket.send(JSON.stringify({ type: 'connection_init' }));
      await next('connection_ack');
      const data = JSON.stringify({ query: 'subscription { onCreateMemo { id text } }', variables: {} });
      socket.send(JSON.stringify({ id: 's-1', type: 'start', payload: { data, extensions: { authorization: header } } }));
      const refused = await next('error');
      assert.equal(refused.id, 's-1');
      assert.equal(refused.payload.errors[0].errorType, 'InternalFailure');
      assert.doesNotMatch(refused.payload.errors[0].message, /Not Authorized/);
      assert.ok(!frames.some((f) => f.type === 'start_ack'));
      assert.ok(
        errorLines().some((l) => l.route === 'appsync-realtime' && JSON.stringify(l).includes(FAULT)),
        'the log has the error',
      );
    } finally {
      socket.close();
    }
  });
});
