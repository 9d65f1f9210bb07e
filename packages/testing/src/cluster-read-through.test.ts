import assert from 'node:assert/strict';
import { randomBytes } from 'node:crypto';
import { after, before, describe, it } from 'node:test';
import { setTimeout as sleep } from 'node:timers/promises';
import { InvokeCommand } from '@aws-sdk/client-lambda';
import {
  createApiGatewayService,
  createAppSyncService,
  createDynamoDbService,
  createHostingService,
  createIamService,
  createLambdaService,
  createS3Service,
} from '@forte/cloud';
import { transform } from '@forte/graphql-transformer';
import { APPSYNC_RESOURCE_TYPES, RESOURCE_TYPES } from '@forte/protocol';
import { WebSocket } from 'ws';
import { deployTestApi, type DeployedTestApi } from './appsync-deploy.js';
import { send, startDeployment, uploadDeployment } from './hosting-client.js';
import { deployFunction, filledSdkCache, handlerOf, lambdaClient, resourceContext } from './lambda-fixture.js';
import { TEST_NATS_URL } from './nats.js';
import { dropTestSchema, postgresTestUrl } from './postgres.js';
import { clusterSkipReason } from './start-cluster.js';
import { startTestCloud, type TestCloud } from './start-test-cloud.js';
import { startTestBlobStore, type TestBlobStore } from './test-blob-store.js';

// B shares A's database and blob store but has no bus: it never hears of what A deploys. What it serves of
// A's deployments, it found by reading the database when a request named what it did not hold.
const skip = await clusterSkipReason();

const SERVICES = [
  createIamService,
  createS3Service,
  createDynamoDbService,
  createAppSyncService,
  createLambdaService,
  createApiGatewayService,
  createHostingService,
];
const NOTE_SCHEMA = 'type Note @model @auth(rules: [{ allow: public }]) { id: ID! text: String }';
const LIST_NOTES = 'query { listNotes { items { id text } } }';

async function graphql(cloud: TestCloud, api: DeployedTestApi, apiKey: string, query = LIST_NOTES): Promise<{ status: number; answer: any }> {
  const response = await fetch(`${cloud.url}${new URL(api.url).pathname}`, {
    method: 'POST',
    headers: { 'content-type': 'application/json', 'x-api-key': apiKey },
    body: JSON.stringify({ query }),
  });
  return { status: response.status, answer: await response.json() };
}

void describe('an instance that has not heard of a deployment reads it from the database', { skip }, () => {
  let a: TestCloud;
  let b: TestCloud;
  let blobStore: TestBlobStore;
  const database = postgresTestUrl();
  before(async () => {
    blobStore = await startTestBlobStore();
    const common = {
      database,
      blobs: blobStore.blobs,
      secretKey: randomBytes(32).toString('base64'),
      services: SERVICES,
      lambda: { cacheDir: await filledSdkCache(), allowDownloads: false },
      logLevel: 'info' as const,
    };
    a = await startTestCloud({ ...common, bus: TEST_NATS_URL });
    b = await startTestCloud({ ...common, publicUrl: a.url });
    assert.equal(b.kernel.bus.shared, false, 'B has no bus');
  });
  after(async () => {
    await b?.close();
    await a?.close();
    await blobStore?.close();
    await dropTestSchema(database);
  });

  void it('answers a GraphQL call for an API deployed through A, and an API key created, then deleted, through A', async () => {
    const api = await deployTestApi(a, { schema: NOTE_SCHEMA, authConfig: { defaultAuthentication: { authenticationType: 'API_KEY' } }, name: 'notes' });
    const first = await graphql(b, api, api.apiKey);
    assert.deepEqual([first.status, first.answer], [200, { data: { listNotes: { items: [] } } }]);

    const keys = handlerOf(a, APPSYNC_RESOURCE_TYPES.apiKey);
    const props = { ApiId: api.apiId, ExpirationDays: 7 };
    const created = await keys.create(props, resourceContext(a, 'SecondKey', 'amplify-app1-dev-api-notes'));
    const secondKey = String(created.attributes.ApiKey);
    const second = await graphql(b, api, secondKey);
    assert.equal(second.status, 200, JSON.stringify(second.answer));

    await keys.delete(created.physicalId, props, resourceContext(a, 'SecondKey', 'amplify-app1-dev-api-notes'));
    assert.equal((await graphql(a, api, secondKey)).status, 401, 'A refuses the deleted key at once');
    // B holds the key, and no bus tells it: it reads the API's keys again once they are a second old.
    const deleted = Date.now();
    let status = 200;
    while (status === 200 && Date.now() - deleted < 3000) {
      await sleep(50);
      status = (await graphql(b, api, secondKey)).status;
    }
    assert.equal(status, 401, 'B refuses the deleted key');
    assert.ok(Date.now() - deleted < 2500, `B refused it after ${Date.now() - deleted} ms`);
    assert.equal((await graphql(b, api, api.apiKey)).status, 200, 'and still takes the other one');
  });

  void it('opens a realtime subscription for an API deployed through A', async () => {
    const api = await deployTestApi(a, { schema: NOTE_SCHEMA, authConfig: { defaultAuthentication: { authenticationType: 'API_KEY' } }, name: 'live' });
    const { host, pathname } = new URL(api.url);
    const header = (headers: Record<string, string>): string => Buffer.from(JSON.stringify(headers)).toString('base64url');
    const auth = { host, 'x-amz-date': '20261201T000000Z', 'x-api-key': api.apiKey };
    const socket = new WebSocket(`ws://127.0.0.1:${b.port}${pathname}/realtime`, ['graphql-ws', `header-${header(auth)}`]);
    const frames: Array<{ type: string }> = [];
    socket.on('message', (raw) => frames.push(JSON.parse(String(raw)) as { type: string }));
    try {
      await new Promise((resolve, reject) => {
        socket.once('open', resolve);
        socket.once('error', reject);
      });
      socket.send(JSON.stringify({ type: 'connection_init' }));
      const frame = async (...types: string[]): Promise<void> => {
        for (const deadline = Date.now() + 5000; !frames.some((f) => types.includes(f.type)); await sleep(5)) {
          if (Date.now() > deadline) assert.fail(`no ${types.join(' or ')}: ${JSON.stringify(frames)}`);
        }
      };
      await frame('connection_ack', 'connection_error');
      const data = JSON.stringify({ query: 'subscription { onCreateNote { id } }', variables: {} });
      socket.send(JSON.stringify({ id: 's1', type: 'start', payload: { data, extensions: { authorization: auth } } }));
      await frame('start_ack', 'error');
      assert.deepEqual(
        frames.map((f) => f.type).filter((t) => t !== 'ka'),
        ['connection_ack', 'start_ack'],
        JSON.stringify(frames),
      );
    } finally {
      socket.close();
    }
  });

  void it('runs a query of a field added to the schema through A', async () => {
    const api = await deployTestApi(a, { schema: NOTE_SCHEMA, authConfig: { defaultAuthentication: { authenticationType: 'API_KEY' } }, name: 'grown' });
    const query = 'query { listNotes { items { id extra } } }';
    assert.equal((await graphql(b, api, api.apiKey)).status, 200, 'B holds the API');
    const compiled = transform({
      schema: NOTE_SCHEMA.replace('text: String', 'text: String extra: String'),
      authConfig: { defaultAuthentication: { authenticationType: 'API_KEY' } },
      options: { totalCounts: false },
    });
    const tables = Object.fromEntries(compiled.plan.tables.map((t) => [t.modelName, `${t.properties.TableName}-${api.apiId}-dev`]));
    await handlerOf(a, APPSYNC_RESOURCE_TYPES.graphQLSchema).update(
      `${api.apiId}/schema`,
      { ApiId: api.apiId, Definition: compiled.schema, Plan: compiled.plan, Tables: tables },
      {},
      resourceContext(a, 'GraphQLSchema', 'amplify-app1-dev-api-grown'),
    );
    // B holds the schema without the field: the document it refuses makes it read the stored one.
    const after = await graphql(b, api, api.apiKey, query);
    assert.deepEqual([after.status, after.answer], [200, { data: { listNotes: { items: [] } } }]);
  });

  void it('answers 404 for an API id that does not exist, and 401 for an unknown key', async () => {
    const missing = await fetch(`${b.url}/graphql/${'0'.repeat(26)}`, {
      method: 'POST',
      headers: { 'content-type': 'application/json', 'x-api-key': 'da2-none' },
      body: JSON.stringify({ query: LIST_NOTES }),
    });
    assert.equal(missing.status, 404);
    const api = await deployTestApi(a, { schema: NOTE_SCHEMA, authConfig: { defaultAuthentication: { authenticationType: 'API_KEY' } }, name: 'other' });
    assert.equal((await graphql(b, api, 'da2-not-a-key')).status, 401);
    assert.equal((await graphql(b, api, api.apiKey)).status, 200);
  });

  void it('serves a site published through A', async () => {
    const sites = a.kernel.resourceHandler(RESOURCE_TYPES.hostingSite)!;
    const site = await sites.create({ AppId: 'app1', EnvName: 'dev' }, { ...resourceContext(a, 'Site'), appSlug: 'readthrough' });
    const deploymentId = await uploadDeployment(a, site.physicalId, { 'index.html': '<p>published on A</p>' });
    await startDeployment(a, site.physicalId, deploymentId);
    const page = await send(b, { path: '/', headers: { host: `readthrough-dev.localhost:${b.port}` } });
    assert.deepEqual([page.status, page.body.toString()], [200, '<p>published on A</p>']);
  });

  void it('serves a REST method once its permission was granted through A', async () => {
    const arn = await deployFunction(a, { name: 'guarded', files: { 'index.js': "exports.handler = async () => ({ statusCode: 200, body: 'granted' });" } });
    const uri = `arn:aws:apigateway:us-east-1:lambda:path/2015-03-31/functions/${arn}/invocations`;
    const body = { swagger: '2.0', paths: { '/hello': { get: { 'x-amazon-apigateway-integration': { type: 'aws_proxy', httpMethod: 'POST', uri } } } } };
    const { physicalId: apiId } = await handlerOf(a, 'AWS::ApiGateway::RestApi').create({ Name: 'guarded', Body: body }, resourceContext(a, 'GuardedApi'));
    await handlerOf(a, 'AWS::ApiGateway::Deployment').create({ RestApiId: apiId, StageName: 'dev' }, resourceContext(a, 'GuardedDeployment'));
    const call = async (): Promise<[number, string]> => {
      const response = await fetch(`${b.url}/restapis/${apiId}/dev/hello`);
      return [response.status, await response.text()];
    };
    assert.equal((await call())[0], 500, 'no permission lets the gateway invoke the function yet');
    // B holds that refusal, and read it again just now: it reads once more after a second.
    await sleep(1000);
    await handlerOf(a, 'AWS::Lambda::Permission').create(
      { FunctionName: 'guarded', Action: 'lambda:InvokeFunction', Principal: 'apigateway.amazonaws.com' },
      resourceContext(a, 'GuardedPermission', 'amplify-app1-dev-api'),
    );
    assert.deepEqual(await call(), [200, 'granted']);
  });

  void it('invokes a function created on A, and serves a REST API deployed on A', async () => {
    const arn = await deployFunction(a, { name: 'made-on-a', files: { 'index.js': "exports.handler = async () => ({ statusCode: 200, body: 'from A' });" } });
    const out = await lambdaClient(b).send(new InvokeCommand({ FunctionName: 'made-on-a', Payload: Buffer.from('{}') }));
    assert.equal(out.FunctionError, undefined, Buffer.from(out.Payload ?? []).toString());
    assert.deepEqual(JSON.parse(Buffer.from(out.Payload!).toString()), { statusCode: 200, body: 'from A' });

    await handlerOf(a, 'AWS::Lambda::Permission').create(
      { FunctionName: 'made-on-a', Action: 'lambda:InvokeFunction', Principal: 'apigateway.amazonaws.com' },
      resourceContext(a, 'madePermission', 'amplify-app1-dev-api'),
    );
    const uri = `arn:aws:apigateway:us-east-1:lambda:path/2015-03-31/functions/${arn}/invocations`;
    const body = { swagger: '2.0', paths: { '/hello': { get: { 'x-amazon-apigateway-integration': { type: 'aws_proxy', httpMethod: 'POST', uri } } } } };
    const { physicalId: apiId } = await handlerOf(a, 'AWS::ApiGateway::RestApi').create({ Name: 'made', Body: body }, resourceContext(a, 'MadeApi'));
    await handlerOf(a, 'AWS::ApiGateway::Deployment').create({ RestApiId: apiId, StageName: 'dev' }, resourceContext(a, 'MadeDeployment'));
    const response = await fetch(`${b.url}/restapis/${apiId}/dev/hello`);
    assert.deepEqual([response.status, await response.text()], [200, 'from A']);
  });
});
