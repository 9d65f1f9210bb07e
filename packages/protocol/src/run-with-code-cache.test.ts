import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { existsSync, mkdtempSync, readFileSync, rmSync, utimesSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, describe, it } from 'node:test';
import * as zlib from 'node:zlib';

const RUNNER = new URL('./run-with-code-cache.cjs', import.meta.url).href;
const dir = mkdtempSync(join(tmpdir(), 'forte-code-cache-'));
after(() => rmSync(dir, { recursive: true, force: true }));
const hasCrc32 = typeof (zlib as { crc32?: unknown }).crc32 === 'function';

/** Runs the bundle through the runner in a process of its own; `serve` calls the hook as run-cloud.ts does. */
function run(bundle: string, serve = true): string {
  const code = `import { runWithCodeCache, CODE_CACHE_HOOK } from ${JSON.stringify(RUNNER)};
runWithCodeCache(${JSON.stringify(bundle)}, { afterHook: true });
${serve ? 'globalThis[CODE_CACHE_HOOK]?.();' : ''}`;
  const r = spawnSync(process.execPath, ['--input-type=module', '-e', code], { encoding: 'utf8' });
  assert.equal(r.status, 0, r.stderr);
  return r.stdout.trim();
}

function bundleSaying(name: string, word: string): string {
  const path = join(dir, name);
  // What a CommonJS bundle gets: require, module, its own path and URL.
  writeFileSync(
    path,
    `const { basename } = require('node:path'); module.exports = 1; console.log(${JSON.stringify(word)}, basename(__filename), __forteBundleUrl.startsWith('file:'));\n`,
  );
  return path;
}

/** The cache's payload matches the CRC-32 its header carries (MAGIC, identity, crc, payload). */
function isSound(path: string): boolean {
  const file = readFileSync(path);
  let at = 0;
  const lines = [0, 1, 2].map(() => {
    const end = file.indexOf(10, at);
    const line = file.toString('utf8', at, end);
    at = end + 1;
    return line;
  });
  const crc32 = (zlib as unknown as { crc32: (data: Uint8Array) => number }).crc32;
  return lines[0]!.startsWith('forte-v8-code-cache') && lines[2] === String(crc32(file.subarray(at)));
}

describe('runWithCodeCache', { skip: hasCrc32 ? false : 'zlib.crc32 needs Node 20.15' }, () => {
  it('runs the bundle, and writes a cache at exit only once it serves', () => {
    const bundle = bundleSaying('a.cjs', 'hello');
    assert.equal(run(bundle, false), 'hello a.cjs true');
    assert.equal(existsSync(`${bundle}.cache`), false);
    assert.equal(run(bundle), 'hello a.cjs true');
    assert.ok(existsSync(`${bundle}.cache`));
    const cache = readFileSync(`${bundle}.cache`);
    assert.equal(run(bundle), 'hello a.cjs true');
    assert.deepEqual(readFileSync(`${bundle}.cache`), cache, 'an accepted cache is not written again');
  });

  it('runs a bundle that is not ASCII as UTF-8 (an ASCII one is read as Latin-1)', () => {
    const bundle = bundleSaying('utf8.cjs', 'caf\u00e9 \u2019 \u6771\u4eac \u{1f600}');
    assert.equal(readFileSync(bundle).length > readFileSync(bundle, 'utf8').length, true, 'the file holds multi-byte characters');
    assert.equal(run(bundle), 'caf\u00e9 \u2019 \u6771\u4eac \u{1f600} utf8.cjs true');
    assert.equal(run(bundle), 'caf\u00e9 \u2019 \u6771\u4eac \u{1f600} utf8.cjs true', 'and with its cache');
  });

  it('ignores a damaged cache and replaces it', () => {
    const bundle = bundleSaying('b.cjs', 'damaged');
    run(bundle);
    const cache = readFileSync(`${bundle}.cache`);
    const damaged = Buffer.from(cache);
    damaged[damaged.length - 10]! ^= 0xff;
    writeFileSync(`${bundle}.cache`, damaged);
    assert.equal(run(bundle), 'damaged b.cjs true');
    assert.ok(isSound(`${bundle}.cache`));
    writeFileSync(`${bundle}.cache`, 'not a cache');
    assert.equal(run(bundle), 'damaged b.cjs true');
    assert.ok(isSound(`${bundle}.cache`));
  });

  it("ignores another bundle's cache, even one of the same length", () => {
    const bundle = bundleSaying('c.cjs', 'first');
    run(bundle);
    const old = readFileSync(`${bundle}.cache`);
    bundleSaying('c.cjs', 'other'); // same length: V8 alone would take the old code
    utimesSync(bundle, new Date(), new Date(Date.now() + 5000));
    assert.equal(run(bundle), 'other c.cjs true');
    assert.notDeepEqual(readFileSync(`${bundle}.cache`), old);
  });
});
