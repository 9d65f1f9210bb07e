import assert from 'node:assert/strict';
import { randomBytes } from 'node:crypto';
import { mkdirSync } from 'node:fs';
import { rm } from 'node:fs/promises';
import { request } from 'node:http';
import { join } from 'node:path';
import { after, before, describe, it } from 'node:test';
import { setTimeout as sleep } from 'node:timers/promises';
import { Amplify } from 'aws-amplify';
import { generateClient } from 'aws-amplify/api';
import { createAppSyncService, createControlService, createDynamoDbService, createIamService } from '@forte/cloud';
import { deployTestApi, type DeployedTestApi } from './appsync-deploy.js';
import { installRecordingWebSocket } from './appsync-realtime-fixture.js';
import {
  clusterSkipReason,
  dropTestSchema,
  makeTempDir,
  postgresTestUrl,
  startCloudProcess,
  startRoundRobinProxy,
  startTestCloud,
  TEST_NATS_URL,
  type CloudProcess,
  type RoundRobinProxy,
  type TestCloud,
} from './index.js';

// A rolling restart as a load balancer sees it: an aws-amplify client subscribed through the balancer to
// instance A (a process of the cloud's bin), A gets SIGTERM. A says it is not ready while it still serves,
// finishes the request it was reading, closes the WebSocket; aws-amplify reconnects through the balancer to
// B (in this process, on the same database and bus) and hears a change made after A stopped.
const skip = await clusterSkipReason();

const SCHEMA = 'type Post @model @auth(rules: [{ allow: public }]) { id: ID! title: String }';
const ON_CREATE = 'subscription { onCreatePost { id title } }';
const CREATE = 'mutation ($input: CreatePostInput!) { createPost(input: $input) { id title } }';

interface Observable {
  subscribe(observer: { next(value: any): void; error(error: unknown): void }): { unsubscribe(): void };
}
interface LooseClient {
  graphql(options: { query: string; variables?: Record<string, unknown> }): Promise<any> & Observable;
}

/** Polls `check` until it holds; fails naming `what` if it never does (a deadline for "never", not a timing). */
async function until(check: () => boolean | Promise<boolean>, what: string): Promise<void> {
  for (const deadline = Date.now() + 30_000; !(await check()); await sleep(50)) if (Date.now() > deadline) assert.fail(`never: ${what}`);
}

const refused = (url: string): Promise<boolean> =>
  fetch(`${url}/_forte/health`, { headers: { connection: 'close' } }).then(
    () => false,
    () => true,
  );

void describe('a cluster instance stopped with SIGTERM behind a balancer', { skip }, () => {
  const socket = installRecordingWebSocket();
  let work: string;
  let database: string;
  let proxy: RoundRobinProxy;
  let a: CloudProcess;
  let b: TestCloud;
  let api: DeployedTestApi;

  before(async () => {
    work = await makeTempDir('forte-drain');
    database = postgresTestUrl();
    proxy = await startRoundRobinProxy();
    const secretKey = randomBytes(32).toString('base64');
    const shared = { database, bus: TEST_NATS_URL, publicUrl: proxy.url, secretKey };
    // B first: it creates the tables. The API is deployed through B, as a push through the balancer may be.
    b = await startTestCloud({ ...shared, services: [createIamService, createDynamoDbService, createAppSyncService, createControlService] });
    api = await deployTestApi(b, { schema: SCHEMA, authConfig: { defaultAuthentication: { authenticationType: 'API_KEY' } }, name: 'drain' });
    mkdirSync(join(work, 'a'));
    a = await startCloudProcess(join(work, 'a'), {
      FORTE_DATABASE: database,
      FORTE_BUS: TEST_NATS_URL,
      FORTE_PUBLIC_URL: proxy.url,
      FORTE_SECRET_KEY: secretKey,
      FORTE_DRAIN_SECONDS: '2',
    });
    // A is the first target: the client's first request, the WebSocket, goes there.
    proxy.setTargets([a.url, b.url]);
    Amplify.configure({ API: { GraphQL: { endpoint: api.url, region: 'us-east-1', defaultAuthMode: 'apiKey', apiKey: api.apiKey } } });
  });
  after(async () => {
    if (a && a.child.exitCode === null && a.child.signalCode === null) a.child.kill('SIGKILL');
    await socket.allClosed();
    await b?.close();
    await proxy?.close();
    if (database) await dropTestSchema(database);
    if (work) await rm(work, { recursive: true, force: true });
  });

  void it('drains A (not ready, its request finished, its socket closed) and the subscriber goes on through the balancer on B', async () => {
    assert.equal(new URL(api.url).origin, proxy.url, 'the API is reached through the balancer');
    const client = generateClient() as unknown as LooseClient;
    const received: any[] = [];
    const errors: unknown[] = [];
    const subscription = client.graphql({ query: ON_CREATE }).subscribe({
      next: (value) => received.push(value.data.onCreatePost),
      error: (error) => errors.push(error),
    });
    try {
      await until(() => socket.frames.some((f) => f.type === 'start_ack'), 'the subscription started');
      assert.deepEqual(proxy.served(), [new URL(a.url).origin], 'the WebSocket went to A');

      // A mutation A has begun to read (half its body) when the signal comes.
      const body = JSON.stringify({ query: CREATE, variables: { input: { title: 'under way on A' } } });
      const upload = request(`${a.url}${new URL(api.url).pathname}`, {
        method: 'POST',
        headers: { 'content-type': 'application/json', 'x-api-key': api.apiKey, 'content-length': Buffer.byteLength(body) },
      });
      const answered = new Promise<{ status: number | undefined; text: string }>((resolve, reject) => {
        upload.on('response', (res) => {
          let text = '';
          res.on('data', (chunk: Buffer) => (text += chunk.toString()));
          res.on('end', () => resolve({ status: res.statusCode, text }));
        });
        upload.on('error', reject);
      });
      upload.write(body.slice(0, 20));
      await new Promise((resolve) => upload.once('socket', (s: import('node:net').Socket) => s.once('connect', resolve)));

      const exited = new Promise<number | null>((resolve) => a.child.once('exit', (code) => resolve(code)));
      a.child.kill('SIGTERM');
      let ready: Response | undefined;
      await until(async () => (ready = await fetch(`${a.url}/_forte/ready`)).status === 503, 'A answers not ready');
      assert.deepEqual(await ready!.json(), { status: 'not-ready', reason: 'stopping' });
      assert.equal((await fetch(`${a.url}/_forte/health`)).status, 200, 'A still serves while it drains');

      // The drain is over once A no longer takes connections: the request it was reading still completes.
      await until(() => refused(a.url), 'A stops listening');
      upload.end(body.slice(20));
      const answer = await answered;
      assert.equal(answer.status, 200, answer.text);
      assert.equal(JSON.parse(answer.text).data.createPost.title, 'under way on A');
      assert.deepEqual(socket.closes, [{ code: 1001, reason: 'The server is shutting down.' }]);
      assert.equal(await exited, 0);

      // aws-amplify reconnects (through the balancer: only B is left) and starts the subscription again.
      await until(() => socket.frames.filter((f) => f.type === 'start_ack').length === 2, 'the subscription started again');
      const made = await client.graphql({ query: CREATE, variables: { input: { title: 'after A stopped' } } });
      await until(() => received.length > 0, 'the subscriber heard the change');
      assert.deepEqual(received, [made.data.createPost]);
      assert.deepEqual(errors, []);
      assert.ok(
        proxy
          .served()
          .slice(1)
          .every((origin) => origin === new URL(b.url).origin),
        'everything after went to B',
      );
    } finally {
      subscription.unsubscribe();
    }
  });
});
