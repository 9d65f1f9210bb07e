import assert from 'node:assert/strict';
import { createHash } from 'node:crypto';
import { mkdir, rm, writeFile } from 'node:fs/promises';
import { request } from 'node:http';
import { join } from 'node:path';
import { after, before, describe, it } from 'node:test';
import { isForteError, RESOURCE_TYPES, type LocalSiteFile } from '@forte/protocol';
import { makeTempDir, startTestCloud, type TestCloud } from '@forte/testing';
import { deploySite } from './deploy-site.js';
import { createSignedClient, type SignedClient } from './signed-client.js';

/** GET with a Host header (fetch cannot set one), for host-style site addresses. */
function get(port: number, path: string, headers: Record<string, string>): Promise<{ status: number; headers: Record<string, unknown>; body: Buffer }> {
  return new Promise((resolve, reject) => {
    const req = request({ host: '127.0.0.1', port, path, headers }, (res) => {
      const chunks: Buffer[] = [];
      res.on('data', (c: Buffer) => chunks.push(c));
      res.on('end', () => resolve({ status: res.statusCode ?? 0, headers: res.headers, body: Buffer.concat(chunks) }));
    });
    req.on('error', reject);
    req.end();
  });
}

void describe('deploySite against a real cloud', () => {
  let cloud: TestCloud;
  let client: SignedClient;
  let dir: string;
  let siteId: string;
  let siteUrl: string;

  const files = (): LocalSiteFile[] =>
    ['index.html', 'static/app.1a2b3c4d.js', 'big.bin'].map((path) => ({ path, absolutePath: join(dir, ...path.split('/')) }));

  before(async () => {
    cloud = await startTestCloud();
    client = createSignedClient({ endpoint: cloud.url, ...cloud.credentials });
    dir = await makeTempDir('forte-site');
    await mkdir(join(dir, 'static'));
    await writeFile(join(dir, 'index.html'), '<h1>v1</h1>');
    await writeFile(join(dir, 'static/app.1a2b3c4d.js'), `export const text = ${JSON.stringify('hello '.repeat(1000))};\n`);
    // Bigger than the in-memory body cache's item limit: served as a stream from the blob store.
    await writeFile(join(dir, 'big.bin'), Buffer.alloc(3 * 1024 * 1024, 'abc'));
    const handler = cloud.kernel.resourceHandler(RESOURCE_TYPES.hostingSite);
    assert.ok(handler, 'the cloud provides Forte::Hosting::Site');
    const site = await handler.create(
      { AppId: 'app1', EnvName: 'dev' },
      {
        appId: 'app1',
        appSlug: 'demo',
        envName: 'dev',
        stackName: 'amplify-demo-dev',
        logicalId: 'Site',
        region: 'us-east-1',
        accountId: '000000000000',
        log: cloud.kernel.log,
      },
    );
    siteId = site.physicalId;
    siteUrl = String(site.attributes.Url);
  });
  after(async () => {
    await cloud.close();
    await rm(dir, { recursive: true, force: true });
  });

  void it('uploads what is missing, switches, and uploads nothing when unchanged', async () => {
    const first = await deploySite(client, { siteId, files: files() });
    assert.equal(first.uploaded, 3);
    assert.equal(first.url, `http://demo-dev.localhost:${cloud.port}/`);
    assert.equal(first.url, siteUrl);

    const page = await get(cloud.port, '/', { host: `demo-dev.localhost:${cloud.port}` });
    assert.equal(page.status, 200);
    assert.equal(page.body.toString(), '<h1>v1</h1>');
    // (Compressed variants follow a deployment shortly; the hosting service's own tests cover them.)
    const byHost = await get(cloud.port, '/static/app.1a2b3c4d.js', { host: `demo-dev.localhost:${cloud.port}` });
    assert.equal(byHost.headers['cache-control'], 'public, max-age=31536000, immutable');
    assert.match(byHost.body.toString(), /hello hello/);
    const big = await get(cloud.port, '/big.bin', { host: `demo-dev.localhost:${cloud.port}` });
    assert.equal(big.body.length, 3 * 1024 * 1024);
    assert.equal(
      createHash('sha256').update(big.body).digest('hex'),
      createHash('sha256')
        .update(Buffer.alloc(3 * 1024 * 1024, 'abc'))
        .digest('hex'),
    );
    const slice = await get(cloud.port, '/big.bin', { host: `demo-dev.localhost:${cloud.port}`, range: 'bytes=1000000-1000005' });
    assert.equal(slice.status, 206);
    assert.deepEqual(slice.body, Buffer.alloc(3 * 1024 * 1024, 'abc').subarray(1000000, 1000006), 'a range of a streamed file');

    const again = await deploySite(client, { siteId, files: files() });
    assert.equal(again.uploaded, 0, 'a re-publish of an unchanged site uploads nothing');
    assert.notEqual(again.deploymentId, first.deploymentId);

    await writeFile(join(dir, 'index.html'), '<h1>v2</h1>');
    const changed = await deploySite(client, { siteId, files: files() });
    assert.equal(changed.uploaded, 1);
    assert.equal((await get(cloud.port, '/', { host: `demo-dev.localhost:${cloud.port}` })).body.toString(), '<h1>v2</h1>');
  });

  void it('is refused without valid keys', async () => {
    const wrong = createSignedClient({ endpoint: cloud.url, ...cloud.credentials, secretAccessKey: 'not-the-secret' });
    await assert.rejects(deploySite(wrong, { siteId, files: files() }), (e: unknown) => isForteError(e) && e.status === 403);
    const unsigned = await fetch(`${cloud.url}/hosting-api/sites/${siteId}/blobs/${'0'.repeat(64)}`, { method: 'PUT', body: 'x' });
    assert.equal(unsigned.status, 403);
  });

  void it('reports a missing site clearly', async () => {
    await assert.rejects(
      deploySite(client, { siteId: 'site-missing', files: files() }),
      (e: unknown) => isForteError(e) && e.code === 'ResourceNotFoundException' && /forte push/.test(e.message),
    );
  });
});
