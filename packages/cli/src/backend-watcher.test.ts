import assert from 'node:assert/strict';
import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { test } from 'node:test';
import { createBackendWatcher, isWatchedPath } from './backend-watcher.js';

test('edits to resource files are watched; outputs, dependencies, meta and editor temp files are not', () => {
  for (const path of ['function/hello/src/index.js', 'api/shop/schema.graphql', 'backend-config.json', 'function/hello/hello-cloudformation-template.json'])
    assert.equal(isWatchedPath(path), true, path);
  for (const path of [
    'function/hello/src/node_modules/x/index.js',
    'api/shop/build/schema.graphql',
    'function/hello/dist/latest-build.zip',
    'function/hello/.temp/x',
    'amplify-meta.json',
    'function/hello/src/.index.js.swp',
    'function/hello/src/4913',
    'function/hello/src/index.js~',
    'function/hello/src/#index.js#',
    'function/hello/src/.#index.js',
    'function/hello/src/index.js___jb_tmp___',
  ])
    assert.equal(isWatchedPath(path), false, path);
});

test('a burst of saves settles into one call naming each edited file once; ignored files start nothing', async () => {
  const dir = mkdtempSync(join(tmpdir(), 'forte-watcher-'));
  mkdirSync(join(dir, 'function', 'hello', 'src', 'node_modules'), { recursive: true });
  const calls: string[][] = [];
  const watcher = createBackendWatcher(dir, (paths) => calls.push(paths), { debounceMs: 150 });
  try {
    writeFileSync(join(dir, 'function', 'hello', 'src', 'node_modules', 'dep.js'), '1');
    await new Promise((r) => setTimeout(r, 600));
    assert.deepEqual(calls, [], 'node_modules is ignored');
    for (let i = 0; i < 5; i++) {
      writeFileSync(join(dir, 'function', 'hello', 'src', 'index.js'), `// ${i}`);
      await new Promise((r) => setTimeout(r, 20));
    }
    writeFileSync(join(dir, 'backend-config.json'), '{}');
    const deadline = Date.now() + 10_000;
    while (calls.length === 0 && Date.now() < deadline) await new Promise((r) => setTimeout(r, 50));
    await new Promise((r) => setTimeout(r, 400));
    assert.deepEqual(calls, [['backend-config.json', 'function/hello/src/index.js']]);
  } finally {
    watcher.close();
    rmSync(dir, { recursive: true, force: true });
  }
});
