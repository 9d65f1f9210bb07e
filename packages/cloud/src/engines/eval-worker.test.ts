import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, it } from 'node:test';
import { scriptExecArgv } from './eval-worker.js';

describe('threads of evaluated code', () => {
  void it('leave out what would make their script a module, and the parent’s own script, keeping the rest', () => {
    assert.deepEqual(scriptExecArgv(['--max-old-space-size=200', '--input-type=module', '-e', 'code()', '--import', './preload.mjs']), [
      '--max-old-space-size=200',
      '--import',
      './preload.mjs',
    ]);
    assert.deepEqual(scriptExecArgv(['--input-type', 'module', '--experimental-default-type=module', '--print', '1', '--expose-gc']), ['--expose-gc']);
    assert.deepEqual(scriptExecArgv([]), []);
  });

  void it('hash and make the certificate in a process started with node --input-type=module -e', () => {
    const dir = mkdtempSync(join(tmpdir(), 'forte-eval-worker-'));
    try {
      const module = (name: string): string => JSON.stringify(new URL(name, import.meta.url).href);
      const script = `
        const { createHashPool } = await import(${module('./stream-hasher.js')});
        const { localCertificate } = await import(${module('../kernel/local-certificate.js')});
        const pool = createHashPool({ threads: 1 });
        const hasher = pool.hasher(['md5']);
        await hasher.update(Buffer.alloc(300000, 1));
        const { md5 } = await hasher.digest();
        await pool.close();
        const certificate = await localCertificate(${JSON.stringify(dir)}, 'localhost');
        console.log(md5, certificate.created && certificate.cert.includes('BEGIN CERTIFICATE'));
      `;
      const run = spawnSync(process.execPath, ['--input-type=module', '-e', script], { encoding: 'utf8', timeout: 60_000 });
      assert.equal(run.stderr, '');
      assert.equal(run.stdout.trim(), 'fe8e83a0fc45eb421f551bfad3508bb1 true');
      assert.equal(run.status, 0);
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });
});
