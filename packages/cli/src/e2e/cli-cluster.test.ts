import assert from 'node:assert/strict';
import { randomBytes } from 'node:crypto';
import { mkdirSync, mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, describe, it } from 'node:test';
import { CreateBucketCommand, S3Client } from '@aws-sdk/client-s3';
import { configure, type AmplifyOutputs } from '@forte/amplify';
import {
  dropTestSchema,
  postgresTestUrl,
  startCloudProcess,
  startRoundRobinProxy,
  startTestCloud,
  testNats,
  testPostgres,
  TEST_NATS_URL,
  type CloudProcess,
  type RoundRobinProxy,
  type TestCloud,
} from '@forte/testing';
import { generateClient } from 'aws-amplify/api';
import { Hub } from 'aws-amplify/utils';
import { fetchAuthSession, signOut } from 'aws-amplify/auth';
import { signUpAndIn } from './amplify-app.js';
import { runForte, type ForteRun } from './forte-runner.js';

// Forte Cloud as a cluster: two instances (processes of the cloud's bin) on one PostgreSQL database, one
// S3-compatible blob store (a third, embedded cloud's S3) and NATS, behind a round-robin balancer. The CLI
// and aws-amplify only ever talk to the balancer, so consecutive requests land on different instances.
const postgres = await testPostgres();
const nats = await testNats();
const skip = !postgres.ok ? postgres.reason : !nats.ok ? nats.reason : false;

const SCHEMA = `type Note @model @auth(rules: [{ allow: owner }]) {
  id: ID!
  content: String!
}
`;
const ADD_API = {
  version: 1,
  serviceConfiguration: { serviceName: 'AppSync', apiName: 'notes', transformSchema: SCHEMA, defaultAuthType: { mode: 'AMAZON_COGNITO_USER_POOLS' } },
};
const CREATE = 'mutation CreateNote($input: CreateNoteInput!) { createNote(input: $input) { id content owner } }';
const ON_CREATE = 'subscription OnCreateNote($owner: String) { onCreateNote(owner: $owner) { id content owner } }';

interface Observable {
  subscribe(observer: { next(value: any): void; error(error: unknown): void }): { unsubscribe(): void };
}
interface LooseClient {
  graphql(options: { query: string; variables?: Record<string, unknown> }): Promise<any> & Observable;
}

void describe('a cluster: two cloud instances on PostgreSQL, S3-compatible blobs and NATS behind a balancer', { skip }, () => {
  let blobStore: TestCloud;
  let proxy: RoundRobinProxy;
  const instances: CloudProcess[] = [];
  let work: string;
  let home: string;
  let root: string;
  let database: string;
  const forte = (args: string[], stdin?: string): Promise<ForteRun> => runForte(args, { cwd: root, home, ...(stdin === undefined ? {} : { stdin }) });

  const startInstance = (name: string, env: Record<string, string>): Promise<CloudProcess> => {
    mkdirSync(join(work, name), { recursive: true });
    return startCloudProcess(join(work, name), env);
  };

  before(async () => {
    work = mkdtempSync(join(tmpdir(), 'forte-cluster-'));
    home = join(work, 'home');
    root = join(work, 'app');
    mkdirSync(root, { recursive: true });
    database = postgresTestUrl();
    blobStore = await startTestCloud({ database: 'sqlite' });
    const s3 = new S3Client({ endpoint: `${blobStore.url}/s3`, forcePathStyle: true, region: 'us-east-1', credentials: blobStore.credentials });
    await s3.send(new CreateBucketCommand({ Bucket: 'cluster-blobs' }));
    const { accessKeyId, secretAccessKey } = blobStore.credentials;
    proxy = await startRoundRobinProxy();
    const env = {
      FORTE_DATABASE: database,
      FORTE_BLOBS: `s3://${accessKeyId}:${encodeURIComponent(secretAccessKey)}@cluster-blobs/cluster?endpoint=${encodeURIComponent(`${blobStore.url}/s3`)}&forcePathStyle=true&region=us-east-1`,
      FORTE_BUS: TEST_NATS_URL,
      FORTE_PUBLIC_URL: proxy.url,
      FORTE_SECRET_KEY: randomBytes(32).toString('base64'),
    };
    // One after the other: the first one creates the tables (the second would wait on the migration lock).
    instances.push(await startInstance('a', env));
    instances.push(await startInstance('b', env));
    proxy.setTargets(instances.map((instance) => instance.url));

    const keys = JSON.parse(readFileSync(join(work, 'a', 'admin-credentials.json'), 'utf8')) as { accessKeyId: string; secretAccessKey: string };
    assert.deepEqual(JSON.parse(readFileSync(join(work, 'b', 'admin-credentials.json'), 'utf8')), keys, 'one set of admin keys for the cluster');
    const profile = ['--profile', 'cluster', '--endpoint', proxy.url, '--access-key-id', keys.accessKeyId, '--secret-access-key', keys.secretAccessKey];
    assert.equal((await forte(['configure', ...profile])).code, 0);
    const init = await forte([
      'init',
      '--amplify',
      '{"projectName":"clusterapp","envName":"dev"}',
      '--frontend',
      '{"frontend":"javascript","framework":"react"}',
      '--providers',
      '{"awscloudformation":{"configLevel":"project","useProfile":true,"profileName":"cluster"}}',
      '--yes',
    ]);
    assert.equal(init.code, 0, init.stderr);
  });
  after(async () => {
    for (const { child } of instances) if (child.exitCode === null && child.signalCode === null) child.kill('SIGKILL');
    await proxy?.close();
    await blobStore?.close();
    if (database) await dropTestSchema(database);
    if (work) rmSync(work, { recursive: true, force: true });
  });

  void it('takes a push through the balancer, its requests served by both instances', async () => {
    assert.equal((await forte(['add', 'auth', '--yes'])).code, 0);
    const api = await forte(['add', 'api', '--headless'], JSON.stringify(ADD_API));
    assert.equal(api.code, 0, api.stderr);
    const before = proxy.served().length;
    const push = await forte(['push', '--yes']);
    assert.equal(push.code, 0, push.stderr + push.stdout);
    assert.match(push.stdout, /CREATE_COMPLETE\s+Forte::AppSync::GraphQLApi\b/);
    const served = new Set(proxy.served().slice(before));
    assert.deepEqual([...served].sort(), instances.map((i) => new URL(i.url).origin).sort(), 'both instances served the push');
    const status = await forte(['status']);
    assert.match(status.stdout, /│ Api\s+│ notes\s+│ No Change\s+│/);
    // Their blobs go through an AWS SDK S3 client, whose notice about its Node.js support is not the operator's.
    for (const instance of instances) assert.doesNotMatch(instance.stderr(), /NodeVersionSupportWarning/);
  });

  void it("signs in through the balancer; a subscriber on one instance gets the other instance's mutations; a revoked token is refused by both", async () => {
    const outputs = JSON.parse(readFileSync(join(root, 'amplify_outputs.json'), 'utf8')) as AmplifyOutputs;
    assert.equal(new URL((outputs as { data: { url: string } }).data.url).origin, proxy.url, 'endpoints name the balancer');
    await configure(outputs);
    await signUpAndIn('ann@example.com', { cwd: root, home });
    const client = generateClient() as unknown as LooseClient;
    const claims = (await fetchAuthSession()).tokens!.idToken!.payload;
    const owner = `${String(claims['sub'])}::${String(claims['cognito:username'])}`;
    const received: any[] = [];
    // aws-amplify says on its Hub when the cloud has acknowledged the subscription (start_ack): from then on it hears.
    let stopListening: () => void = () => undefined;
    const acknowledged = new Promise<void>((resolve) => {
      stopListening = Hub.listen('api', ({ payload }) => {
        if (payload.event === 'Subscription ack') resolve(); // CONTROL_MSG.SUBSCRIPTION_ACK of @aws-amplify/api-graphql
      });
    });
    const subscription = client.graphql({ query: ON_CREATE, variables: { owner } }).subscribe({
      next: (value) => received.push(value.data.onCreateNote),
      error: (error) => received.push({ error }),
    });
    try {
      // The socket went to one instance; once the subscription is acknowledged, two mutations: round robin sends
      // one of them to the other instance.
      await Promise.race([
        acknowledged,
        new Promise((_, reject) => setTimeout(() => reject(new Error(`the subscription was not acknowledged: ${JSON.stringify(received)}`)), 20_000)),
      ]);
      stopListening();
      const socketAt = proxy.served().at(-1);
      const marks = proxy.served().length;
      for (const content of ['first', 'second']) await client.graphql({ query: CREATE, variables: { input: { content } } });
      const mutationsAt = proxy.served().slice(marks);
      assert.ok(
        mutationsAt.some((origin) => origin !== socketAt),
        `a mutation was served by the instance without the subscriber (socket ${socketAt}, mutations ${mutationsAt.join(', ')})`,
      );
      for (let i = 0; i < 100 && received.length < 2; i++) await new Promise((resolve) => setTimeout(resolve, 50));
      assert.deepEqual(
        received.map((note) => note.content ?? JSON.stringify(note.error?.errors ?? String(note.error))),
        ['first', 'second'],
      );
    } finally {
      subscription.unsubscribe();
    }

    // Global sign-out through the balancer; the old token at each instance directly.
    const token = (await fetchAuthSession()).tokens!.accessToken.toString();
    const apiUrl = (outputs as { data: { url: string } }).data.url;
    await signOut({ global: true });
    for (const { url } of instances) {
      const res = await fetch(new URL(new URL(apiUrl).pathname, url), {
        method: 'POST',
        headers: { 'content-type': 'application/json', authorization: token },
        body: JSON.stringify({ query: 'query { listNotes { items { id } } }' }),
      });
      assert.equal(res.status, 401, `instance ${url} refuses the revoked token`);
    }
  });
});
