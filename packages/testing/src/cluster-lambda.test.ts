import assert from 'node:assert/strict';
import type { ChildProcess } from 'node:child_process';
import { createHash, randomBytes } from 'node:crypto';
import { existsSync, readFileSync } from 'node:fs';
import { readdir, readFile, rm, writeFile } from 'node:fs/promises';
import { request } from 'node:http';
import { join } from 'node:path';
import { after, before, describe, it } from 'node:test';
import { setTimeout as sleep } from 'node:timers/promises';
import { GetFunctionCommand, InvokeCommand, LambdaClient } from '@aws-sdk/client-lambda';
import { createIamService, createLambdaService, createS3Service } from '@forte/cloud';
import { startCloudProcess } from './cloud-process.js';
import { CODE_BUCKET, deployFunction, deployRole, filledSdkCache, handlerOf, lambdaClient, resourceContext, uploadCode, zipOf } from './lambda-fixture.js';
import { makeTempDir } from './make-temp-dir.js';
import { clusterSkipReason } from './start-cluster.js';
import { TEST_NATS_URL } from './nats.js';
import { dropTestSchema, postgresTestUrl } from './postgres.js';
import { startTestCloud, type TestCloud, type TestCloudOptions } from './start-test-cloud.js';
import { startTestBlobStore, type TestBlobStore } from './test-blob-store.js';

// Instances of a cluster as they run on separate machines: one PostgreSQL database, one S3-compatible blob
// store (a third cloud's S3) and one NATS bus, but each its own data folder. What one instance deployed, the
// others run; an Event invocation runs on exactly one of them, and on another if its instance dies.
const skip = await clusterSkipReason();

/**
 * Writes `started.<id>.<request id>.<pid>` when it starts and `done.…` when it ends (each holding the endpoint
 * of the instance that ran it) in $MARKS; with `gate`, waits between the two for `$MARKS/gate` to exist.
 */
const MARKING_FUNCTION = `
const { existsSync, renameSync, writeFileSync } = require('node:fs');
const { join } = require('node:path');
// Written whole, then renamed: a mark is never seen empty.
const mark = (name) => {
  writeFileSync(join(process.env.MARKS, 'tmp.' + name), process.env.AWS_ENDPOINT_URL);
  renameSync(join(process.env.MARKS, 'tmp.' + name), join(process.env.MARKS, name));
};
exports.handler = async (event, context) => {
  const tag = [event.id, context.awsRequestId, process.pid].join('.');
  mark('started.' + tag);
  while (event.gate && !existsSync(join(process.env.MARKS, 'gate'))) await new Promise((resolve) => setTimeout(resolve, 50));
  mark('done.' + tag);
  return { id: event.id, endpoint: process.env.AWS_ENDPOINT_URL };
};`;

/** The marks of `kind` ('started' or 'done'), by the event id they carry: the endpoints that wrote them. */
async function marks(dir: string, kind: string): Promise<Map<string, string[]>> {
  const found = new Map<string, string[]>();
  for (const name of await readdir(dir)) {
    const [k, id] = name.split('.');
    if (k !== kind || id === undefined) continue;
    found.set(id, [...(found.get(id) ?? []), await readFile(join(dir, name), 'utf8')]);
  }
  return found;
}

async function until(check: () => Promise<boolean>, what: string): Promise<void> {
  for (let i = 0; i < 1500; i++) {
    if (await check()) return;
    await sleep(20);
  }
  throw new Error(`timed out waiting for ${what}`);
}

/** Whether a process runs (a zombie left to a PID 1 that does not reap it does not). */
function alive(pid: number): boolean {
  if (existsSync('/proc/self/status')) {
    try {
      return !/^State:\s+Z/m.test(readFileSync(`/proc/${pid}/status`, 'utf8'));
    } catch {
      return false;
    }
  }
  try {
    process.kill(pid, 0);
    return true;
  } catch {
    return false;
  }
}

/** GET `url` from the cloud at `via` (another instance of the cluster), with the URL's own Host header. */
function getThrough(via: string, url: string, method = 'GET'): Promise<{ status: number; body: Buffer }> {
  const target = new URL(url);
  const server = new URL(via);
  return new Promise((resolve, reject) => {
    const req = request(
      { host: server.hostname, port: server.port, method, path: `${target.pathname}${target.search}`, headers: { host: target.host } },
      (res) => {
        const chunks: Buffer[] = [];
        res.on('data', (chunk: Buffer) => chunks.push(chunk));
        res.on('end', () => resolve({ status: res.statusCode ?? 0, body: Buffer.concat(chunks) }));
      },
    );
    req.on('error', reject);
    req.end();
  });
}

void describe('a cluster of instances with their own data folders (PostgreSQL, S3 blobs, NATS): Lambda', { skip }, () => {
  const database = postgresTestUrl();
  const secretKey = randomBytes(32).toString('base64');
  const children: ChildProcess[] = [];
  let store: TestBlobStore | undefined;
  let blobs: string;
  let cacheDir: string;
  let markDir: string;
  let a: TestCloud | undefined;
  let b: TestCloud | undefined;
  let sha256: string;

  const instance = async (options: TestCloudOptions = {}): Promise<TestCloud> =>
    startTestCloud({
      database,
      blobs,
      bus: TEST_NATS_URL,
      secretKey,
      logLevel: 'info',
      services: [createIamService, createS3Service, createLambdaService],
      ...options,
      lambda: { cacheDir, allowDownloads: false, ...options.lambda },
    });
  const invokeEvent = (client: LambdaClient, event: Record<string, unknown>) =>
    client.send(new InvokeCommand({ FunctionName: 'marking', InvocationType: 'Event', Payload: Buffer.from(JSON.stringify(event)) }));
  const queued = async (cloud: TestCloud): Promise<number> =>
    (await cloud.kernel.sql.get<{ n: number }>('SELECT COUNT(*) AS n FROM lambda_event_invocations'))?.n ?? -1;

  before(async () => {
    cacheDir = await filledSdkCache();
    markDir = await makeTempDir('forte-cluster-marks');
    store = await startTestBlobStore();
    blobs = store.blobs;
    a = await instance();
    b = await instance();
    const role = await deployRole(a, 'marking-role');
    await deployFunction(a, { name: 'marking', files: { 'index.js': MARKING_FUNCTION }, role, variables: { MARKS: markDir } });
    sha256 = (await a.kernel.sql.get<{ sha: string }>("SELECT code_sha256 AS sha FROM lambda_functions WHERE name = 'marking'"))!.sha;
  });
  after(async () => {
    for (const child of children) if (child.exitCode === null && child.signalCode === null) child.kill('SIGKILL');
    await b?.close();
    await a?.close();
    await store?.close();
    await dropTestSchema(database);
    await rm(markDir, { recursive: true, force: true });
  });

  void it('runs on B a function deployed through A, unpacked from the kept zip, and serves its Code.Location from A through B', async () => {
    assert.notEqual(a!.dataDir, b!.dataDir);
    assert.equal(existsSync(join(a!.dataDir, 'lambda', 'code', sha256)), true);
    const out = await lambdaClient(b!).send(new InvokeCommand({ FunctionName: 'marking', Payload: Buffer.from('{"id":"sync"}') }));
    assert.equal(out.FunctionError, undefined, Buffer.from(out.Payload ?? []).toString());
    assert.deepEqual(JSON.parse(Buffer.from(out.Payload!).toString()), { id: 'sync', endpoint: b!.url });
    assert.equal(existsSync(join(b!.dataDir, 'lambda', 'code', sha256)), true, 'B unpacked the code into its own folder');

    // A URL A made works on B (one key for the cluster), for that GET only.
    const fn = await lambdaClient(a!).send(new GetFunctionCommand({ FunctionName: 'marking' }));
    const location = fn.Code!.Location!;
    assert.equal(new URL(location).origin, new URL(a!.url).origin);
    const download = await getThrough(b!.url, location);
    assert.equal(download.status, 200);
    assert.equal(createHash('sha256').update(download.body).digest('hex'), sha256);
    assert.equal((await getThrough(b!.url, location, 'DELETE')).status, 403, 'the signature is for the GET');
    assert.equal((await getThrough(b!.url, location.replace('X-Amz-Expires=600', 'X-Amz-Expires=6000'))).status, 403);
  });

  void it('runs each of 20 Event invocations queued through A and B exactly once', async () => {
    const viaA = lambdaClient(a!);
    const viaB = lambdaClient(b!);
    const ids = Array.from({ length: 20 }, (_, i) => `event${i}`);
    const answers = await Promise.all(ids.map((id, i) => invokeEvent(i % 2 === 0 ? viaA : viaB, { id })));
    assert.deepEqual(new Set(answers.map((answer) => answer.StatusCode)), new Set([202]));
    // Once the queue is empty every run has ended: a row is deleted after its run, by the instance that ran it.
    await until(async () => (await queued(a!)) === 0 && (await marks(markDir, 'done')).size >= ids.length + 1, 'the queued invocations');
    const started = await marks(markDir, 'started');
    const done = await marks(markDir, 'done');
    for (const id of ids) {
      assert.equal(started.get(id)?.length, 1, `${id} started once`);
      assert.equal(done.get(id)?.length, 1, `${id} ran once`);
    }
  });

  void it('deploys on an instance at its first invocation a function it never heard of (no bus)', async () => {
    await using deaf = await instance({ bus: undefined });
    await deployFunction(a!, { name: 'later', files: { 'index.js': 'exports.handler = async (e) => ({ later: e.n * 2 });' } });
    const out = await lambdaClient(deaf).send(new InvokeCommand({ FunctionName: 'later', Payload: Buffer.from('{"n":21}') }));
    assert.equal(out.FunctionError, undefined, Buffer.from(out.Payload ?? []).toString());
    assert.deepEqual(JSON.parse(Buffer.from(out.Payload!).toString()), { later: 42 });
  });

  void it('runs on B a layer published before zips were kept, once the instance holding it started again and kept it', async () => {
    // The publishing instance keeps its folder across a restart; the layer's zip is then forgotten, as a layer
    // version published before zips were kept in the blob store has none there.
    const holderDir = await makeTempDir('forte-cluster-layer-holder');
    let holder = await instance({ dataDir: holderDir });
    try {
      const layerKey = await uploadCode(
        holder,
        'legacy-layer.zip',
        zipOf({ 'nodejs/node_modules/greeting/index.js': "module.exports = (n) => 'hello ' + n;" }),
      );
      const layer = await handlerOf(holder, 'AWS::Lambda::LayerVersion').create(
        { LayerName: 'legacy', Content: { S3Bucket: CODE_BUCKET, S3Key: layerKey } },
        resourceContext(holder, 'LegacyLayer'),
      );
      const arn = layer.physicalId;
      const layerSha256 = (await holder.kernel.sql.get<{ sha: string }>('SELECT code_sha256 AS sha FROM lambda_layer_versions WHERE arn = ?', [arn]))!.sha;
      await holder.kernel.sql.run('DELETE FROM lambda_code_blobs WHERE sha256 = ?', [layerSha256]);
      await holder.kernel.blobs.delete(`lambda/code/${layerSha256}`);
      await deployFunction(holder, {
        name: 'greeter',
        files: { 'index.js': "const greet = require('greeting'); exports.handler = async (e) => greet(e.name);" },
        properties: { Layers: [arn] },
      });
      const greet = () => lambdaClient(b!).send(new InvokeCommand({ FunctionName: 'greeter', Payload: Buffer.from('{"name":"B"}') }));

      const refused = await greet().then(
        () => assert.fail('B ran a function whose layer it cannot have'),
        (error: Error) => error,
      );
      assert.equal(refused.name, 'ResourceNotReadyException');
      assert.ok(refused.message.includes(arn), refused.message);
      assert.match(refused.message, /published before layer code was kept in the blob store.*redeploy the layer/);

      await holder.close();
      holder = await instance({ dataDir: holderDir });
      assert.ok(holder.logs().some((line) => line.includes('kept in the blob store the code of layers') && line.includes(layerSha256)));
      const kept = await holder.kernel.sql.get<{ code: string; kept: string }>(
        'SELECT code_sha256 AS code, kept_sha256 AS kept FROM lambda_layer_versions WHERE arn = ?',
        [arn],
      );
      assert.equal(kept?.code, layerSha256, "the version's CodeSha256 stays");
      assert.ok(kept?.kept && kept.kept !== layerSha256);
      const out = await greet();
      assert.equal(out.FunctionError, undefined, Buffer.from(out.Payload ?? []).toString());
      assert.equal(JSON.parse(Buffer.from(out.Payload!).toString()), 'hello B');
    } finally {
      await holder.close();
      await rm(holderDir, { recursive: true, force: true });
    }
  });

  void it('runs the invocation a killed instance had claimed on another one once its lease lapsed', async () => {
    // Only the instance that will be killed runs now, so it is the one that claims the invocation.
    await b!.close();
    await a!.close();
    b = undefined;
    a = undefined;
    const dir = await makeTempDir('forte-cluster-killed');
    await writeFile(join(dir, 'config.json'), JSON.stringify({ lambda: { cacheDir, allowDownloads: false, eventLeaseSeconds: 1 } }));
    const killed = await startCloudProcess(dir, { FORTE_DATABASE: database, FORTE_SECRET_KEY: secretKey, FORTE_BLOBS: blobs, FORTE_BUS: TEST_NATS_URL });
    children.push(killed.child);
    const credentials = JSON.parse(await readFile(join(dir, 'admin-credentials.json'), 'utf8')) as { accessKeyId: string; secretAccessKey: string };
    const client = new LambdaClient({ endpoint: killed.url, region: 'us-east-1', credentials, maxAttempts: 1 });
    assert.equal((await invokeEvent(client, { id: 'claimed', gate: true })).StatusCode, 202);
    await until(async () => (await marks(markDir, 'started')).has('claimed'), 'the killed instance to start the invocation');
    assert.deepEqual((await marks(markDir, 'started')).get('claimed'), [killed.url]);

    b = await instance({ lambda: { eventLeaseSeconds: 1 } });
    killed.child.kill('SIGKILL');
    // The gate opens once the killed instance's function process is gone with it, so only B's run can pass it.
    const pid = Number(
      (await readdir(markDir))
        .find((name) => name.startsWith('started.claimed.'))!
        .split('.')
        .at(-1),
    );
    await until(async () => !alive(pid), "the killed instance's function process to end");
    await writeFile(join(markDir, 'gate'), '');
    await until(async () => (await marks(markDir, 'done')).has('claimed') && (await queued(b!)) === 0, 'the invocation to run on B');
    assert.deepEqual((await marks(markDir, 'done')).get('claimed'), [b.url], 'B ran it to its end');
    await rm(dir, { recursive: true, force: true });
  });
});
