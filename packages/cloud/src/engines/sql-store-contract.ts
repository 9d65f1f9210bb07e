import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import type { SqlStore } from './types.js';

/**
 * The behaviour every SqlStore implementation must have. An engine's test file runs it with a function
 * that opens a fresh, empty store; the suite closes each store it opens.
 */
export function sqlStoreContract(name: string, open: () => Promise<SqlStore>): void {
  const withStore = async (fn: (store: SqlStore) => Promise<void>): Promise<void> => {
    const store = await open();
    try {
      await fn(store);
    } finally {
      await store.close();
    }
  };
  const setup = (store: SqlStore) => store.migrate('contract', ['CREATE TABLE items (id TEXT PRIMARY KEY, n INTEGER, flag INTEGER, note TEXT)']);

  void describe(`SqlStore contract: ${name}`, () => {
    void it('inserts, reads, updates and deletes rows', async () => {
      await withStore(async (store) => {
        await setup(store);
        assert.deepEqual(await store.run('INSERT INTO items (id, n, flag, note) VALUES (?, ?, ?, ?)', ['a', 1, true, undefined]), { changes: 1 });
        await store.run('INSERT INTO items (id, n, flag, note) VALUES (?, ?, ?, ?)', ['b', 2, false, 'x']);
        assert.deepEqual(await store.get('SELECT * FROM items WHERE id = ?', ['a']), { id: 'a', n: 1, flag: 1, note: null });
        assert.equal(await store.get('SELECT * FROM items WHERE id = ?', ['zz']), undefined);
        assert.deepEqual(
          (await store.all<{ id: string }>('SELECT id FROM items ORDER BY id')).map((r) => r.id),
          ['a', 'b'],
        );
        assert.deepEqual(await store.run('UPDATE items SET n = n + 10', []), { changes: 2 });
        assert.deepEqual(await store.get('SELECT n FROM items WHERE id = ?', ['b']), { n: 12 });
        assert.deepEqual(await store.run('DELETE FROM items WHERE id = ?', ['a']), { changes: 1 });
        assert.deepEqual(await store.all('SELECT id FROM items'), [{ id: 'b' }]);
      });
    });

    void it('sorts text by UTF-8 bytes (the order S3 lists keys in)', async () => {
      await withStore(async (store) => {
        await setup(store);
        for (const id of ['b', 'a/b', 'a', '\u{1F600}', '\uFF21', 'B', 'a b']) await store.run('INSERT INTO items (id) VALUES (?)', [id]);
        const ids = (await store.all<{ id: string }>('SELECT id FROM items ORDER BY id')).map((r) => r.id);
        const byBytes = [...ids].sort((x, y) => Buffer.compare(Buffer.from(x), Buffer.from(y)));
        assert.deepEqual(ids, byBytes);
      });
    });

    void it('commits a transaction and returns its result', async () => {
      await withStore(async (store) => {
        await setup(store);
        const result = await store.transaction(async (tx) => {
          await tx.run('INSERT INTO items (id, n) VALUES (?, ?)', ['a', 1]);
          return (await tx.get<{ n: number }>('SELECT n FROM items WHERE id = ?', ['a']))?.n;
        });
        assert.equal(result, 1);
        assert.deepEqual(await store.get('SELECT n FROM items'), { n: 1 });
      });
    });

    void it('rolls a transaction back when it throws, and rethrows', async () => {
      await withStore(async (store) => {
        await setup(store);
        await store.run('INSERT INTO items (id, n) VALUES (?, ?)', ['kept', 1]);
        await assert.rejects(
          store.transaction(async (tx) => {
            await tx.run('INSERT INTO items (id, n) VALUES (?, ?)', ['lost', 2]);
            await tx.run('UPDATE items SET n = 99 WHERE id = ?', ['kept']);
            throw new Error('boom');
          }),
          /boom/,
        );
        assert.deepEqual(await store.all('SELECT id, n FROM items ORDER BY id'), [{ id: 'kept', n: 1 }]);
        // The store is usable after a rollback.
        await store.transaction((tx) => tx.run('INSERT INTO items (id) VALUES (?)', ['after']));
        assert.equal((await store.all('SELECT id FROM items')).length, 2);
      });
    });

    void it('rolls back when a statement inside the transaction fails', async () => {
      await withStore(async (store) => {
        await setup(store);
        await assert.rejects(
          store.transaction(async (tx) => {
            await tx.run('INSERT INTO items (id) VALUES (?)', ['a']);
            await tx.run('INSERT INTO items (id) VALUES (?)', ['a']); // duplicate key
          }),
        );
        assert.deepEqual(await store.all('SELECT id FROM items'), []);
      });
    });

    void it('never shows another caller half a transaction, and loses no concurrent update', async () => {
      await withStore(async (store) => {
        await setup(store);
        await store.run('INSERT INTO items (id, n) VALUES (?, ?)', ['a', 1]);
        let release!: () => void;
        const gate = new Promise<void>((resolve) => (release = resolve));
        let firstRuns = 0;
        // A read-modify-write held open across an await, while another one runs and commits.
        const first = store.transaction(async (tx) => {
          firstRuns += 1;
          const row = await tx.get<{ n: number }>('SELECT n FROM items WHERE id = ?', ['a']);
          await tx.run('INSERT INTO items (id, n) VALUES (?, ?)', [`half-${firstRuns}`, 0]);
          await gate;
          await tx.run('UPDATE items SET n = ? WHERE id = ?', [(row?.n ?? 0) + 1, 'a']);
        });
        await new Promise((resolve) => setTimeout(resolve, 10));
        // Outside the transaction: the state before it, or after it (an engine may make the read wait), never half of it.
        const outsideRead = store.get<{ count: number }>("SELECT COUNT(*) AS count FROM items WHERE id LIKE 'half-%' AND n = 0");
        const second = store.transaction(async (tx) => {
          const row = await tx.get<{ n: number }>('SELECT n FROM items WHERE id = ?', ['a']);
          await tx.run('UPDATE items SET n = ? WHERE id = ?', [(row?.n ?? 0) + 10, 'a']);
        });
        await new Promise((resolve) => setTimeout(resolve, 20));
        release();
        await Promise.all([first, second]);
        const seen = (await outsideRead)?.count;
        assert.ok(seen === 0 || seen === 1, `the outside read saw ${String(seen)} half-done rows`);
        assert.deepEqual(await store.get('SELECT n FROM items WHERE id = ?', ['a']), { n: 12 }, 'both increments count, in some order');
        assert.equal(
          (await store.get<{ count: number }>("SELECT COUNT(*) AS count FROM items WHERE id LIKE 'half-%'"))?.count,
          1,
          'a transaction run again leaves one row, not two',
        );
      });
    });

    void it('joins a nested transaction to the open one', async () => {
      await withStore(async (store) => {
        await setup(store);
        await assert.rejects(
          store.transaction(async (tx) => {
            await tx.transaction((inner) => inner.run('INSERT INTO items (id) VALUES (?)', ['inner']));
            throw new Error('outer fails');
          }),
        );
        assert.deepEqual(await store.all('SELECT id FROM items'), []);
      });
    });

    void it('changes its data version on every write and at the end of every transaction, never on a read', async () => {
      await withStore(async (store) => {
        const { dataVersion } = store;
        // Optional: an engine that cannot see every write to its data does not offer one.
        if (!dataVersion) return;
        await setup(store);
        const changes = async (what: string, fn: () => Promise<unknown>, expected: boolean): Promise<void> => {
          const before = dataVersion();
          await fn().catch(() => undefined);
          assert.equal(dataVersion() !== before, expected, `${what} ${expected ? 'must change' : 'must not change'} the data version`);
        };
        await changes('an INSERT', () => store.run('INSERT INTO items (id, n) VALUES (?, ?)', ['a', 1]), true);
        await changes('an UPDATE with RETURNING through get', () => store.get('UPDATE items SET n = 2 WHERE id = ? RETURNING n', ['a']), true);
        await changes('a DELETE with RETURNING through all', () => store.all('DELETE FROM items WHERE id = ? RETURNING id', ['zz']), true);
        await changes('a SELECT through get', () => store.get('SELECT n FROM items WHERE id = ?', ['a']), false);
        await changes('a SELECT through all', () => store.all('SELECT * FROM items'), false);
        await changes('a committed transaction of reads', () => store.transaction((tx) => tx.get('SELECT n FROM items')), true);
        let inside = 0;
        await changes(
          'a rolled-back transaction',
          () =>
            store.transaction(async (tx) => {
              await tx.run('UPDATE items SET n = 3');
              inside = dataVersion();
              throw new Error('rolled back');
            }),
          true,
        );
        assert.notEqual(dataVersion(), inside, 'the rollback itself changes the version a reader inside the transaction saw');
        assert.deepEqual(await store.get('SELECT n FROM items WHERE id = ?', ['a']), { n: 2 });
        await changes('a migration', () => store.migrate('contract-2', ['CREATE TABLE other (id TEXT)']), true);
      });
    });

    void it('applies each migration once, in order, per namespace', async () => {
      await withStore(async (store) => {
        const v1 = ['CREATE TABLE m (id INTEGER PRIMARY KEY)', 'INSERT INTO m (id) VALUES (1)'];
        await store.migrate('ns', v1);
        await store.migrate('ns', v1); // again: nothing happens (a second INSERT would fail on the key)
        await store.migrate('ns', [...v1, 'INSERT INTO m (id) VALUES (2)']);
        assert.deepEqual(await store.all('SELECT id FROM m ORDER BY id'), [{ id: 1 }, { id: 2 }]);
        await store.migrate('other', ['CREATE TABLE m2 (id INTEGER)']);
        assert.deepEqual(await store.all('SELECT id FROM m2'), []);
      });
    });

    void it('leaves no trace of a migration that fails', async () => {
      await withStore(async (store) => {
        await assert.rejects(store.migrate('bad', ['CREATE TABLE t1 (id INTEGER)', 'THIS IS NOT SQL']));
        await store.migrate('bad', ['CREATE TABLE t1 (id INTEGER)']); // would fail if t1 had been kept
        assert.deepEqual(await store.all('SELECT id FROM t1'), []);
      });
    });
  });
}
