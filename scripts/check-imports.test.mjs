// Tests of scripts/check-imports.mjs on small fixture trees.
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { describe, it } from 'node:test';

const script = new URL('./check-imports.mjs', import.meta.url).pathname;

function check(files) {
  const root = mkdtempSync(join(tmpdir(), 'forte-imports-'));
  try {
    for (const [path, text] of Object.entries(files)) {
      mkdirSync(dirname(join(root, path)), { recursive: true });
      writeFileSync(join(root, path), text);
    }
    const run = spawnSync(process.execPath, [script, '--root', root], { encoding: 'utf8' });
    return { code: run.status, output: run.stdout + run.stderr };
  } finally {
    rmSync(root, { recursive: true, force: true });
  }
}

describe('check-imports', () => {
  it('accepts imports the table allows', () => {
    const run = check({
      'packages/protocol/src/index.ts': 'export const x = 1;\n',
      'packages/cli/src/a.ts': "import { x } from '@forte/protocol';\nconst p = await import('node:path');\n",
      'packages/cloud/src/services/s3/a.ts': "import { k } from '../../kernel/types.js';\n",
      'packages/cloud/src/server.ts': "import { createSqliteStore } from './engines/sqlite/sqlite-store.js';\n",
    });
    assert.equal(run.code, 0, run.output);
  });

  it("lets the cli's tests and e2e helpers, and only them, import @forte/amplify", () => {
    const allowed = check({
      'packages/cli/src/e2e/app.ts': "import { forteAmplifyConfig } from '@forte/amplify';\n",
      'packages/cli/src/x.test.ts': "import { configure } from '@forte/amplify';\n",
    });
    assert.equal(allowed.code, 0, allowed.output);
    const refused = check({
      'packages/cli/src/commands/app.ts': "import { configure } from '@forte/amplify';\n",
      'packages/cloud/src/x.test.ts': "import { configure } from '@forte/amplify';\n",
    });
    assert.equal(refused.code, 1);
    assert.match(refused.output, /cli\/src\/commands\/app\.ts: imports @forte\/amplify/);
    assert.match(refused.output, /cloud\/src\/x\.test\.ts: imports @forte\/amplify/);
  });

  it('lets test helpers (*.test-helper.ts) name engines, and refuses them to code that is not a test', () => {
    const allowed = check({
      'packages/cloud/src/kernel/kernel.test-helper.ts': "import { createSqliteStore } from '../engines/sqlite/sqlite-store.js';\n",
      'packages/cloud/src/kernel/a.test.ts': "import { createTestKernel } from './kernel.test-helper.js';\n",
    });
    assert.equal(allowed.code, 0, allowed.output);
    const refused = check({
      'packages/cloud/src/kernel/kernel.test-helper.ts': 'export const x = 1;\n',
      'packages/cloud/src/kernel/dispatch.ts': "import { x } from './kernel.test-helper.js';\n",
      'packages/cloud/src/kernel/other.ts': "import { createSqliteStore } from '../engines/sqlite/sqlite-store.js';\n",
    });
    assert.equal(refused.code, 1);
    assert.match(refused.output, /kernel\/dispatch\.ts: imports the test helper \.\/kernel\.test-helper\.js/);
    assert.match(refused.output, /kernel\/other\.ts: names an engine implementation/);
  });

  it('refuses a category importing the cloud, and the cli importing a plugin package', () => {
    const run = check({
      'packages/category-hosting/src/a.ts': "import { createCloud } from '@forte/cloud';\n",
      'packages/cli/src/b.ts': "export { x } from '@forte/category-hosting';\n",
    });
    assert.equal(run.code, 1);
    assert.match(run.output, /category-hosting\/src\/a\.ts: imports @forte\/cloud/);
    assert.match(run.output, /cli\/src\/b\.ts: imports @forte\/category-hosting/);
  });

  it('refuses a service importing another service, and engines named outside server.ts', () => {
    const run = check({
      'packages/cloud/src/services/hosting/a.ts': "import { s3 } from '../s3/index.js';\n",
      'packages/cloud/src/services/control/b.ts': "import Database from 'better-sqlite3';\n",
      'packages/cloud/src/kernel/c.ts': "import { createFsBlobStore } from '../engines/fs-blobs/fs-blob-store.js';\n",
    });
    assert.equal(run.code, 1);
    assert.match(run.output, /services\/hosting\/a\.ts: service hosting imports service s3/);
    assert.match(run.output, /services\/control\/b\.ts: names better-sqlite3 outside src\/engines/);
    assert.match(run.output, /kernel\/c\.ts: names an engine implementation/);
  });

  it('refuses a package missing from the table', () => {
    const run = check({ 'packages/mystery/src/a.ts': 'export {};\n' });
    assert.equal(run.code, 1);
    assert.match(run.output, /packages\/mystery: not in the import table/);
  });
});
