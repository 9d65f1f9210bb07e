import assert from 'node:assert/strict';
import { spawn } from 'node:child_process';
import { closeSync, existsSync, openSync, readFileSync, statSync, writeFileSync } from 'node:fs';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, describe, it } from 'node:test';
import { fileURLToPath } from 'node:url';
import Database from 'better-sqlite3';
import { createCloud } from '../../server.js';
import { createSqliteStore } from './sqlite-store.js';
import { schemaOf } from './schema-of.test-helper.js';

/** Written by `npm run build` (scripts/bundle-bins.mjs, scripts/make-new-database.mjs) beside the cloud's bundle. */
const TEMPLATE = fileURLToPath(new URL('../../bundle/new-database.db', import.meta.url));
const BIN = fileURLToPath(new URL('../../bin.cjs', import.meta.url));

const dirs: string[] = [];
const newDir = async (): Promise<string> => {
  const dir = await mkdtemp(join(tmpdir(), 'forte-new-database-'));
  dirs.push(dir);
  return dir;
};
after(async () => {
  for (const dir of dirs) await rm(dir, { recursive: true, force: true });
});

const migrations = ['CREATE TABLE t (id TEXT PRIMARY KEY)', 'ALTER TABLE t ADD COLUMN n INTEGER'];

/** A template as scripts/make-new-database.mjs makes one: namespace `ns` migrated, nothing else. */
async function template(dir: string): Promise<string> {
  const file = join(dir, 'template.db');
  const store = createSqliteStore(file);
  await store.migrate('ns', migrations);
  await store.close();
  return file;
}

const versions = (file: string): unknown[] => {
  const db = new Database(file, { readonly: true });
  try {
    return db.prepare('SELECT namespace, version FROM schema_migrations ORDER BY namespace, version').all();
  } finally {
    db.close();
  }
};

describe('a new embedded database starts from the template made at build time', () => {
  it('is the template where there was no file, or the empty private file the cloud made, and stays private', async () => {
    const dir = await newDir();
    const from = await template(dir);
    for (const made of [false, true]) {
      const file = join(dir, `new-${made}.db`);
      if (made) closeSync(openSync(file, 'a', 0o600));
      const store = createSqliteStore(file, { newDatabase: from });
      assert.deepEqual(versions(file), [
        { namespace: 'ns', version: 1 },
        { namespace: 'ns', version: 2 },
      ]);
      // Up to date: a migration that ran would fail (the table is there).
      await store.migrate('ns', migrations);
      await store.run('INSERT INTO t (id, n) VALUES (?, ?)', ['a', 1]);
      await store.close();
      if (process.platform !== 'win32') assert.equal(statSync(file).mode & 0o777, 0o600);
    }
  });

  it('never replaces a database that is there, nor one whose write-ahead log is left', async () => {
    const dir = await newDir();
    const from = await template(dir);
    const file = join(dir, 'kept.db');
    const kept = createSqliteStore(file);
    await kept.migrate('other', ['CREATE TABLE o (id TEXT)']);
    await kept.close();
    const before = readFileSync(file);
    await createSqliteStore(file, { newDatabase: from }).close();
    assert.deepEqual(versions(file), [{ namespace: 'other', version: 1 }]);
    assert.ok(readFileSync(file).equals(before));
    // An empty main file beside a write-ahead log: that log belongs to another database, which the template would lose.
    const orphan = join(dir, 'orphan.db');
    writeFileSync(orphan, '');
    writeFileSync(`${orphan}-wal`, '');
    await createSqliteStore(orphan, { newDatabase: from }).close();
    const db = new Database(orphan, { readonly: true });
    assert.deepEqual(db.prepare('SELECT name FROM sqlite_master').all(), [], 'not the template');
    db.close();
  });

  it("is what this build's migrations make: a first start from the bundle gets the schema of one without it", async () => {
    assert.ok(existsSync(TEMPLATE), `${TEMPLATE} is missing: npm run build writes it`);
    const fromBundle = await newDir();
    const child = spawn(process.execPath, [BIN, '--port', '0', '--data-dir', fromBundle], { stdio: 'ignore' });
    try {
      for (let i = 0; i < 400 && !existsSync(join(fromBundle, 'cloud.json')); i++) await new Promise((resolve) => setTimeout(resolve, 25));
      assert.ok(existsSync(join(fromBundle, 'cloud.json')), 'the cloud started');
    } finally {
      child.kill('SIGTERM');
      await new Promise((resolve) => child.once('exit', resolve));
    }
    const migrated = await newDir();
    const cloud = await createCloud({ dataDir: migrated, port: 0, logLevel: 'warn', logStream: { write: () => undefined } });
    await cloud.close();
    const a = new Database(join(fromBundle, 'forte.db'), { readonly: true });
    const b = new Database(join(migrated, 'forte.db'), { readonly: true });
    try {
      assert.deepEqual(schemaOf(a), schemaOf(b));
      const rows = (db: typeof a): unknown => db.prepare('SELECT namespace, version FROM schema_migrations ORDER BY namespace, version').all();
      assert.deepEqual(rows(a), rows(b));
      const settings = (db: typeof a): unknown => db.prepare('SELECT name FROM kernel_settings ORDER BY name').all();
      assert.deepEqual(settings(a), settings(b), "a start's own settings are made, not copied");
      assert.notDeepEqual(
        a.prepare("SELECT value FROM kernel_settings WHERE name = 'accountId'").get(),
        b.prepare("SELECT value FROM kernel_settings WHERE name = 'accountId'").get(),
      );
      // The template itself: what this build's migrations make, but the kernel's own (each start runs them) —
      // whether or not the bin above ran the bundle (a bundle older than the modules runs them instead).
      const template = new Database(TEMPLATE, { readonly: true });
      try {
        const { kernel_settings: _kernel, ...migratedSchema } = schemaOf(b);
        assert.deepEqual(schemaOf(template), migratedSchema);
        assert.deepEqual(
          rows(template),
          (rows(b) as { namespace: string }[]).filter((row) => row.namespace !== 'kernel'),
        );
      } finally {
        template.close();
      }
    } finally {
      a.close();
      b.close();
    }
  });
});
