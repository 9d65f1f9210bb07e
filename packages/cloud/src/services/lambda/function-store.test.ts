import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { createSqliteStore } from '../../engines/sqlite/sqlite-store.js';
import type { SqlStore } from '../../engines/types.js';
import { createFunctionStore, type StoredFunction } from './function-store.js';
import { storedFunction } from './lambda-store.test-helper.js';
import { LAMBDA_MIGRATIONS } from './migrations.js';

const fn = (revision: string): StoredFunction => storedFunction('fn', { config: { variables: { REVISION: revision } }, revision });

void describe('the function store', () => {
  void it('keeps a function while the data version holds; a fresh read goes past it, and is kept', async () => {
    const sql = createSqliteStore(':memory:');
    try {
      await sql.migrate('lambda', LAMBDA_MIGRATIONS);
      // Another instance's write whose bus message has not arrived yet: the version this store sees holds.
      const elsewhere = createFunctionStore(sql);
      let reads = 0;
      const held: SqlStore = { ...sql, get: (text, params) => (reads++, sql.get(text, params)), dataVersion: () => 1 };
      const store = createFunctionStore(held);
      await elsewhere.put(fn('r1'));
      assert.equal((await store.get('fn'))?.revision, 'r1');
      await elsewhere.put(fn('r2'));
      assert.equal((await store.get('fn'))?.revision, 'r1', 'kept at the same version');
      assert.equal(reads, 1);
      assert.equal((await store.get('fn', { fresh: true }))?.revision, 'r2');
      assert.equal((await store.get('fn'))?.revision, 'r2', 'the fresh row is what is kept now');
      assert.equal(reads, 2);
    } finally {
      await sql.close();
    }
  });

  void it('reads a function that misses once for every invocation that misses with it at one version', async () => {
    const sql = createSqliteStore(':memory:');
    try {
      await sql.migrate('lambda', LAMBDA_MIGRATIONS);
      await createFunctionStore(sql).put(fn('r1'));
      let reads = 0;
      let version = 1;
      const held: SqlStore = { ...sql, get: (text, params) => (reads++, sql.get(text, params)), dataVersion: () => version };
      const store = createFunctionStore(held);
      const found = await Promise.all([...Array.from({ length: 20 }, () => store.get('fn')), ...Array.from({ length: 20 }, () => store.get('none'))]);
      assert.deepEqual(
        found.map((f) => f?.revision),
        [...Array<string>(20).fill('r1'), ...Array<undefined>(20).fill(undefined)],
      );
      assert.equal(reads, 2, 'one read per name');
      version = 2;
      await Promise.all([store.get('none'), store.get('none')]);
      assert.equal(reads, 3, 'read again at the next version');
    } finally {
      await sql.close();
    }
  });
});
