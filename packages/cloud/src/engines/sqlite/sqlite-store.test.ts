import { rmSync } from 'node:fs';
import { mkdtemp } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import assert from 'node:assert/strict';
import { after, describe, it } from 'node:test';
import Database from 'better-sqlite3';
import { sqlStoreContract } from '../sql-store-contract.js';
import { createSqliteStore } from './sqlite-store.js';

const dirs: string[] = [];
after(() => dirs.forEach((dir) => rmSync(dir, { recursive: true, force: true })));

sqlStoreContract('sqlite', async () => {
  const dir = await mkdtemp(join(tmpdir(), 'forte-sqlite-'));
  dirs.push(dir);
  return createSqliteStore(join(dir, 'test.db'));
});

void describe('sqlite: another process holding the write lock', () => {
  const open = async (busyWaitMs?: number) => {
    const dir = await mkdtemp(join(tmpdir(), 'forte-sqlite-busy-'));
    dirs.push(dir);
    const file = join(dir, 'test.db');
    const store = createSqliteStore(file, busyWaitMs === undefined ? {} : { busyWaitMs });
    await store.run('CREATE TABLE t (id INTEGER PRIMARY KEY AUTOINCREMENT, v TEXT NOT NULL)');
    const outside = new Database(file);
    return { store, outside };
  };

  void it('waits for the lock without holding the event loop, keeps the order of calls, and writes once it is free', async () => {
    const { store, outside } = await open();
    outside.exec('BEGIN IMMEDIATE');
    outside.prepare('INSERT INTO t (v) VALUES (?)').run('outside');
    const seen: string[] = [];
    const first = store.run('INSERT INTO t (v) VALUES (?)', ['first']).then(() => seen.push('first written'));
    const second = store.transaction((tx) => tx.run('INSERT INTO t (v) VALUES (?)', ['second'])).then(() => seen.push('second written'));
    // The event loop turns while both wait: timers run, and so does the outside process's commit.
    await new Promise((resolve) => setTimeout(resolve, 50));
    seen.push('timer ran');
    outside.exec('COMMIT');
    await Promise.all([first, second]);
    assert.deepEqual(seen, ['timer ran', 'first written', 'second written']);
    assert.deepEqual(
      (await store.all<{ v: string }>('SELECT v FROM t ORDER BY id')).map((r) => r.v),
      ['outside', 'first', 'second'],
    );
    outside.close();
    await store.close();
  });

  void it('gives up with SQLITE_BUSY past its wait, for a statement and a transaction, and works again once the lock is gone', async () => {
    const { store, outside } = await open(100);
    outside.exec('BEGIN IMMEDIATE');
    let ticks = 0;
    const ticker = setInterval(() => (ticks += 1), 5);
    await assert.rejects(store.run('INSERT INTO t (v) VALUES (?)', ['late']), { code: 'SQLITE_BUSY' });
    await assert.rejects(
      store.transaction((tx) => tx.run('INSERT INTO t (v) VALUES (?)', ['late'])),
      { code: 'SQLITE_BUSY' },
    );
    clearInterval(ticker);
    assert.ok(ticks > 0, 'timers ran while the writes waited');
    outside.exec('ROLLBACK');
    await store.run('INSERT INTO t (v) VALUES (?)', ['now']);
    assert.deepEqual(
      (await store.all<{ v: string }>('SELECT v FROM t')).map((r) => r.v),
      ['now'],
    );
    outside.close();
    await store.close();
  });
});
