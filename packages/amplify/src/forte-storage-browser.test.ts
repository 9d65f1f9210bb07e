import assert from 'node:assert/strict';
import { createHash } from 'node:crypto';
import { existsSync, mkdtempSync, readdirSync, readFileSync, rmSync } from 'node:fs';
import { createServer, type Server } from 'node:http';
import { tmpdir } from 'node:os';
import { extname, join } from 'node:path';
import { after, before, describe, it } from 'node:test';
import { fileURLToPath } from 'node:url';
import { GetRecordsCommand, GetShardIteratorCommand, KinesisClient } from '@aws-sdk/client-kinesis';
import { HeadObjectCommand, type S3Client } from '@aws-sdk/client-s3';
import { HOSTING_API_PATH, HOSTING_TARGET_PREFIX, RESOURCE_TYPES, SIGNING_SERVICE, hostingBlobPath } from '@forte/protocol';
import type { TestCloud } from '@forte/testing';
import { Hash } from '@smithy/hash-node';
import { SignatureV4 } from '@smithy/signature-v4';
import * as esbuild from 'esbuild';
import { chromium, type Browser, type Page } from 'playwright-core';
import { BUCKET, STREAM, startStorageBackend } from './storage-backend.test-helper.js';

const CHROMIUM = process.env.FORTE_CHROMIUM ?? '/usr/bin/chromium';
const CHROMIUM_ARGS = ['--headless', '--no-sandbox', '--disable-gpu', '--disable-background-networking', '--disable-quic', '--no-first-run', '--disable-sync'];
const APP = fileURLToPath(new URL('../test-app/', import.meta.url));
const MiB = 1024 * 1024;
/** A 1×1 PNG. */
const PIXEL = 'iVBORw0KGgoAAAANSUhEUgAAAAEAAAABCAYAAAAfFcSJAAAADUlEQVR42mP8z8BQDwAEhQGAhKmMIQAAAABJRU5ErkJggg==';

const skip = existsSync(CHROMIUM) ? undefined : `no Chromium at ${CHROMIUM} (apt-get install -y chromium, or set FORTE_CHROMIUM)`;
if (skip) console.log(`# skipped: the Storage browser test: ${skip}`);

/** What the page puts on `window.storage` (test-app/main.jsx). */
interface PageStorage {
  uploadData: typeof import('aws-amplify/storage').uploadData;
  downloadData: typeof import('aws-amplify/storage').downloadData;
  getUrl: typeof import('aws-amplify/storage').getUrl;
  list: typeof import('aws-amplify/storage').list;
  storageUrl: (url: URL | string) => string;
}

/** An `<img>` of the page. */
interface PageImage {
  src: string;
  naturalWidth: number;
  complete: boolean;
  onload: (() => void) | null;
  onerror: (() => void) | null;
}

// The page's globals, for the functions that run in it (this package is typed without the DOM library).
declare const window: {
  storage: PageStorage & { uploaded: string[]; failed: string[] };
  analytics: {
    record: typeof import('aws-amplify/analytics/kinesis').record;
    flushEvents: typeof import('aws-amplify/analytics/kinesis').flushEvents;
  };
  percentages: number[];
  showStorageImage(path: string): void;
};
declare const document: {
  body: { innerText: string; append(node: PageImage): void };
  createElement(tag: 'img'): PageImage;
  querySelector(selector: string): PageImage | null;
};
declare const MutationObserver: new (callback: () => void) => { observe(target: unknown, options: object): void };

const TYPES: Record<string, string> = { '.html': 'text/html', '.js': 'text/javascript', '.css': 'text/css', '.json': 'application/json' };

/** A dev server on a port of its own (another origin than the cloud's): the built page and amplify_outputs.json. */
async function serveApp(dir: string, outputs: unknown): Promise<{ server: Server; url: string }> {
  const server = createServer((req, res) => {
    const path = (req.url ?? '/').split('?')[0]!;
    if (path === '/amplify_outputs.json') {
      res.writeHead(200, { 'content-type': TYPES['.json']! }).end(JSON.stringify(outputs));
      return;
    }
    const file = join(dir, path === '/' ? 'index.html' : path.slice(1));
    if (!/^\/[\w.-]*$/.test(path) || !existsSync(file)) {
      res.writeHead(404).end();
      return;
    }
    res.writeHead(200, { 'content-type': TYPES[extname(file)] ?? 'application/octet-stream' }).end(readFileSync(file));
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as { port: number };
  return { server, url: `http://127.0.0.1:${port}/` };
}

/** Publishes `files` as a Forte hosting site (as `forte publish` does: CreateDeployment, the blobs, StartDeployment); answers its URL. */
async function publishSite(cloud: TestCloud, files: Record<string, Buffer>): Promise<string> {
  const site = await cloud.kernel.resourceHandler(RESOURCE_TYPES.hostingSite)!.create({ AppId: 'storageapp', EnvName: 'dev' }, {
    appId: 'storageapp',
    appSlug: 'storageapp',
    envName: 'dev',
    stackName: 'amplify-storageapp-dev-hosting',
    logicalId: 'Site',
    region: 'us-east-1',
    accountId: cloud.kernel.config.accountId,
    log: cloud.kernel.log,
  } as never);
  const siteId = site.physicalId;
  const signer = new SignatureV4({
    service: SIGNING_SERVICE,
    region: cloud.credentials.region,
    credentials: cloud.credentials,
    sha256: Hash.bind(null, 'sha256'),
  });
  const send = async (method: string, path: string, headers: Record<string, string>, body: Buffer | string): Promise<Response> => {
    const url = new URL(path, cloud.url);
    const signed = await signer.sign({
      method,
      protocol: url.protocol,
      hostname: url.hostname,
      port: Number(url.port),
      path: url.pathname,
      headers: { host: url.host, ...headers },
      body,
    });
    const response = await fetch(url, { method, headers: signed.headers, body });
    assert.equal(response.status, 200, await response.clone().text());
    return response;
  };
  const call = async (operation: string, input: unknown): Promise<Record<string, unknown>> =>
    (await (
      await send(
        'POST',
        HOSTING_API_PATH,
        { 'content-type': 'application/x-amz-json-1.1', 'x-amz-target': `${HOSTING_TARGET_PREFIX}${operation}` },
        JSON.stringify(input),
      )
    ).json()) as Record<string, unknown>;
  const sha = (data: Buffer): string => createHash('sha256').update(data).digest('hex');
  const list = Object.entries(files).map(([path, content]) => ({ path, sha256: sha(content), size: content.length }));
  const created = (await call('CreateDeployment', { siteId, files: list })) as { deployment: { deploymentId: string }; missing: string[] };
  for (const hash of created.missing) {
    const content = Object.values(files).find((c) => sha(c) === hash)!;
    await send('PUT', hostingBlobPath(siteId, hash), { 'x-amz-content-sha256': hash }, content);
  }
  await call('StartDeployment', { siteId, deploymentId: created.deployment.deploymentId });
  return String(site.attributes.Url);
}

void describe('aws-amplify Storage and Amplify UI in Chromium, from a dev server on another port and from Forte hosting', { skip }, () => {
  let cloud: TestCloud;
  let admin: S3Client;
  let outputs: Record<string, unknown>;
  let out: string;
  let dev: { server: Server; url: string };
  let browser: Browser;
  let page: Page;
  const pageErrors: string[] = [];

  before(async () => {
    const backend = await startStorageBackend();
    ({ cloud, admin, outputs } = backend);
    out = mkdtempSync(join(tmpdir(), 'forte-storage-app-'));
    await esbuild.build({
      entryPoints: [join(APP, 'main.jsx')],
      outdir: out,
      entryNames: 'app',
      bundle: true,
      format: 'esm',
      platform: 'browser',
      target: 'es2022',
      jsx: 'automatic',
      define: { 'process.env.NODE_ENV': '"production"' },
      logLevel: 'error',
    });
    await esbuild.build({ entryPoints: [join(APP, 'index.html')], outdir: out, loader: { '.html': 'copy' }, logLevel: 'error' });
    dev = await serveApp(out, backend.outputs);
    browser = await chromium.launch({ executablePath: CHROMIUM, args: CHROMIUM_ARGS });
    page = await openApp(dev.url);
  });

  /** The app at `url` in a new browser context, with every percentage FileUploader shows ("Uploading: 42%") kept. */
  async function openApp(url: string): Promise<Page> {
    const opened = await (await browser.newContext()).newPage();
    // Uploads at 8 MiB/s, as over a fast network: on a quick machine a loopback upload of 7 MiB would finish
    // between two renders, and the progress FileUploader shows in between could not be seen.
    const cdp = await opened.context().newCDPSession(opened);
    await cdp.send('Network.emulateNetworkConditions', { offline: false, latency: 0, downloadThroughput: -1, uploadThroughput: 8 * MiB });
    opened.on('pageerror', (error) => pageErrors.push(error.message));
    await opened.addInitScript(() => {
      const seen: number[] = [];
      window.percentages = seen;
      new MutationObserver(() => {
        for (const match of document.body.innerText.matchAll(/Uploading: (\d+)%/g)) seen.push(Number(match[1]));
      }).observe(document, { subtree: true, childList: true, characterData: true });
    });
    await opened.goto(url);
    await opened.waitForSelector('body[data-ready="true"]');
    return opened;
  }

  /** Picks a multipart-sized file and a small one in FileUploader and checks both reach the bucket, with progress shown. */
  async function uploadWithFileUploader(on: Page, suffix: string): Promise<void> {
    const big = Buffer.alloc(7 * MiB, 7);
    await on.setInputFiles('input[type="file"]', [
      { name: `big-${suffix}.bin`, mimeType: 'application/octet-stream', buffer: big },
      { name: `hello-${suffix}.txt`, mimeType: 'text/plain', buffer: Buffer.from('hello from Chromium') },
    ]);
    await on.waitForFunction(() => new Set(window.storage.uploaded).size === 2 || window.storage.failed.length > 0, undefined, { timeout: 60_000 });
    const state = await on.evaluate(() => ({
      uploaded: [...new Set(window.storage.uploaded)].sort(),
      failed: window.storage.failed,
      percentages: window.percentages,
    }));
    assert.deepEqual(state.failed, []);
    assert.deepEqual(state.uploaded, [`public/uploads/big-${suffix}.bin`, `public/uploads/hello-${suffix}.txt`]);
    assert.ok(
      state.percentages.some((p) => p > 0 && p < 100),
      `FileUploader showed progress between 0 and 100%: ${state.percentages.join(',')}`,
    );
    const head = await admin.send(new HeadObjectCommand({ Bucket: BUCKET, Key: `public/uploads/big-${suffix}.bin` }));
    assert.equal(head.ContentLength, big.length);
    assert.match(head.ETag ?? '', /-2"$/, 'a multipart upload of two parts');
    assert.equal((await admin.send(new HeadObjectCommand({ Bucket: BUCKET, Key: `public/uploads/hello-${suffix}.txt` }))).ContentLength, 19);
    assert.deepEqual(pageErrors, []);
  }

  after(async () => {
    await browser?.close();
    await new Promise((resolve) => dev?.server.close(resolve));
    admin?.destroy();
    await cloud?.close();
    if (out) rmSync(out, { recursive: true, force: true });
  });

  void it("uploads through FileUploader (a multipart file and a small one) with progress; the objects are in the cloud's bucket", async () => {
    await uploadWithFileUploader(page, 'dev');
  });

  void it('uploads and downloads with progress events through XMLHttpRequest; the guest role refuses what it does not grant', async () => {
    const result = await page.evaluate(async (size) => {
      const { storage } = window;
      const up: number[] = [];
      await storage.uploadData({ path: 'public/page.bin', data: new Blob([new Uint8Array(size)]), options: { onProgress: (e) => up.push(e.transferredBytes) } })
        .result;
      const down: number[] = [];
      const body = await (
        await storage.downloadData({ path: 'public/page.bin', options: { onProgress: (e) => down.push(e.transferredBytes) } }).result
      ).body.blob();
      const refused = async (call: Promise<unknown>): Promise<string> =>
        call.then(
          () => 'allowed',
          (error: Error) => error.name,
        );
      return {
        up,
        down,
        size: body.size,
        list: await refused(storage.list({ path: 'public/uploads/' })),
        privateUpload: await refused(storage.uploadData({ path: 'private/someone/x.txt', data: 'x' }).result),
      };
    }, 6 * MiB);
    assert.equal(result.size, 6 * MiB);
    assert.equal(result.up.at(-1), 6 * MiB);
    assert.equal(result.down.at(-1), 6 * MiB);
    assert.ok(result.up.length >= 2 && result.down.length >= 1, `progress events: up ${result.up.join(',')} down ${result.down.join(',')}`);
    assert.equal(result.list, 'AccessDenied', 'the guest role has no s3:ListBucket');
    assert.equal(result.privateUpload, 'AccessDenied');
  });

  void it("sends aws-amplify's Kinesis analytics events to the cloud's stream, signed for AWS, with the guest's credentials", async () => {
    await page.evaluate((stream) => {
      window.analytics.record({ streamName: stream, partitionKey: 'page', data: { clicked: 'upload' } });
      window.analytics.record({ streamName: stream, partitionKey: 'page', data: { clicked: 'download' } });
      window.analytics.flushEvents();
    }, STREAM);
    const kinesis = new KinesisClient({ endpoint: cloud.url, region: 'us-east-1', credentials: cloud.credentials, maxAttempts: 1 });
    try {
      const { ShardIterator } = await kinesis.send(
        new GetShardIteratorCommand({ StreamName: STREAM, ShardId: 'shardId-000000000000', ShardIteratorType: 'TRIM_HORIZON' }),
      );
      const seen: string[] = [];
      for (let tries = 0; seen.length < 2 && tries < 100; tries++) {
        const page = await kinesis.send(new GetRecordsCommand({ ShardIterator }));
        seen.splice(0, seen.length, ...(page.Records ?? []).map((r) => Buffer.from(r.Data ?? []).toString('utf8')));
        if (seen.length < 2) await new Promise((resolve) => setTimeout(resolve, 100));
      }
      assert.deepEqual(seen, ['{"clicked":"upload"}', '{"clicked":"download"}']);
    } finally {
      kinesis.destroy();
    }
    assert.deepEqual(pageErrors, []);
  });

  void it("shows presigned getUrl URLs in <img> elements, set by the page or by Amplify UI's StorageImage", async () => {
    const loaded = await page.evaluate(async (pixel) => {
      const { storage } = window;
      const bytes = Uint8Array.from(atob(pixel), (c) => c.charCodeAt(0));
      await storage.uploadData({ path: 'public/pixel.png', data: new Blob([bytes], { type: 'image/png' }) }).result;
      const { url } = await storage.getUrl({ path: 'public/pixel.png', options: { validateObjectExistence: true, expiresIn: 300 } });
      const img = document.createElement('img');
      const width = await new Promise<number>((resolve) => {
        img.onload = () => resolve(img.naturalWidth);
        img.onerror = () => resolve(-1);
        img.src = url.toString();
        document.body.append(img);
      });
      window.showStorageImage('public/pixel.png');
      return { host: url.host, src: img.src, width, forPage: storage.storageUrl(url) };
    }, PIXEL);
    assert.equal(loaded.host, `${BUCKET}.s3.us-east-1.amazonaws.com`, 'aws-amplify presigns for the AWS host');
    assert.ok(loaded.src.startsWith(`${cloud.url}/s3-aws/${BUCKET}.s3.us-east-1.amazonaws.com/public/pixel.png?`), loaded.src);
    assert.equal(loaded.forPage, loaded.src);
    assert.equal(loaded.width, 1);
    const storageImage = page.locator('img[alt="public/pixel.png"]');
    await storageImage.waitFor();
    await page.waitForFunction(() => {
      const img = document.querySelector('img[alt="public/pixel.png"]');
      return img !== null && img.complete && img.naturalWidth > 0;
    });
    assert.ok((await storageImage.getAttribute('src'))?.startsWith(`${cloud.url}/s3-aws/`));
    assert.deepEqual(pageErrors, []);
  });

  void it('does the same from the app published on Forte hosting (its own origin, <app>-<env>.localhost)', async () => {
    const files: Record<string, Buffer> = {};
    for (const name of readdirSync(out)) files[name] = readFileSync(join(out, name));
    files['amplify_outputs.json'] = Buffer.from(JSON.stringify(outputs));
    const url = await publishSite(cloud, files);
    assert.match(url, /^http:\/\/[a-z0-9-]+\.localhost:\d+\/$/);
    const hosted = await openApp(url);
    await uploadWithFileUploader(hosted, 'hosted');
    await hosted.context().close();
  });
});
