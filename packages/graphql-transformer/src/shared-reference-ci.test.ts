/**
 * The comparison suites against the shared reference files fail in CI when the files are missing, and
 * skip, saying why, elsewhere: the golden suite is run in a child process with the reference pointed at
 * a folder that does not exist.
 */
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { after, describe, it } from 'node:test';

const golden = fileURLToPath(new URL('./golden.test.js', import.meta.url));
const empty = mkdtempSync(join(tmpdir(), 'forte-no-shared-'));
after(() => rmSync(empty, { recursive: true, force: true }));

function runGolden(ci: string | undefined): { status: number | null; output: string } {
  // Without this runner's NODE_TEST_CONTEXT the child runs its tests itself rather than reporting to a parent.
  const { CI: _ci, NODE_TEST_CONTEXT: _context, ...env } = process.env;
  const run = spawnSync(process.execPath, ['--test', golden], {
    env: { ...env, FORTE_SHARED_DIR: join(empty, 'missing'), ...(ci === undefined ? {} : { CI: ci }) },
    encoding: 'utf8',
    timeout: 60_000,
  });
  return { status: run.status, output: `${run.stdout}${run.stderr}` };
}

describe('a missing shared reference folder', () => {
  it('fails the golden suite when CI is set', () => {
    const { status, output } = runGolden('true');
    assert.notEqual(status, 0, output);
    assert.match(output, /FORTE_SHARED_DIR=.*missing lacks reference\/graphql-golden/);
    assert.match(output, /CI is set, so a missing reference fails the suite/);
  });

  it('skips the golden suite, printing why, when CI is not set (or is false)', () => {
    for (const ci of [undefined, 'false']) {
      const { status, output } = runGolden(ci);
      assert.equal(status, 0, output);
      assert.match(output, /# skipped: the reference outputs: FORTE_SHARED_DIR=.*missing lacks/);
      assert.match(output, /# skipped 1/);
    }
  });
});
