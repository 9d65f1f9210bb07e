import { isAscii } from 'node:buffer';
import { accessSync, closeSync, constants, openSync, readFileSync, renameSync, rmSync, statSync, writeSync } from 'node:fs';
import { createRequire } from 'node:module';
import { dirname } from 'node:path';
import { pathToFileURL } from 'node:url';
import { Script } from 'node:vm';
import * as zlib from 'node:zlib';

/**
 * With `afterHook`, what the bundle calls once the code V8 compiled is worth keeping (the cloud, once it
 * answers requests: run-cloud.ts); the cache is then written when the process exits.
 */
export const CODE_CACHE_HOOK = Symbol.for('forte.codeCache.serving');

const MAGIC = 'forte-v8-code-cache 1';

/**
 * Runs a CommonJS bundle (scripts/bundle-bins.mjs) through `vm.Script` with a V8 code cache kept beside it
 * (`<bundle>.cache`) and answers its `module.exports`: with the cache, V8 neither parses the bundle nor
 * compiles again the functions a run needed (Node 20 has no `module.enableCompileCache`, and no cached data
 * for ES modules). Used by the cloud's bin and by `@forte/protocol` (its dist/main.js, which the build writes).
 *
 * The cache names the bundle it was made from (size and mtime) and the node that made it (version, arch),
 * and carries a CRC-32 of its payload: V8 itself only checks the source's length, so a cache for another
 * bundle, or a damaged one, could otherwise run the wrong code. Anything that does not match, and any error
 * reading it, means no cache; then a new one is written at exit (to a temporary file renamed into place, so
 * a reader never sees half of it), at once or only after `CODE_CACHE_HOOK` was called (`afterHook`). Where
 * the bundle's folder is not writable (an installed package) nothing is written and every run compiles as it
 * did without a cache.
 */
export function runWithCodeCache(bundlePath: string, options: { afterHook?: boolean } = {}): unknown {
  const bytes = readFileSync(bundlePath);
  // An ASCII bundle (scripts/bundle-bins.mjs checks that it is) is read as Latin-1: V8 then holds a one-byte string
  // instead of a two-byte one, and a cold start is about a tenth faster (docs/benchmarks.md, Start-up).
  const source = isAscii(bytes) ? bytes.toString('latin1') : bytes.toString('utf8');
  const { size, mtimeMs } = statSync(bundlePath);
  const identity = JSON.stringify({ node: process.version, arch: process.arch, size, mtimeMs });
  const cachePath = `${bundlePath}.cache`;
  const cachedData = readCache(cachePath, identity);
  const wrapped = `(function (exports, require, module, __filename, __dirname, __forteBundleUrl) {${source}\n})`;
  const script = new Script(wrapped, { filename: bundlePath, ...(cachedData ? { cachedData } : {}) });
  if ((!cachedData || script.cachedDataRejected) && writable(dirname(bundlePath))) {
    const writeAtExit = (): void => {
      process.once('exit', () => {
        try {
          writeCache(cachePath, identity, script.createCachedData());
        } catch {
          // no cache: the next run compiles as without one
        }
      });
    };
    if (options.afterHook) (globalThis as Record<symbol, unknown>)[CODE_CACHE_HOOK] = writeAtExit;
    else writeAtExit();
  }
  const run = script.runInThisContext() as (...args: unknown[]) => void;
  const module = { exports: {} };
  run(module.exports, createRequire(bundlePath), module, bundlePath, dirname(bundlePath), pathToFileURL(bundlePath).href);
  return module.exports;
}

function writable(dir: string): boolean {
  try {
    accessSync(dir, constants.W_OK);
    return true;
  } catch {
    return false;
  }
}

/** `zlib.crc32` came with Node 20.15: before it, no cache. */
const crc32 = (zlib as { crc32?: (data: Uint8Array) => number }).crc32;

function readCache(path: string, identity: string): Buffer | undefined {
  if (!crc32) return undefined;
  let file: Buffer;
  try {
    file = readFileSync(path);
  } catch {
    return undefined;
  }
  // MAGIC \n identity \n crc \n payload
  const lines: string[] = [];
  let at = 0;
  for (let i = 0; i < 3; i++) {
    const end = file.indexOf(10, at);
    if (end < 0 || end - at > 1000) return undefined;
    lines.push(file.toString('utf8', at, end));
    at = end + 1;
  }
  const payload = file.subarray(at);
  if (lines[0] !== MAGIC || lines[1] !== identity || lines[2] !== String(crc32(payload))) return undefined;
  return payload;
}

function writeCache(path: string, identity: string, data: Buffer): void {
  if (!crc32) return;
  const tmp = `${path}.${process.pid}.tmp`;
  try {
    const fd = openSync(tmp, 'wx', 0o644);
    try {
      writeSync(fd, `${MAGIC}\n${identity}\n${crc32(data)}\n`);
      writeSync(fd, data);
    } finally {
      closeSync(fd);
    }
    renameSync(tmp, path);
  } catch {
    try {
      rmSync(tmp, { force: true });
    } catch {
      // a read-only install: no cache
    }
  }
}
