import assert from 'node:assert/strict';
import { existsSync } from 'node:fs';
import { chmod, mkdir, mkdtemp, rm, stat, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, describe, it } from 'node:test';
import { makeDataDirPrivate } from './private-files.js';

let dir: string;
before(async () => {
  dir = await mkdtemp(join(tmpdir(), 'forte-private-files-'));
});
after(async () => {
  await rm(dir, { recursive: true, force: true });
});

const modeOf = async (path: string): Promise<number> => (await stat(path)).mode & 0o777;

void describe('the data folder', { skip: process.platform === 'win32' }, () => {
  void it('is created 0700 with the database file 0600 before SQLite opens it', async () => {
    const dataDir = join(dir, 'new', 'cloud');
    assert.deepEqual(makeDataDirPrivate(dataDir, 'forte.db'), []);
    assert.equal(await modeOf(dataDir), 0o700);
    assert.equal(await modeOf(join(dataDir, 'forte.db')), 0o600);
  });

  void it('gets no database file for a cloud whose database is a server', async () => {
    const dataDir = join(dir, 'clustered');
    assert.deepEqual(makeDataDirPrivate(dataDir, undefined), []);
    assert.equal(await modeOf(dataDir), 0o700);
    assert.equal(existsSync(join(dataDir, 'forte.db')), false);
  });

  void it('is repaired when others could read it, naming what was repaired', async () => {
    const dataDir = join(dir, 'old');
    await mkdir(join(dataDir, 'logs'), { recursive: true });
    await chmod(dataDir, 0o755);
    for (const name of ['forte.db', 'forte.db-wal', 'admin-credentials.json', 'config.json', 'logs/cloud.log']) {
      await writeFile(join(dataDir, name), '');
      await chmod(join(dataDir, name), 0o644);
    }
    await writeFile(join(dataDir, 'notes.txt'), '');
    await chmod(join(dataDir, 'notes.txt'), 0o644);
    const repaired = makeDataDirPrivate(dataDir, 'forte.db');
    assert.equal(repaired.length, 7);
    assert.ok(repaired.includes(`${join(dataDir, 'forte.db')} (was 644)`));
    assert.equal(await modeOf(dataDir), 0o700);
    for (const name of ['forte.db', 'forte.db-wal', 'admin-credentials.json', 'config.json', 'logs/cloud.log'])
      assert.equal(await modeOf(join(dataDir, name)), 0o600, name);
    assert.equal(await modeOf(join(dataDir, 'logs')), 0o700);
    assert.equal(await modeOf(join(dataDir, 'notes.txt')), 0o644, "files that are not the cloud's are left alone");
    assert.deepEqual(makeDataDirPrivate(dataDir, 'forte.db'), []);
  });
});
