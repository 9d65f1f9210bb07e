import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { freshPostgresUrl, testPostgres } from '../postgres/postgres-test.test-helper.js';
import { openPostgresStore } from '../postgres/postgres-store.js';
import { createSqliteStore } from '../sqlite/sqlite-store.js';
import type { SqlStore } from '../types.js';
import { escapeNul, nulSafeText, storedLength, unescapeNul } from './nul-text.js';

const server = await testPostgres();
const TEXTS = ['', 'a', 'a\u0000', 'a\u0000b', 'a\u0001', 'a\u0001\u0001', 'a\u0002', 'a\t', 'ab', 'b', '\u0000', '\u0001\u0002', 'é', '😀', 'a😀\u0000'];

void describe('text with U+0000', () => {
  void it('escapes reversibly, keeping byte order and prefixes', () => {
    const bytes = (s: string) => Buffer.from(s, 'utf8');
    for (const a of TEXTS) {
      assert.equal(unescapeNul(escapeNul(a)), a);
      assert.ok(!escapeNul(a).includes('\u0000'));
      for (const b of TEXTS) {
        assert.equal(
          Math.sign(Buffer.compare(bytes(escapeNul(a)), bytes(escapeNul(b)))),
          Math.sign(Buffer.compare(bytes(a), bytes(b))),
          `${JSON.stringify(a)} ? ${JSON.stringify(b)}`,
        );
        assert.equal(escapeNul(a).startsWith(escapeNul(b)), a.startsWith(b), `${JSON.stringify(a)} starts with ${JSON.stringify(b)}`);
      }
    }
    assert.equal(escapeNul('plain text'), 'plain text');
  });

  const engines: Array<[string, () => Promise<SqlStore>]> = [['sqlite', () => Promise.resolve(createSqliteStore(':memory:'))]];
  if (server.ok) engines.push(['postgres', () => openPostgresStore(freshPostgresUrl())]);
  else void it(`postgres: skipped: ${server.reason}`, { skip: server.reason });

  for (const [engine, open] of engines) {
    void it(`${engine}: stores, finds, orders and matches prefixes of such text as given`, async () => {
      const sql = nulSafeText(await open());
      try {
        await sql.migrate('nul-text-test', ['CREATE TABLE t (k TEXT PRIMARY KEY)']);
        await sql.transaction(async (tx) => {
          for (const k of TEXTS) await tx.run('INSERT INTO t (k) VALUES (?)', [k]);
        });
        const sorted = [...TEXTS].sort((a, b) => Buffer.compare(Buffer.from(a), Buffer.from(b)));
        assert.deepEqual(
          (await sql.all<{ k: string }>('SELECT k FROM t ORDER BY k')).map((r) => r.k),
          sorted,
        );
        assert.deepEqual(await sql.get('SELECT k FROM t WHERE k = ?', ['a\u0000b']), { k: 'a\u0000b' });
        assert.equal(await sql.get('SELECT k FROM t WHERE k = ?', ['a\u0000c']), undefined);
        assert.deepEqual(
          (await sql.all<{ k: string }>('SELECT k FROM t WHERE k > ? ORDER BY k', ['a\u0000'])).map((r) => r.k),
          sorted.filter((k) => Buffer.compare(Buffer.from(k), Buffer.from('a\u0000')) > 0),
        );
        assert.deepEqual(
          (await sql.all<{ k: string }>('SELECT k FROM t WHERE substr(k, 1, ?) = ? ORDER BY k', [storedLength(sql, 'a'), 'a'])).map((r) => r.k),
          sorted.filter((k) => k.startsWith('a')),
        );
        assert.deepEqual(
          (await sql.all<{ k: string }>('SELECT k FROM t WHERE substr(k, 1, ?) = ? ORDER BY k', [storedLength(sql, 'a😀'), 'a😀'])).map((r) => r.k),
          ['a😀\u0000'],
        );
      } finally {
        await sql.close();
      }
    });
  }
});
