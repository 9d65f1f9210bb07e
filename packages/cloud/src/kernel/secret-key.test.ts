import assert from 'node:assert/strict';
import { mkdtemp, readFile, rm, stat, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, describe, it } from 'node:test';
import { createSqliteStore } from '../engines/sqlite/sqlite-store.js';
import { SECRET_KEY_FILE, SecretKeyError, openSecretBox } from './secret-key.js';

let dir: string;
before(async () => {
  dir = await mkdtemp(join(tmpdir(), 'forte-secret-key-'));
});
after(async () => {
  await rm(dir, { recursive: true, force: true });
});

async function withDatabase<T>(name: string, fn: (sql: ReturnType<typeof createSqliteStore>) => Promise<T>): Promise<T> {
  const sql = createSqliteStore(join(dir, name));
  try {
    return await fn(sql);
  } finally {
    await sql.close();
  }
}

void describe('the secret key', () => {
  void it('is made 0600 at first start, reused after, and refused when missing or another', async () => {
    const dataDir = await mkdtemp(join(dir, 'data-'));
    const first = await withDatabase('a.db', (sql) => openSecretBox({ dataDir, sql }));
    assert.equal(first.createdKeyFile, true);
    if (process.platform !== 'win32') assert.equal((await stat(join(dataDir, SECRET_KEY_FILE))).mode & 0o777, 0o600);
    const sealed = first.box.seal('s', 'c');
    const again = await withDatabase('a.db', (sql) => openSecretBox({ dataDir, sql }));
    assert.equal(again.createdKeyFile, false);
    assert.equal(again.box.open(sealed, 'c'), 's');

    const key = await readFile(join(dataDir, SECRET_KEY_FILE), 'utf8');
    await rm(join(dataDir, SECRET_KEY_FILE));
    await assert.rejects(
      withDatabase('a.db', (sql) => openSecretBox({ dataDir, sql })),
      (error: unknown) =>
        error instanceof SecretKeyError &&
        error.message.includes(join(dataDir, SECRET_KEY_FILE)) &&
        error.message.includes('FORTE_SECRET_KEY') &&
        error.message.includes('does not exist'),
    );
    await assert.rejects(stat(join(dataDir, SECRET_KEY_FILE)), /ENOENT/, 'no new key is made for a sealed database');

    await writeFile(join(dataDir, SECRET_KEY_FILE), Buffer.alloc(32, 9).toString('base64'));
    await assert.rejects(
      withDatabase('a.db', (sql) => openSecretBox({ dataDir, sql })),
      /is not the key .* was sealed with/,
    );
    await writeFile(join(dataDir, SECRET_KEY_FILE), key);
    assert.equal((await withDatabase('a.db', (sql) => openSecretBox({ dataDir, sql }))).box.open(sealed, 'c'), 's');
  });

  void it('comes from FORTE_SECRET_KEY (base64 or hex) instead of the file, and must be that key afterwards', async () => {
    const dataDir = await mkdtemp(join(dir, 'data-'));
    const key = Buffer.alloc(32, 5);
    const { box, createdKeyFile } = await withDatabase('b.db', (sql) => openSecretBox({ dataDir, sql, secretKey: key.toString('base64') }));
    assert.equal(createdKeyFile, false);
    await assert.rejects(stat(join(dataDir, SECRET_KEY_FILE)), /ENOENT/);
    const sealed = box.seal('s', 'c');
    assert.equal((await withDatabase('b.db', (sql) => openSecretBox({ dataDir, sql, secretKey: key.toString('hex') }))).box.open(sealed, 'c'), 's');
    await assert.rejects(
      withDatabase('b.db', (sql) => openSecretBox({ dataDir, sql, secretKey: Buffer.alloc(32, 6).toString('base64') })),
      /FORTE_SECRET_KEY is not the key/,
    );
    await assert.rejects(
      withDatabase('b.db', (sql) => openSecretBox({ dataDir, sql })),
      /does not exist and FORTE_SECRET_KEY is not set/,
    );
    await assert.rejects(
      withDatabase('c.db', (sql) => openSecretBox({ dataDir, sql, secretKey: 'short' })),
      /FORTE_SECRET_KEY must be 32 random bytes/,
    );
  });

  void it('names a database server, not a file of the data folder, and says its instances need one key', async () => {
    const server = 'postgres://forte:***@db:5432/forte';
    const first = await mkdtemp(join(dir, 'data-'));
    const second = await mkdtemp(join(dir, 'data-'));
    await withDatabase('d.db', (sql) => openSecretBox({ dataDir: first, sql, server }));
    // Another instance's folder, with a key file of its own (made before the first one sealed the database).
    await writeFile(join(second, SECRET_KEY_FILE), Buffer.alloc(32, 7).toString('base64'));
    for (const dataDir of [second, await mkdtemp(join(dir, 'data-'))]) {
      await assert.rejects(
        withDatabase('d.db', (sql) => openSecretBox({ dataDir, sql, server })),
        (error: unknown) =>
          error instanceof SecretKeyError &&
          error.message.includes(server) &&
          error.message.includes('every instance sharing a database needs the same key') &&
          !error.message.includes('forte.db'),
      );
    }
  });
});
