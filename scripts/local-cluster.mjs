#!/usr/bin/env node
// deploy/compose.yaml's topology without containers, on a machine without Docker: two `forte-cloud` processes
// started with the Dockerfile's ENTRYPOINT and compose.yaml's environment (its hosts replaced by this machine's
// PostgreSQL and NATS, and a third Forte Cloud as the S3-compatible store), behind HAProxy running
// deploy/haproxy.cfg. Then the README's steps through the balancer: health and readiness, `forte configure`
// with an instance's admin keys, init, add api, push, a GraphQL call; and a SIGTERM'd instance that drains
// while the balancer keeps answering.
//
//   npm run build && node scripts/local-cluster.mjs        (needs haproxy; PostgreSQL and NATS as the tests use)
//
// Exits 0 when every step worked; leaves nothing behind (its schema is dropped, its folder removed).
import assert from 'node:assert/strict';
import { spawn, spawnSync } from 'node:child_process';
import { request as httpRequest } from 'node:http';
import { randomBytes } from 'node:crypto';
import { mkdirSync, mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { createServer } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { setTimeout as sleep } from 'node:timers/promises';
import { fileURLToPath } from 'node:url';
import { CreateBucketCommand, S3Client } from '@aws-sdk/client-s3';
import { dropTestSchema, postgresTestUrl, startCloudProcess, testNats, testPostgres, TEST_NATS_URL } from '@forte/testing';
import { parse } from 'yaml';

const root = fileURLToPath(new URL('..', import.meta.url));
const step = (text) => console.log(`- ${text}`);

/** compose.yaml's `${NAME:-default}` and `${NAME:?message}`, from `values`. */
function interpolate(text, values) {
  return text.replace(/\$\{(\w+)(?::([-?])([^}]*))?\}/g, (_, name, kind, rest) => {
    if (values[name]) return values[name];
    if (kind === '-') return rest;
    throw new Error(`compose.yaml needs ${name}: ${rest}`);
  });
}

/** The Dockerfile's ENTRYPOINT with its port and data folder replaced (the image's are 20002 and a volume). */
function entrypoint(port, dataDir) {
  const line = readFileSync(join(root, 'Dockerfile'), 'utf8').match(/^ENTRYPOINT (\[.*\])$/m);
  assert.ok(line, 'the Dockerfile has an ENTRYPOINT');
  const args = JSON.parse(line[1]);
  const set = (name, value) => {
    const at = args.indexOf(name);
    assert.ok(at > 0, `the ENTRYPOINT has ${name}`);
    args[at + 1] = value;
  };
  set('--port', String(port));
  set('--data-dir', dataDir);
  assert.equal(args[0], 'node');
  return [process.execPath, ...args.slice(1)];
}

const freePort = () =>
  new Promise((resolve) => {
    const server = createServer().listen(0, '127.0.0.1', () => {
      const { port } = server.address();
      server.close(() => resolve(port));
    });
  });

async function until(check, what) {
  for (const deadline = Date.now() + 60_000; !(await check().catch(() => false)); await sleep(200))
    if (Date.now() > deadline) throw new Error(`never: ${what}`);
}

function started(child, name, output) {
  return new Promise((resolve, reject) => {
    child.stdout.on('data', (chunk) => {
      output.text += chunk;
      if (/listening on /.test(output.text)) resolve();
    });
    child.stderr.on('data', (chunk) => (output.text += chunk));
    child.once('exit', (code) => reject(new Error(`${name} exited with ${code}: ${output.text}`)));
  });
}

const postgres = await testPostgres();
const nats = await testNats();
if (!postgres.ok || !nats.ok) throw new Error(`PostgreSQL and NATS are needed: ${[postgres, nats].map((s) => s.reason ?? 'ok').join('; ')}`);
if (spawnSync('haproxy', ['-v']).error) throw new Error('haproxy is needed (apt-get install haproxy)');

const work = mkdtempSync(join(tmpdir(), 'forte-local-cluster-'));
const database = postgresTestUrl();
const children = [];
let store;
try {
  // The S3-compatible store (MinIO in compose.yaml) and its bucket, made as compose's minio-bucket does.
  mkdirSync(join(work, 'store'));
  store = await startCloudProcess(join(work, 'store'));
  children.push(store.child);
  const storeKeys = JSON.parse(readFileSync(join(work, 'store', 'admin-credentials.json'), 'utf8'));
  const s3 = new S3Client({ endpoint: `${store.url}/s3`, forcePathStyle: true, region: 'us-east-1', credentials: storeKeys });
  await s3.send(new CreateBucketCommand({ Bucket: 'forte-blobs' }));
  step(`S3-compatible store at ${store.url}/s3 with the bucket forte-blobs`);

  const lbPort = await freePort();
  const lb = `http://localhost:${lbPort}`;
  const compose = parse(readFileSync(join(root, 'deploy', 'compose.yaml'), 'utf8'), { merge: true });
  const composed = Object.fromEntries(
    Object.entries(compose.services['forte-a'].environment).map(([name, value]) => [
      name,
      interpolate(String(value), { FORTE_SECRET_KEY: randomBytes(32).toString('base64'), FORTE_PUBLIC_URL: lb }),
    ]),
  );
  assert.deepEqual(compose.services['forte-b'].environment, compose.services['forte-a'].environment, 'both instances run alike');
  // compose's hosts are this machine's servers; MinIO's root keys are the store's admin keys.
  const env = {
    ...composed,
    FORTE_DATABASE: composed.FORTE_DATABASE.replace(/^postgres:\/\/forte:forte@postgres:5432\/forte$/, database),
    FORTE_BLOBS: composed.FORTE_BLOBS.replace('endpoint=http://minio:9000', `endpoint=${store.url}/s3`),
    FORTE_BUS: composed.FORTE_BUS.replace('nats://nats:4222', TEST_NATS_URL),
    // HAProxy runs on this machine: the balancer connects from 127.0.0.1.
    FORTE_TRUSTED_PROXIES: composed.FORTE_TRUSTED_PROXIES.replace(/^172\.28\.0\.10$/, '127.0.0.1'),
    AWS_ACCESS_KEY_ID: storeKeys.accessKeyId,
    AWS_SECRET_ACCESS_KEY: storeKeys.secretAccessKey,
  };
  for (const name of ['FORTE_DATABASE', 'FORTE_BLOBS', 'FORTE_BUS', 'FORTE_TRUSTED_PROXIES'])
    assert.notEqual(env[name], composed[name], `${name} points at this machine`);

  // One after the other, as compose's restarts do not guarantee: the first creates the tables.
  const instances = {};
  for (const name of ['a', 'b']) {
    const port = await freePort();
    const dataDir = join(work, name, 'cloud');
    mkdirSync(dataDir, { recursive: true });
    const [command, ...args] = entrypoint(port, dataDir);
    const child = spawn(command, args, { cwd: root, env: { ...process.env, ...env, FORTE_HOME: join(work, name) }, stdio: ['ignore', 'pipe', 'pipe'] });
    children.push(child);
    const output = { text: '' };
    await started(child, `instance ${name}`, output);
    instances[name] = { child, port, dataDir, output };
    step(`instance ${name}: ${args.join(' ')}`);
  }

  const haproxy = spawn('haproxy', ['-db', '-f', join(root, 'deploy', 'haproxy.cfg')], {
    env: { ...process.env, FORTE_LB_BIND: `127.0.0.1:${lbPort}`, FORTE_A: `127.0.0.1:${instances.a.port}`, FORTE_B: `127.0.0.1:${instances.b.port}` },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  children.push(haproxy);
  let haproxyOutput = '';
  haproxy.stderr.on('data', (chunk) => (haproxyOutput += chunk));
  haproxy.once('exit', (code) => code && console.error(`haproxy exited with ${code}: ${haproxyOutput}`));

  // Both instances answer through the balancer once its checks of /_forte/ready passed (rise 2, every 2 s).
  const seen = new Set();
  await until(async () => {
    const res = await fetch(`${lb}/_forte/health`);
    if (res.ok) seen.add((await res.json()).instance);
    return seen.size === 2;
  }, 'both instances answer /_forte/health through the balancer');
  const ready = await fetch(`${lb}/_forte/ready`);
  assert.equal(ready.status, 200);
  const health = await (await fetch(`${lb}/_forte/health`)).json();
  assert.deepEqual(health.engines, { database: 'postgres', blobs: 's3', bus: 'nats' });
  step(`${lb}: /_forte/health from both instances (engines ${JSON.stringify(health.engines)}), /_forte/ready 200`);

  // The client's address through the balancer (option forwardfor, trusted as FORTE_TRUSTED_PROXIES): a client at
  // 127.0.0.2 (all of 127.0.0.0/8 is this machine on Linux) is logged as itself, not as the balancer, and the
  // X-Forwarded-For it writes itself does not change that.
  const path = `/client-address-check-${randomBytes(4).toString('hex')}`;
  const status = await new Promise((resolve, reject) => {
    const target = new URL(lb);
    const req = httpRequest(
      { host: '127.0.0.1', port: target.port, path, localAddress: '127.0.0.2', agent: false, headers: { 'x-forwarded-for': '203.0.113.9' } },
      (res) => res.resume().on('end', () => resolve(res.statusCode)),
    );
    req.on('error', reject).end();
  });
  assert.equal(status, 404);
  let logged;
  await until(async () => {
    for (const { dataDir } of Object.values(instances)) {
      const lines = readFileSync(join(dataDir, 'logs', 'cloud.log'), 'utf8')
        .split('\n')
        .filter(Boolean)
        .map((line) => JSON.parse(line));
      logged ??= lines.find((line) => line.msg === 'request' && line.path === path);
    }
    return logged !== undefined;
  }, 'an instance logs the request');
  assert.equal(logged.client, '127.0.0.2', 'the client, forwarded by the balancer');
  step(`a request from 127.0.0.2 claiming 203.0.113.9 through the balancer: the instance logs client ${logged.client}`);

  // README: the instances share one set of admin keys; the CLI gets a profile for the balancer.
  const keys = JSON.parse(readFileSync(join(instances.a.dataDir, 'admin-credentials.json'), 'utf8'));
  assert.deepEqual(JSON.parse(readFileSync(join(instances.b.dataDir, 'admin-credentials.json'), 'utf8')), keys);
  const home = join(work, 'home');
  const app = join(work, 'app');
  mkdirSync(app, { recursive: true });
  const forte = (args, input = '') => {
    const run = spawnSync(process.execPath, [join(root, 'packages', 'cli', 'dist', 'bin.js'), ...args], {
      cwd: app,
      env: { ...process.env, FORTE_HOME: home, NO_COLOR: '1' },
      input,
      encoding: 'utf8',
    });
    assert.equal(run.status, 0, `forte ${args.join(' ')}:\n${run.stdout}${run.stderr}`);
    return run.stdout;
  };
  forte(['configure', '--profile', 'cluster', '--endpoint', lb, '--access-key-id', keys.accessKeyId, '--secret-access-key', keys.secretAccessKey]);
  forte([
    'init',
    '--amplify',
    '{"projectName":"clusterapp","envName":"dev"}',
    '--frontend',
    '{"frontend":"javascript","framework":"react"}',
    '--providers',
    '{"awscloudformation":{"configLevel":"project","useProfile":true,"profileName":"cluster"}}',
    '--yes',
  ]);
  const schema = 'type Note @model @auth(rules: [{ allow: public }]) { id: ID! content: String! }';
  const service = { serviceName: 'AppSync', apiName: 'notes', transformSchema: schema, defaultAuthType: { mode: 'API_KEY' } };
  forte(['add', 'api', '--headless'], JSON.stringify({ version: 1, serviceConfiguration: service }));
  assert.match(forte(['push', '--yes']), /CREATE_COMPLETE\s+Forte::AppSync::GraphQLApi\b/);
  const outputs = JSON.parse(readFileSync(join(app, 'amplify_outputs.json'), 'utf8'));
  assert.equal(new URL(outputs.data.url).origin, new URL(lb).origin, 'the endpoints name the balancer');
  step('forte configure, init, add api, push through the balancer: the endpoints name it');

  const note = async (content) => {
    const res = await fetch(outputs.data.url, {
      method: 'POST',
      headers: { 'content-type': 'application/json', 'x-api-key': outputs.data.api_key },
      body: JSON.stringify({ query: 'mutation ($c: String!) { createNote(input: { content: $c }) { id content } }', variables: { c: content } }),
    });
    const body = await res.json();
    assert.equal(res.status, 200, JSON.stringify(body));
    return body.data.createNote.content;
  };
  for (const content of ['one', 'two']) assert.equal(await note(content), content);
  step('GraphQL mutations through the balancer');

  // A rolling restart: A drains (FORTE_DRAIN_SECONDS from compose.yaml): its /_forte/ready fails, so the balancer
  // (checking every 2 s) takes it out before it stops listening; no request through the balancer fails.
  const exited = new Promise((resolve) => instances.a.child.once('exit', resolve));
  instances.a.child.kill('SIGTERM');
  await until(async () => (await fetch(`http://127.0.0.1:${instances.a.port}/_forte/ready`)).status === 503, 'A answers not ready');
  let served = 0;
  while (instances.a.child.exitCode === null) {
    assert.equal(await note(`during the drain ${served}`), `during the drain ${served}`);
    served++;
    await sleep(100);
  }
  assert.equal(await exited, 0);
  assert.equal(await note('after A stopped'), 'after A stopped');
  step(`SIGTERM to A: it drained and exited 0; ${served} mutations during its drain and one after all answered 200 through the balancer`);
  console.log('The cluster of deploy/compose.yaml works as processes.');
} finally {
  for (const child of children) if (child.exitCode === null && child.signalCode === null) child.kill('SIGKILL');
  await dropTestSchema(database);
  rmSync(work, { recursive: true, force: true });
}
