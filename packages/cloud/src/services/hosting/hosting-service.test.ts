import assert from 'node:assert/strict';
import { createHash, randomBytes } from 'node:crypto';
import { mkdtemp, rm } from 'node:fs/promises';
import { request, type IncomingHttpHeaders } from 'node:http';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, describe, it } from 'node:test';
import { brotliDecompressSync, gunzipSync } from 'node:zlib';
import { Hash } from '@smithy/hash-node';
import { SignatureV4 } from '@smithy/signature-v4';
import { CONSOLE_CSRF_HEADER, CONSOLE_PIPE_PATH, CONSOLE_SESSION_PATH, hostingBlobPath, RESOURCE_TYPES, SIGNING_SERVICE } from '@forte/protocol';
import type { BlobStore } from '../../engines/types.js';
import { createLogger } from '../../kernel/logger.js';
import type { ResourceContext, ResourceHandler } from '../../kernel/types.js';
import { createCloud, type Cloud } from '../../server.js';
import { dropPostgresSchema } from '../../engines/postgres/postgres-store.js';
import { TEST_POSTGRES_SERVER, testPostgres } from '../../engines/postgres/postgres-test.test-helper.js';

// FORTE_TEST_DATABASE=postgres runs the cloud on the PostgreSQL test server (a schema of its own), as the
// clouds of @forte/testing do; when the server does not answer, the suite is skipped and says why.
const onPostgres = process.env.FORTE_TEST_DATABASE === 'postgres';
const postgres = onPostgres ? await testPostgres() : undefined;

// A real cloud on port 0 in a temp folder; API calls are signed with the AWS SDK's own SigV4 signer.
interface Harness {
  dir: string;
  database: string | undefined;
  port: number;
  cloud: Cloud;
  blobs: BlobStore;
  sites: ResourceHandler;
  signer: SignatureV4;
  /** Signs without adding x-amz-content-sha256 (the SDK signer adds it by default). */
  bareSigner: SignatureV4;
}

async function startHarness(): Promise<Harness> {
  const dir = await mkdtemp(join(tmpdir(), 'forte-hosting-'));
  const print = process.env.FORTE_TEST_LOG === '1';
  let database: string | undefined;
  if (onPostgres) {
    const url = new URL(TEST_POSTGRES_SERVER);
    url.searchParams.set('schema', `forte_t_${randomBytes(8).toString('hex')}`);
    url.searchParams.set('pool', '4');
    database = url.toString();
  }
  const cloud = await createCloud({
    dataDir: dir,
    database,
    port: 0,
    logLevel: print ? 'debug' : 'error',
    logStream: { write: (line) => print && process.stderr.write(line) },
  });
  const sites = cloud.kernel.resourceHandler(RESOURCE_TYPES.hostingSite);
  assert.ok(sites, 'the hosting service provides Forte::Hosting::Site');
  const signerFor = (applyChecksum: boolean): SignatureV4 =>
    new SignatureV4({
      service: SIGNING_SERVICE,
      region: cloud.kernel.config.region,
      credentials: { accessKeyId: cloud.adminCredentials.accessKeyId, secretAccessKey: cloud.adminCredentials.secretAccessKey },
      sha256: Hash.bind(null, 'sha256'),
      applyChecksum,
    });
  return { dir, database, port: cloud.port, cloud, blobs: cloud.kernel.blobs, sites, signer: signerFor(true), bareSigner: signerFor(false) };
}

async function stopHarness(h: Harness): Promise<void> {
  await h.cloud.close();
  await rm(h.dir, { recursive: true, force: true });
  if (h.database !== undefined) await dropPostgresSchema(h.database);
}

interface Reply {
  status: number;
  headers: IncomingHttpHeaders;
  body: Buffer;
}

let harness: Harness | undefined;

/**
 * Raw HTTP (fetch normalises paths and forbids the Host header, both of which these tests need); with
 * `signed`, SigV4-signed with the admin keys.
 */
async function send(
  port: number,
  options: { method?: string; path: string; headers?: Record<string, string>; body?: Buffer | string; signed?: boolean | 'without-checksum' },
): Promise<Reply> {
  const method = options.method ?? 'GET';
  let headers: Record<string, string> = { ...options.headers };
  if (options.signed) {
    const signer = options.signed === 'without-checksum' ? harness!.bareSigner : harness!.signer;
    const signedRequest = await signer.sign({
      method,
      protocol: 'http:',
      hostname: '127.0.0.1',
      port,
      path: options.path,
      query: {},
      headers: { host: `127.0.0.1:${port}`, ...headers },
      body: options.body,
    });
    headers = signedRequest.headers;
  }
  return new Promise((resolve, reject) => {
    const req = request({ host: '127.0.0.1', port, method, path: options.path, headers }, (res) => {
      const chunks: Buffer[] = [];
      res.on('data', (c: Buffer) => chunks.push(c));
      res.on('end', () => resolve({ status: res.statusCode ?? 0, headers: res.headers, body: Buffer.concat(chunks) }));
      res.on('error', reject);
    });
    req.on('error', reject);
    req.end(options.body);
  });
}

async function api<T>(port: number, operation: string, input: unknown): Promise<{ status: number; body: T }> {
  const reply = await send(port, {
    method: 'POST',
    path: '/hosting-api/',
    headers: { 'content-type': 'application/x-amz-json-1.1', 'x-amz-target': `ForteHosting.${operation}` },
    body: JSON.stringify(input),
    signed: true,
  });
  return { status: reply.status, body: JSON.parse(reply.body.toString('utf8')) as T };
}

const sha = (data: Buffer | string): string => createHash('sha256').update(data).digest('hex');

interface Created {
  deployment: { deploymentId: string; status: string };
  missing: string[];
}

/** CreateDeployment → upload what is missing → StartDeployment. */
async function deploy(
  port: number,
  siteId: string,
  files: Record<string, string | Buffer>,
  options: { start?: boolean } = {},
): Promise<{ deploymentId: string; uploaded: number }> {
  const list = Object.entries(files).map(([path, content]) => ({ path, sha256: sha(content), size: Buffer.byteLength(content) }));
  const created = await api<Created>(port, 'CreateDeployment', { siteId, files: list });
  assert.equal(created.status, 200, JSON.stringify(created.body));
  for (const hash of created.body.missing) {
    const content = Object.values(files).find((c) => sha(c) === hash)!;
    const up = await send(port, { method: 'PUT', path: hostingBlobPath(siteId, hash), headers: { 'x-amz-content-sha256': hash }, body: content, signed: true });
    assert.equal(up.status, 200, up.body.toString());
  }
  if (options.start !== false) {
    const started = await api<{ deployment: { status: string } }>(port, 'StartDeployment', { siteId, deploymentId: created.body.deployment.deploymentId });
    assert.equal(started.status, 200, JSON.stringify(started.body));
    assert.equal(started.body.deployment.status, 'ACTIVE');
  }
  return { deploymentId: created.body.deployment.deploymentId, uploaded: created.body.missing.length };
}

function resourceContext(appSlug: string, envName: string): ResourceContext {
  return {
    appId: 'app1',
    appSlug,
    envName,
    stackName: `amplify-${appSlug}-${envName}`,
    logicalId: 'Site',
    region: 'us-east-1',
    accountId: '000000000000',
    log: createLogger({ write: () => undefined }),
  };
}

const host = (h: Harness): string => `myapp-dev.localhost:${h.port}`;

const INDEX = '<!doctype html><title>v1</title><div id="root"></div>';
const BIG_JS = `console.log(${JSON.stringify('forte '.repeat(2000))});\n`;
const PNG = Buffer.concat([Buffer.from([0x89, 0x50, 0x4e, 0x47]), Buffer.alloc(4000, 7)]);
/** Above the body cache (1 MiB): served from its blob through the store's reused buffers. */
const CLIP = randomBytes(3 * 1024 * 1024 + 5);

void describe('hosting service', { skip: postgres?.ok === false ? postgres.reason : false }, () => {
  let h: Harness;
  let siteId: string;

  before(async () => {
    h = await startHarness();
    harness = h;
    const created = await h.sites.create({ AppId: 'app1', EnvName: 'dev' }, resourceContext('myapp', 'dev'));
    siteId = created.physicalId;
    await deploy(h.port, siteId, {
      'index.html': INDEX,
      'static/js/main.3f9a1c2b.js': BIG_JS,
      'assets/index-Bx5a9Qz7.css': 'body{color:red}',
      'style.css': 'h1{}',
      'logo.png': PNG,
      'media/clip.bin': CLIP,
      'data.unknownext': 'x',
      'docs/index.html': '<p>docs</p>',
      'robots.txt': 'User-agent: *',
      's3/report.json': '{"site":true}',
    });
  });
  after(async () => {
    await stopHarness(h);
  });

  void it('creates the site resource idempotently with its addresses', async () => {
    const again = await h.sites.create({ AppId: 'app1', EnvName: 'dev' }, resourceContext('myapp', 'dev'));
    assert.equal(again.physicalId, siteId);
    assert.deepEqual(again.attributes, {
      SiteId: siteId,
      Url: `http://myapp-dev.localhost:${h.port}/`,
      PathUrl: `http://myapp-dev.localhost:${h.port}/`,
      HostName: 'myapp-dev.localhost',
    });
    await assert.rejects(
      h.sites.create({ AppId: 'app1', EnvName: 'dev', SiteName: 'other' }, resourceContext('myapp', 'dev')),
      /already has the hosting site main/,
    );
    await assert.rejects(h.sites.create({ AppId: 'app1', EnvName: 'DEV!' }, resourceContext('myapp', 'dev')), /EnvName/);
    const got = await api<{ site: { url: string; activeDeploymentId?: string } }>(h.port, 'GetSite', { siteId });
    assert.equal(got.body.site.url, `http://myapp-dev.localhost:${h.port}/`);
    assert.ok(got.body.site.activeDeploymentId?.startsWith('dep-'));
  });

  void it('serves by host name only, with content types, cache headers and nosniff', async () => {
    const root = await send(h.port, { path: '/', headers: { host: host(h) } });
    assert.equal(root.status, 200);
    assert.equal(root.body.toString(), INDEX);
    assert.equal(root.headers['content-type'], 'text/html; charset=utf-8');
    assert.equal(root.headers['cache-control'], 'no-cache');
    assert.equal(root.headers.etag, `"${sha(INDEX)}"`);
    assert.equal(root.headers.vary, 'Accept-Encoding');
    // Public static content: no API request ids or CORS headers on the hot path.
    assert.equal(root.headers['x-amzn-requestid'], undefined);
    assert.equal(root.headers['access-control-expose-headers'], undefined);
    assert.equal(root.headers['x-content-type-options'], 'nosniff');

    // Never on the API's origin: a site's script there could call the cloud's APIs as that origin.
    const byPath = await send(h.port, { path: '/sites/myapp-dev/' });
    assert.equal(byPath.status, 404);
    assert.notEqual(byPath.body.toString(), INDEX);

    const cases: [string, string, string][] = [
      ['/static/js/main.3f9a1c2b.js', 'text/javascript; charset=utf-8', 'public, max-age=31536000, immutable'],
      ['/assets/index-Bx5a9Qz7.css', 'text/css; charset=utf-8', 'public, max-age=31536000, immutable'],
      ['/style.css', 'text/css; charset=utf-8', 'public, max-age=0, must-revalidate'],
      ['/logo.png', 'image/png', 'public, max-age=0, must-revalidate'],
      ['/data.unknownext', 'application/octet-stream', 'public, max-age=0, must-revalidate'],
      ['/robots.txt', 'text/plain; charset=utf-8', 'public, max-age=0, must-revalidate'],
    ];
    for (const [path, type, cache] of cases) {
      const reply = await send(h.port, { path, headers: { host: host(h) } });
      assert.equal(reply.status, 200, path);
      assert.equal(reply.headers['content-type'], type, path);
      assert.equal(reply.headers['cache-control'], cache, path);
    }
    const png = await send(h.port, { path: '/logo.png', headers: { host: host(h), 'accept-encoding': 'br, gzip' } });
    assert.deepEqual(png.body, PNG);
    assert.equal(png.headers['content-encoding'], undefined, 'images are not recompressed');

    // A site's own paths win over the cloud's service prefixes when the request names the site's host.
    const shadowed = await send(h.port, { path: '/s3/report.json', headers: { host: host(h) } });
    assert.equal(shadowed.status, 200);
    assert.equal(shadowed.body.toString(), '{"site":true}');

    const folder = await send(h.port, { path: '/docs/', headers: { host: host(h) } });
    assert.equal(folder.body.toString(), '<p>docs</p>');
    const folderNoSlash = await send(h.port, { path: '/docs', headers: { host: host(h) } });
    assert.equal(folderNoSlash.status, 301);
    assert.equal(folderNoSlash.headers.location, '/docs/');

    const range = await send(h.port, { path: '/logo.png', headers: { host: host(h), range: 'bytes=2-5' } });
    assert.equal(range.status, 206);
    assert.equal(range.headers['content-range'], `bytes 2-5/${PNG.length}`);
    assert.deepEqual(range.body, PNG.subarray(2, 6));
    const tail = await send(h.port, { path: '/logo.png', headers: { host: host(h), range: 'bytes=-3' } });
    assert.deepEqual(tail.body, PNG.subarray(PNG.length - 3));
    const beyond = await send(h.port, { path: '/logo.png', headers: { host: host(h), range: `bytes=${PNG.length}-` } });
    assert.equal(beyond.status, 416);
    assert.equal(beyond.headers['content-range'], `bytes */${PNG.length}`);

    // A file above the body cache, whole and in ranges, byte for byte.
    const clip = await send(h.port, { path: '/media/clip.bin', headers: { host: host(h) } });
    assert.equal(clip.status, 200);
    assert.equal(clip.headers['content-length'], String(CLIP.length));
    assert.equal(sha(clip.body), sha(CLIP));
    for (const [start, end] of [
      [1_000_000, 2_600_000],
      [CLIP.length - 7, CLIP.length - 1],
    ] as const) {
      const part = await send(h.port, { path: '/media/clip.bin', headers: { host: host(h), range: `bytes=${start}-${end}` } });
      assert.equal(part.status, 206);
      assert.equal(sha(part.body), sha(CLIP.subarray(start, end + 1)), `bytes ${start}-${end}`);
    }

    const head = await send(h.port, { method: 'HEAD', path: '/style.css', headers: { host: host(h) } });
    assert.equal(head.status, 200);
    assert.equal(head.headers['content-length'], '4');
    assert.equal(head.body.length, 0);
    const post = await send(h.port, { method: 'POST', path: '/', headers: { host: host(h) } });
    assert.equal(post.status, 405);
    assert.equal(post.headers.allow, 'GET, HEAD');

    const unknown = await send(h.port, { path: '/', headers: { host: `nosuch-dev.localhost:${h.port}` } });
    assert.equal(unknown.status, 404);
    assert.match(unknown.body.toString(), /No site is named nosuch-dev/);
  });

  void it('falls back to index.html for app routes and answers 404 for missing assets', async () => {
    const route = await send(h.port, { path: '/users/42', headers: { host: host(h) } });
    assert.equal(route.status, 200);
    assert.equal(route.body.toString(), INDEX);
    assert.equal(route.headers['cache-control'], 'no-cache');
    const page = await send(h.port, { path: '/old-page.php', headers: { host: host(h), accept: 'text/html,application/xhtml+xml;q=0.9' } });
    assert.equal(page.status, 200);
    assert.equal(page.body.toString(), INDEX);
    const asset = await send(h.port, { path: '/static/js/missing.js', headers: { host: host(h), accept: '*/*' } });
    assert.equal(asset.status, 404);
    assert.match(asset.body.toString(), /Not found: \/static\/js\/missing\.js/);

    const withPage = await h.sites.create({ AppId: 'app5', EnvName: 'dev' }, resourceContext('errs', 'dev'));
    await deploy(h.port, withPage.physicalId, { 'index.html': '<p>home</p>', '404.html': '<p>lost</p>' });
    const errs = { host: `errs-dev.localhost:${h.port}` };
    const custom = await send(h.port, { path: '/img/missing.png', headers: errs });
    assert.equal(custom.status, 404);
    assert.equal(custom.body.toString(), '<p>lost</p>', "the site's own 404.html");
    assert.equal(custom.headers['content-type'], 'text/html; charset=utf-8');
    assert.equal(custom.headers['cache-control'], 'no-cache');
    const spa = await send(h.port, { path: '/account/settings', headers: errs });
    assert.equal(spa.body.toString(), '<p>home</p>');
  });

  void it('answers 304 to a matching If-None-Match', async () => {
    const first = await send(h.port, { path: '/style.css', headers: { host: host(h) } });
    const etag = String(first.headers.etag);
    const again = await send(h.port, { path: '/style.css', headers: { host: host(h), 'if-none-match': `W/"nope", ${etag}` } });
    assert.equal(again.status, 304);
    assert.equal(again.body.length, 0);
    assert.equal(again.headers.etag, etag);
    const changed = await send(h.port, { path: '/style.css', headers: { host: host(h), 'if-none-match': '"other"' } });
    assert.equal(changed.status, 200);
  });

  void it('serves precomputed brotli and gzip variants with Vary', async () => {
    // Variants are computed right after a deployment goes live; until then files are sent as they are.
    const deadline = Date.now() + 5000;
    let br = await send(h.port, { path: '/static/js/main.3f9a1c2b.js', headers: { host: host(h), 'accept-encoding': 'gzip, deflate, br' } });
    while (br.headers['content-encoding'] === undefined && Date.now() < deadline) {
      assert.equal(br.body.toString(), BIG_JS);
      await new Promise((resolve) => setTimeout(resolve, 20));
      br = await send(h.port, { path: '/static/js/main.3f9a1c2b.js', headers: { host: host(h), 'accept-encoding': 'gzip, deflate, br' } });
    }
    assert.equal(br.headers['content-encoding'], 'br');
    assert.equal(br.headers.vary, 'Accept-Encoding');
    assert.ok(br.body.length < BIG_JS.length / 10);
    assert.equal(brotliDecompressSync(br.body).toString(), BIG_JS);
    assert.equal(Number(br.headers['content-length']), br.body.length);
    const gz = await send(h.port, { path: '/static/js/main.3f9a1c2b.js', headers: { host: host(h), 'accept-encoding': 'gzip' } });
    assert.equal(gz.headers['content-encoding'], 'gzip');
    assert.equal(gunzipSync(gz.body).toString(), BIG_JS);
    const refusedBr = await send(h.port, { path: '/static/js/main.3f9a1c2b.js', headers: { host: host(h), 'accept-encoding': 'br;q=0, gzip' } });
    assert.equal(refusedBr.headers['content-encoding'], 'gzip');
    const plain = await send(h.port, { path: '/static/js/main.3f9a1c2b.js', headers: { host: host(h) } });
    assert.equal(plain.headers['content-encoding'], undefined);
    assert.equal(plain.body.toString(), BIG_JS);
    const small = await send(h.port, { path: '/style.css', headers: { host: host(h), 'accept-encoding': 'br' } });
    assert.equal(small.headers['content-encoding'], undefined, 'files of 1 KiB or less are sent as they are');
    const stored = await h.blobs.stat(`hosting/${siteId}/${sha(BIG_JS)}-br`);
    assert.ok(stored && stored.size === br.body.length, 'the variant is stored, not computed per request');
  });

  void it('refuses traversal attempts with 400', async () => {
    const attempts = [
      '/../index.html',
      '/%2e%2e/index.html',
      '/static/..%2F..%2Findex.html',
      '/a%5Cb.js',
      '/a\\b.js',
      '/x%00.html',
      '/%E0%A4%A',
      '/./index.html',
    ];
    for (const path of attempts) {
      const reply = await send(h.port, { path, headers: { host: host(h) } });
      assert.equal(reply.status, 400, `${path} → ${reply.status}`);
    }
    const encodedSlash = await send(h.port, { path: '/static%2Fjs%2Fmain.3f9a1c2b.js', headers: { host: host(h) } });
    assert.equal(encodedSlash.status, 200, 'an encoded slash is decoded once and looked up in the manifest');
  });

  void it('stores a batch of small blobs, and nothing from a batch with a bad frame', async () => {
    const frame = (body: string, declared = sha(body)): Buffer => Buffer.concat([Buffer.from(`${declared} ${Buffer.byteLength(body)}\n`), Buffer.from(body)]);
    const path = `/hosting-api/sites/${siteId}/blob-batch`;
    const good = await send(h.port, { method: 'POST', path, body: Buffer.concat([frame('batch one'), frame('batch two'), frame('batch one')]), signed: true });
    assert.equal(good.status, 200, good.body.toString());
    assert.deepEqual(JSON.parse(good.body.toString()), { stored: 2, present: 1 });
    assert.equal((await h.blobs.stat(`hosting/${siteId}/${sha('batch two')}`))?.size, 'batch two'.length);

    const bad = await send(h.port, { method: 'POST', path, body: Buffer.concat([frame('batch three'), frame('batch four', sha('not four'))]), signed: true });
    assert.equal(bad.status, 400);
    assert.equal(JSON.parse(bad.body.toString()).__type, 'BadDigest');
    assert.equal(await h.blobs.stat(`hosting/${siteId}/${sha('batch three')}`), undefined, 'a bad batch stores nothing');

    const truncated = await send(h.port, { method: 'POST', path, body: Buffer.from(`${sha('x')} 10\nx`), signed: true });
    assert.equal(truncated.status, 400);
    assert.match(JSON.parse(truncated.body.toString()).message, /body ends first/);
    const unsigned = await send(h.port, { method: 'POST', path, body: frame('batch five') });
    assert.equal(unsigned.status, 403);
  });

  void it('refuses bad uploads and starting a deployment with missing blobs', async () => {
    const files = { 'index.html': 'v-missing', 'app.js': 'let a = 1;' };
    const list = Object.entries(files).map(([path, content]) => ({ path, sha256: sha(content), size: content.length }));
    const created = await api<Created>(h.port, 'CreateDeployment', { siteId, files: list });
    assert.deepEqual([...created.body.missing].sort(), list.map((f) => f.sha256).sort());
    const refused = await api<{ __type: string; message: string }>(h.port, 'StartDeployment', { siteId, deploymentId: created.body.deployment.deploymentId });
    assert.equal(refused.status, 400);
    assert.equal(refused.body.__type, 'ValidationException');
    assert.match(refused.body.message, /^2 file\(s\) .* not uploaded yet \(for example (index\.html|app\.js)\)/);

    const hash = sha('v-missing');
    const wrong = await send(h.port, {
      method: 'PUT',
      path: hostingBlobPath(siteId, hash),
      headers: { 'x-amz-content-sha256': hash },
      body: 'tampered',
      signed: true,
    });
    assert.equal(wrong.status, 400);
    assert.equal(JSON.parse(wrong.body.toString()).__type, 'BadDigest');
    assert.equal(await h.blobs.stat(`hosting/${siteId}/${hash}`), undefined, 'a bad body is not kept');
    const undeclared = await send(h.port, { method: 'PUT', path: hostingBlobPath(siteId, hash), headers: {}, body: 'v-missing', signed: 'without-checksum' });
    assert.equal(undeclared.status, 400);
    assert.match(JSON.parse(undeclared.body.toString()).message, /x-amz-content-sha256/);
    const lying = await api<{ __type: string; message: string }>(h.port, 'CreateDeployment', {
      siteId,
      files: [{ path: 'index.html', sha256: sha(INDEX), size: 3 }],
    });
    const refusedSize = await api<{ __type: string; message: string }>(h.port, 'StartDeployment', {
      siteId,
      deploymentId: (lying.body as unknown as Created).deployment.deploymentId,
    });
    assert.equal(refusedSize.status, 400);
    assert.match(refusedSize.body.message, /index\.html is listed with size 3/);
    const anonymous = await send(h.port, { method: 'PUT', path: hostingBlobPath(siteId, hash), body: 'v-missing' });
    assert.equal(anonymous.status, 403);
    const noSite = await send(h.port, {
      method: 'PUT',
      path: hostingBlobPath('site-nope', hash),
      headers: { 'x-amz-content-sha256': hash },
      body: 'v-missing',
      signed: true,
    });
    assert.equal(noSite.status, 404);

    const traversal = await api<{ __type: string; message: string }>(h.port, 'CreateDeployment', {
      siteId,
      files: [{ path: '../etc/passwd', sha256: hash, size: 1 }],
    });
    assert.equal(traversal.status, 400);
    assert.match(traversal.body.message, /\.\." segment/);
    const live = await send(h.port, { path: '/', headers: { host: host(h) } });
    assert.equal(live.body.toString(), INDEX, 'the refused deployment never went live');
  });

  void it('switches atomically and uploads nothing for unchanged files', async () => {
    const site = await h.sites.create({ AppId: 'app2', EnvName: 'prod' }, resourceContext('shop', 'prod'));
    const shop = `shop-prod.localhost:${h.port}`;
    const v1 = { 'index.html': '<h1>one</h1>', 'app.js': 'console.log(1)' };
    const first = await deploy(h.port, site.physicalId, v1);
    assert.equal(first.uploaded, 2);
    const again = await deploy(h.port, site.physicalId, v1);
    assert.equal(again.uploaded, 0, 'a second deploy of the same files uploads nothing');

    const pending = await deploy(h.port, site.physicalId, { 'index.html': '<h1>two</h1>', 'app.js': 'console.log(1)' }, { start: false });
    assert.equal(pending.uploaded, 1);
    assert.equal((await send(h.port, { path: '/', headers: { host: shop } })).body.toString(), '<h1>one</h1>', 'old content until the switch');
    await api(h.port, 'StartDeployment', { siteId: site.physicalId, deploymentId: pending.deploymentId });
    assert.equal((await send(h.port, { path: '/', headers: { host: shop } })).body.toString(), '<h1>two</h1>', 'new content right after');

    const listed = await api<{ deployments: { deploymentId: string; status: string }[] }>(h.port, 'ListDeployments', { siteId: site.physicalId });
    assert.deepEqual(
      listed.body.deployments.map((d) => d.status),
      ['ACTIVE', 'SUPERSEDED', 'SUPERSEDED'],
    );
    assert.equal(listed.body.deployments[0]!.deploymentId, pending.deploymentId);
    // Starting an older deployment again rolls back to it.
    await api(h.port, 'StartDeployment', { siteId: site.physicalId, deploymentId: first.deploymentId });
    assert.equal((await send(h.port, { path: '/', headers: { host: shop } })).body.toString(), '<h1>one</h1>');
  });

  void it('keeps the last 10 deployments and deletes blobs none of them uses', async () => {
    const site = await h.sites.create({ AppId: 'app3', EnvName: 'dev' }, resourceContext('blog', 'dev'));
    const firstPage = '<p>page 0</p>';
    for (let i = 0; i < 12; i++) await deploy(h.port, site.physicalId, { 'index.html': `<p>page ${i}</p>`, 'same.css': 'a{}' });
    const listed = await api<{ deployments: { number: number }[] }>(h.port, 'ListDeployments', { siteId: site.physicalId });
    assert.deepEqual(
      listed.body.deployments.map((d) => d.number),
      [12, 11, 10, 9, 8, 7, 6, 5, 4, 3],
      'the two oldest are forgotten; their numbers are not reused',
    );
    assert.equal(await h.blobs.stat(`hosting/${site.physicalId}/${sha(firstPage)}`), undefined, 'the oldest page blob is gone');
    assert.ok(await h.blobs.stat(`hosting/${site.physicalId}/${sha('<p>page 2</p>')}`), 'blobs of kept deployments stay');
    assert.ok(await h.blobs.stat(`hosting/${site.physicalId}/${sha('a{}')}`));
  });

  void it('lists deployments numbered, with their size and whether they can go live', async () => {
    const site = await h.sites.create({ AppId: 'app7', EnvName: 'dev' }, resourceContext('sizes', 'dev'));
    const first = await deploy(h.port, site.physicalId, { 'index.html': '<p>one</p>', 'a.css': 'a{}' });
    const unfinished = await deploy(h.port, site.physicalId, { 'index.html': '<p>never uploaded</p>' }, { start: false });
    type Listing = {
      deployments: { deploymentId: string; number: number; totalBytes: number; restorable: boolean; status: string }[];
      keptDeployments: number;
    };
    const listing = async (): Promise<Listing> => (await api<Listing>(h.port, 'ListDeployments', { siteId: site.physicalId })).body;
    // The unfinished one's blob is uploaded by deploy() above; a third that lists a body nobody uploads:
    const created = await api<Created>(h.port, 'CreateDeployment', {
      siteId: site.physicalId,
      files: [{ path: 'index.html', sha256: sha('<p>never sent</p>'), size: 17 }],
    });
    const listed = await listing();
    assert.equal(listed.keptDeployments, 10);
    assert.deepEqual(
      listed.deployments.map((d) => [d.deploymentId, d.number, d.status, d.totalBytes, d.restorable]),
      [
        [created.body.deployment.deploymentId, 3, 'PENDING', 17, false],
        [unfinished.deploymentId, 2, 'PENDING', '<p>never uploaded</p>'.length, true],
        [first.deploymentId, 1, 'ACTIVE', '<p>one</p>a{}'.length, true],
      ],
    );
    const refused = await api<{ __type: string }>(h.port, 'StartDeployment', { siteId: site.physicalId, deploymentId: created.body.deployment.deploymentId });
    assert.equal(refused.status, 400, 'what is not restorable does not start');
  });

  void it("the console's pipe reaches the deploy API as the admin, and nothing reaches it without a session and its CSRF token", async () => {
    const site = await h.sites.create({ AppId: 'app8', EnvName: 'dev' }, resourceContext('piped', 'dev'));
    const piped = `piped-dev.localhost:${h.port}`;
    const first = await deploy(h.port, site.physicalId, { 'index.html': '<p>first</p>' });
    await deploy(h.port, site.physicalId, { 'index.html': '<p>second</p>' });
    const signIn = await send(h.port, {
      method: 'POST',
      path: CONSOLE_SESSION_PATH,
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify({ accessKeyId: h.cloud.adminCredentials.accessKeyId, secretAccessKey: h.cloud.adminCredentials.secretAccessKey }),
    });
    assert.equal(signIn.status, 200, signIn.body.toString());
    const cookie = String(signIn.headers['set-cookie']).split(';')[0]!;
    const { csrfToken } = JSON.parse(signIn.body.toString()) as { csrfToken: string };
    const pipe = (operation: string, input: unknown, headers: Record<string, string>): Promise<Reply> =>
      send(h.port, {
        method: 'POST',
        path: `${CONSOLE_PIPE_PATH}hosting-api/`,
        headers: { 'content-type': 'application/x-amz-json-1.1', 'x-amz-target': `ForteHosting.${operation}`, ...headers },
        body: JSON.stringify(input),
      });
    const rollBack = { siteId: site.physicalId, deploymentId: first.deploymentId };
    assert.equal((await pipe('StartDeployment', rollBack, { cookie })).status, 403, 'no CSRF token');
    assert.equal((await pipe('StartDeployment', rollBack, { [CONSOLE_CSRF_HEADER]: csrfToken })).status, 401, 'no session');
    assert.equal((await pipe('StartDeployment', rollBack, { cookie: 'forte_console=forged', [CONSOLE_CSRF_HEADER]: csrfToken })).status, 401);
    assert.equal((await send(h.port, { path: '/', headers: { host: piped } })).body.toString(), '<p>second</p>', 'nothing refused went live');

    const listed = await pipe('ListDeployments', { siteId: site.physicalId }, { cookie, [CONSOLE_CSRF_HEADER]: csrfToken });
    assert.equal(listed.status, 200, listed.body.toString());
    assert.deepEqual(
      (JSON.parse(listed.body.toString()) as { deployments: { number: number }[] }).deployments.map((d) => d.number),
      [2, 1],
    );
    const started = await pipe('StartDeployment', rollBack, { cookie, [CONSOLE_CSRF_HEADER]: csrfToken });
    assert.equal(started.status, 200, started.body.toString());
    assert.equal((await send(h.port, { path: '/', headers: { host: piped } })).body.toString(), '<p>first</p>', 'rolled back');
  });

  void it('deletes a site with its deployments and blobs', async () => {
    const ctx = resourceContext('gone', 'dev');
    const site = await h.sites.create({ AppId: 'app4', EnvName: 'dev' }, ctx);
    await deploy(h.port, site.physicalId, { 'index.html': '<p>bye</p>' });
    const gone = { host: `gone-dev.localhost:${h.port}` };
    assert.equal((await send(h.port, { path: '/', headers: gone })).status, 200);
    assert.equal(await h.sites.storedData!.count(site.physicalId, {}), 1, 'the live files are counted before the delete');
    await h.sites.delete(site.physicalId, { AppId: 'app4', EnvName: 'dev' }, ctx);
    assert.equal(await h.sites.storedData!.count(site.physicalId, {}), 0);
    assert.equal((await send(h.port, { path: '/', headers: gone })).status, 404);
    assert.equal(await h.blobs.stat(`hosting/${site.physicalId}/${sha('<p>bye</p>')}`), undefined);
    const got = await api<{ __type: string }>(h.port, 'GetSite', { siteId: site.physicalId });
    assert.equal(got.status, 404);
    await h.sites.delete(site.physicalId, { AppId: 'app4', EnvName: 'dev' }, ctx); // idempotent
  });
});
