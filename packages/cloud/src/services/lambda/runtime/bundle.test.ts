import assert from 'node:assert/strict';
import { mkdir, mkdtemp, rm, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { describe, it } from 'node:test';
import { fileURLToPath } from 'node:url';
import { runWithCodeCache } from '@forte/protocol/run-with-code-cache';
import { build } from 'esbuild';
import type { createFunctionRuntime as CreateFunctionRuntime } from './function-runtime.js';

// dist/, where the cloud's bundle folder (dist/bundle/) sits.
const dist = fileURLToPath(new URL('../../../', import.meta.url));

void describe('the runtime inside a bundle', () => {
  void it("finds the bootstrap and runs functions when bundled as the cloud's bundle is (dist/<folder>/*.cjs)", async () => {
    const folder = await mkdtemp(join(dist, 'bundle-check-'));
    try {
      const outfile = join(folder, 'runtime.cjs');
      // The options of scripts/bundle-bins.mjs that matter here: one CommonJS file, import.meta.url from the runner.
      await build({
        entryPoints: [fileURLToPath(new URL('./index.js', import.meta.url))],
        outfile,
        bundle: true,
        platform: 'node',
        format: 'cjs',
        target: 'node20',
        logLevel: 'warning',
        define: { 'import.meta.url': '__forteBundleUrl' },
      });
      const { createFunctionRuntime } = runWithCodeCache(outfile) as { createFunctionRuntime: typeof CreateFunctionRuntime };
      const code = join(folder, 'code');
      await mkdir(code);
      await writeFile(join(code, 'index.cjs'), 'exports.handler = async (n) => ({ doubled: n * 2, bootstrap: process.env.LAMBDA_RUNTIME_DIR });');
      const runtime = createFunctionRuntime({ cacheDir: join(folder, 'cache'), onLog: () => undefined, allowDownloads: false });
      try {
        await runtime.deploy({
          name: 'bundled',
          arn: 'arn:aws:lambda:us-east-1:123456789012:function:bundled',
          codeDir: code,
          handler: 'index.handler',
          runtime: `nodejs${process.versions.node.split('.')[0]}.x`,
          memoryMb: 128,
          timeoutSeconds: 5,
          environment: {},
          layerDirs: [],
          revision: '1',
        });
        const outcome = await runtime.invoke('bundled', '3', { requestId: 'bundle-check' });
        assert.equal(outcome.functionError, undefined, outcome.payload);
        assert.deepEqual(JSON.parse(outcome.payload), { doubled: 6, bootstrap: fileURLToPath(new URL('.', import.meta.url)).replace(/\/$/, '') });
      } finally {
        await runtime.close();
      }
    } finally {
      await rm(folder, { recursive: true, force: true });
    }
  });
});
