import assert from 'node:assert/strict';
import { chmod, mkdir, mkdtemp, readdir, readFile, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { after, before, describe, it } from 'node:test';
import { awsSdkPackagesUsed, ensureAwsSdkModules, npmCommand, npmEnvironment } from './aws-sdk-modules.js';
import { RuntimeSetupError } from './errors.js';
import { createFakeRegistry, type FakeRegistry } from './fake-registry.test-helper.js';
import { createTestRuntime } from './runtime.test-helper.js';

let dir: string;
let registry: FakeRegistry;
/** The Node.js running the tests, as the runtime passes a function's Node. */
const LOCAL = { major: Number(process.versions.node.split('.')[0]), path: process.execPath };
const sdkFolder = (cacheDir: string, major = LOCAL.major): string => join(cacheDir, 'aws-sdk', `node${major}`, 'node_modules');
before(async () => {
  dir = await mkdtemp(join(tmpdir(), 'forte-aws-sdk-'));
  registry = await createFakeRegistry(dir);
  const pkg = (name: string, version: string, engines?: Record<string, string>) => ({
    'package.json': {
      content: JSON.stringify({
        name,
        version,
        main: 'index.js',
        exports: { '.': { import: './index.mjs', require: './index.js' } },
        ...(engines ? { engines } : {}),
      }),
    },
    'index.js': { content: `exports.name = ${JSON.stringify(name)}; exports.version = ${JSON.stringify(version)};` },
    'index.mjs': { content: `export const name = ${JSON.stringify(name)}; export const version = ${JSON.stringify(version)};` },
  });
  await registry.publish('@aws-sdk/client-fake', '3.1.0', pkg('@aws-sdk/client-fake', '3.1.0'));
  await registry.publish('@aws-sdk/lib-fake', '3.2.0', pkg('@aws-sdk/lib-fake', '3.2.0'));
  // A package whose newest release needs a newer Node.js than the one running the tests.
  await registry.publish('@aws-sdk/client-engines', '3.1.0', pkg('@aws-sdk/client-engines', '3.1.0', { node: '>=18.0.0' }));
  await registry.publish('@aws-sdk/client-engines', '3.2.0', pkg('@aws-sdk/client-engines', '3.2.0', { node: '>=99.0.0' }));
});
after(async () => {
  await registry.close();
  await rm(dir, { recursive: true, force: true });
});

const writeFiles = async (root: string, files: Record<string, string>): Promise<void> => {
  for (const [path, content] of Object.entries(files)) {
    await mkdir(dirname(join(root, path)), { recursive: true });
    await writeFile(join(root, path), content);
  }
};

void describe('the AWS SDK', () => {
  void it('finds the @aws-sdk packages the code uses, outside node_modules', async () => {
    const code = join(dir, 'scan');
    await writeFiles(code, {
      'index.js': `const { S3Client } = require('@aws-sdk/client-s3');\nconst x = require ( "@aws-sdk/lib-dynamodb/dist-cjs/index.js" );`,
      'src/esm.mjs': `import { DynamoDBClient } from '@aws-sdk/client-dynamodb';\nimport '@aws-sdk/credential-providers';\nconst m = await import('@aws-sdk/client-sns');`,
      'lib/types.cjs': `// no specifiers here: '@aws-sdk/in-a-string' is not loaded\nconst name = 'x';`,
      'node_modules/dep/index.js': `require('@aws-sdk/client-sqs');`,
      'notes.txt': `require('@aws-sdk/client-ses')`,
    });
    assert.deepEqual(await awsSdkPackagesUsed(code), [
      '@aws-sdk/client-dynamodb',
      '@aws-sdk/client-s3',
      '@aws-sdk/client-sns',
      '@aws-sdk/credential-providers',
      '@aws-sdk/lib-dynamodb',
    ]);
  });

  void it('installs what the function uses into one shared folder, skipping what it brings, and functions load it (require and import)', async () => {
    const cacheDir = join(dir, 'cache');
    await using rt = await createTestRuntime({ cacheDir, registry: registry.url, allowDownloads: true });
    await rt.deployCode('uses-sdk', {
      'index.mjs': `import { name, version } from '@aws-sdk/client-fake';\nimport { createRequire } from 'node:module';\nconst helper = createRequire(import.meta.url)('./helper.cjs');\nexport const handler = async () => ({ name, version, ...helper });`,
      'helper.cjs': `exports.lib = require('@aws-sdk/lib-fake').version;\nexports.own = require('@aws-sdk/client-own').version;`,
      'node_modules/@aws-sdk/client-own/package.json': '{"name":"@aws-sdk/client-own","version":"9.9.9"}',
      'node_modules/@aws-sdk/client-own/index.js': 'exports.version = "own";',
    });
    assert.deepEqual(await readdir(join(sdkFolder(cacheDir), '@aws-sdk')), ['client-fake', 'lib-fake']);
    assert.deepEqual((await rt.call('uses-sdk')).body, { name: '@aws-sdk/client-fake', version: '3.1.0', lib: '3.2.0', own: 'own' });
    // A second function needing the same package installs nothing more.
    const tarballs = registry.requests.filter((r) => r.endsWith('.tgz')).length;
    await rt.deployCode('same-sdk', { 'index.js': `const { version } = require('@aws-sdk/client-fake'); exports.handler = async () => version;` });
    assert.equal(registry.requests.filter((r) => r.endsWith('.tgz')).length, tarballs);
    assert.equal((await rt.call('same-sdk')).body, '3.1.0');
  });

  void it('installs one at a time: concurrent deploys in one cloud, and another cloud holding the cache', async () => {
    const cacheDir = join(dir, 'concurrent');
    const options = { cacheDir, registry: registry.url, allowDownloads: true, ownNodeModules: [], node: LOCAL };
    await writeFiles(join(dir, 'uses-client'), { 'index.js': `require('@aws-sdk/client-fake');` });
    await writeFiles(join(dir, 'uses-lib'), { 'index.js': `require('@aws-sdk/lib-fake');` });
    // Another process's install in progress: nothing starts until its lock goes.
    await mkdir(join(cacheDir, 'aws-sdk', `node${LOCAL.major}.lock`), { recursive: true });
    let done = false;
    const both = Promise.all([ensureAwsSdkModules(join(dir, 'uses-client'), options), ensureAwsSdkModules(join(dir, 'uses-lib'), options)]).finally(
      () => (done = true),
    );
    await new Promise((resolve) => setTimeout(resolve, 600));
    assert.equal(done, false, 'waits for the other install');
    await rm(join(cacheDir, 'aws-sdk', `node${LOCAL.major}.lock`), { recursive: true });
    await both;
    assert.deepEqual(await readdir(join(sdkFolder(cacheDir), '@aws-sdk')), ['client-fake', 'lib-fake']);
    assert.deepEqual((await readdir(cacheDir)).sort(), ['aws-sdk', 'npm-cache']);
  });

  void it("installs for each Node.js major the newest releases that major's Node admits, in a folder of its own", async () => {
    const cacheDir = join(dir, 'by-major');
    const code = join(dir, 'uses-engines');
    await writeFiles(code, { 'index.js': `require('@aws-sdk/client-engines');` });
    // A Node.js 99: this one, saying it is 99 to npm (which reads process.version), first on npm's PATH as `node`.
    const newer = join(dir, 'node99');
    await writeFiles(newer, {
      'say-99.cjs': `Object.defineProperty(process, 'version', { value: 'v99.0.0' });\nObject.defineProperty(process.versions, 'node', { value: '99.0.0' });`,
      node: `#!/bin/sh\nexec '${process.execPath}' -r '${join(newer, 'say-99.cjs')}' "$@"\n`,
    });
    await chmod(join(newer, 'node'), 0o755);
    const base = { cacheDir, registry: registry.url, allowDownloads: true, ownNodeModules: [] };
    const version = async (nodeModules: string): Promise<string> =>
      (JSON.parse(await readFile(join(nodeModules, '@aws-sdk', 'client-engines', 'package.json'), 'utf8')) as { version: string }).version;
    const local = await ensureAwsSdkModules(code, { ...base, node: LOCAL });
    assert.equal(local, sdkFolder(cacheDir));
    assert.equal(await version(local), '3.1.0', 'the newest release for this Node, not the newest');
    const at99 = await ensureAwsSdkModules(code, { ...base, node: { major: 99, path: join(newer, 'node') } });
    assert.equal(at99, sdkFolder(cacheDir, 99));
    assert.equal(await version(at99), '3.2.0');
    assert.equal(await version(local), '3.1.0', "one major's install leaves the other's as it was");
  });

  void it('keeps, for its own Node.js major, the SDK an earlier release installed in one folder for every function', async () => {
    const cacheDir = join(dir, 'one-folder');
    await writeFiles(join(cacheDir, 'aws-sdk'), {
      'package.json': '{"dependencies":{"@aws-sdk/client-fake":"^3.1.0"}}',
      'node_modules/@aws-sdk/client-fake/package.json': '{"name":"@aws-sdk/client-fake","version":"3.1.0"}',
    });
    const code = join(dir, 'uses-fake');
    await writeFiles(code, { 'index.js': `require('@aws-sdk/client-fake');` });
    // Offline: nothing could be installed again.
    const nodeModules = await ensureAwsSdkModules(code, { cacheDir, registry: 'http://127.0.0.1:1', allowDownloads: false, ownNodeModules: [], node: LOCAL });
    assert.equal(nodeModules, sdkFolder(cacheDir));
    assert.deepEqual(await readdir(join(nodeModules, '@aws-sdk')), ['client-fake']);
    assert.deepEqual((await readdir(join(cacheDir, 'aws-sdk'))).sort(), [`node${LOCAL.major}`], 'moved, not copied');
    assert.deepEqual((await readdir(join(cacheDir, 'aws-sdk', `node${LOCAL.major}`))).sort(), ['node_modules', 'package.json']);
  });

  void it('fails deploy clearly when a package is missing and cannot be installed', async () => {
    const code = join(dir, 'offline-code');
    await writeFiles(code, { 'index.js': `require('@aws-sdk/client-fake');` });
    await assert.rejects(
      ensureAwsSdkModules(code, { cacheDir: join(dir, 'offline'), registry: registry.url, allowDownloads: false, ownNodeModules: [], node: LOCAL }),
      (e: unknown) => {
        assert.ok(e instanceof RuntimeSetupError);
        assert.match(e.message, /uses @aws-sdk\/client-fake, which is not in the AWS SDK cache .* downloads are turned off/);
        return true;
      },
    );
    await writeFiles(code, { 'index.js': `require('@aws-sdk/client-missing');` });
    await assert.rejects(
      ensureAwsSdkModules(code, { cacheDir: join(dir, 'offline'), registry: registry.url, allowDownloads: true, ownNodeModules: [], node: LOCAL }),
      (e: unknown) => {
        assert.ok(e instanceof RuntimeSetupError);
        assert.match(e.message, /Installing @aws-sdk\/client-missing .* failed/);
        return true;
      },
    );
    await assert.rejects(
      ensureAwsSdkModules(code, { cacheDir: join(dir, 'offline'), registry: 'http://127.0.0.1:1', allowDownloads: true, ownNodeModules: [], node: LOCAL }),
      /Installing @aws-sdk\/client-missing/,
    );
  });

  void it('installs a real @aws-sdk package from the npm registry (skipped offline)', async (t) => {
    const reachable = await fetch('https://registry.npmjs.org/@aws-sdk%2fclient-sts', { method: 'HEAD', signal: AbortSignal.timeout(10_000) }).then(
      (r) => r.ok,
      () => false,
    );
    if (!reachable) {
      console.log('skipped: registry.npmjs.org is not reachable from this machine');
      return t.skip('registry.npmjs.org is not reachable');
    }
    const code = join(dir, 'real');
    await writeFiles(code, { 'index.js': `const { STSClient } = require('@aws-sdk/client-sts');` });
    const nodeModules = await ensureAwsSdkModules(code, {
      cacheDir: join(dir, 'real-cache'),
      registry: 'https://registry.npmjs.org',
      allowDownloads: true,
      ownNodeModules: [],
      node: LOCAL,
    });
    assert.deepEqual(await readdir(join(nodeModules, '@aws-sdk', 'client-sts')).then((f) => f.includes('package.json')), true);
  });
});

void describe("the SDK install's npm command", () => {
  void it('runs npm directly, with its arguments as given, outside Windows', () => {
    assert.deepEqual(npmCommand(['install', '--cache', '/home/a b/cache'], 'linux'), {
      file: 'npm',
      args: ['install', '--cache', '/home/a b/cache'],
      shell: false,
    });
  });

  void it('runs npm.cmd through the shell on Windows, quoting what cmd.exe would split or read', () => {
    assert.deepEqual(
      npmCommand(['install', '--cache', 'C:\\Users\\Ana Lima\\.forte\\npm-cache', '--registry', 'https://r.example/a=b', '@aws-sdk/client-s3@3'], 'win32'),
      {
        file: 'npm.cmd',
        args: ['install', '--cache', '"C:\\Users\\Ana Lima\\.forte\\npm-cache"', '--registry', '"https://r.example/a=b"', '@aws-sdk/client-s3@3'],
        shell: true,
      },
    );
    assert.throws(() => npmCommand(['--cache', 'C:\\a"b'], 'win32'), /double quote: C:\\a"b/);
  });

  void it("keeps Windows' Path, PATHEXT and COMSPEC, whatever their case, with the function's Node first, and no other variable", () => {
    const env = npmEnvironment(join('forte', 'node22', 'node'), {
      Path: 'C:\\Windows\\system32',
      PATHEXT: '.COM;.EXE;.CMD',
      ComSpec: 'C:\\Windows\\system32\\cmd.exe',
      FORTE_ADMIN_SECRET: 'not for npm',
    });
    assert.deepEqual(Object.keys(env).sort(), ['ComSpec', 'PATHEXT', 'Path']);
    assert.ok(env['Path']!.startsWith(join('forte', 'node22')), env['Path']);
    assert.ok(env['Path']!.endsWith('C:\\Windows\\system32'));
  });
});
