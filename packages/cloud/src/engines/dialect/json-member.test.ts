import assert from 'node:assert/strict';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, it } from 'node:test';
import { freshPostgresUrl, testPostgres } from '../postgres/postgres-test.test-helper.js';
import { openPostgresStore } from '../postgres/postgres-store.js';
import { createSqliteStore } from '../sqlite/sqlite-store.js';
import type { SqlStore } from '../types.js';
import { jsonMemberText } from './json-member.js';

/** Rows found by a member's value, through an index made with the same expression, on one engine. */
async function memberContract(sql: SqlStore): Promise<void> {
  const email = jsonMemberText(sql.dialect, 'doc', 'email');
  const custom = jsonMemberText(sql.dialect, 'doc', 'custom:team');
  await sql.migrate('json-member', ['CREATE TABLE docs (id TEXT PRIMARY KEY, doc TEXT NOT NULL)', `CREATE INDEX docs_email ON docs (lower(${email}))`]);
  const docs: Record<string, object> = {
    a: { email: 'Ann@Example.com', 'custom:team': 'red' },
    b: { email: 'bob@example.com' },
    c: { phone: '+100' },
    d: { email: '\u00c4nn@example.com' },
    e: { email: 'Zed@example.com' },
  };
  for (const [id, doc] of Object.entries(docs)) await sql.run('INSERT INTO docs (id, doc) VALUES (?, ?)', [id, JSON.stringify(doc)]);
  const ids = async (where: string, params: unknown[]): Promise<string[]> =>
    (await sql.all<{ id: string }>(`SELECT id FROM docs WHERE ${where} ORDER BY id`, params)).map((r) => r.id);
  assert.deepEqual(await ids(`lower(${email}) = lower(?)`, ['ann@EXAMPLE.com']), ['a']);
  assert.deepEqual(await ids(`${email} = ?`, ['ann@example.com']), [], 'compared as stored without lower()');
  assert.deepEqual(await ids(`${custom} = ?`, ['red']), ['a']);
  assert.deepEqual(await ids(`${email} IS NULL`, []), ['c'], 'a missing member is NULL');
  assert.deepEqual(await ids(`substr(${email}, 1, ?) = ?`, [3, 'bob']), ['b']);
  // As SQLite's lower(): A-Z only, so \u00c4 is not \u00e4; and text orders by bytes (Z before a).
  assert.deepEqual(await ids(`lower(${email}) = lower(?)`, ['\u00e4nn@example.com']), []);
  assert.deepEqual(
    (await sql.all<{ id: string }>(`SELECT id FROM docs WHERE ${email} IS NOT NULL ORDER BY ${email}`)).map((r) => r.id),
    ['a', 'e', 'b', 'd'],
  );
}

const server = await testPostgres();

void describe('jsonMemberText', () => {
  void it('reads a JSON member on SQLite, with the paths the first migrations used', async () => {
    assert.equal(jsonMemberText('sqlite', 'attributes', 'email'), "json_extract(attributes, '$.email')");
    const dir = await mkdtemp(join(tmpdir(), 'forte-json-member-'));
    const sql = createSqliteStore(join(dir, 'db'));
    try {
      await memberContract(sql);
    } finally {
      await sql.close();
      await rm(dir, { recursive: true, force: true });
    }
  });
  void it('reads a JSON member on PostgreSQL', { skip: server.ok ? false : server.reason }, async () => {
    const sql = await openPostgresStore(freshPostgresUrl());
    try {
      await memberContract(sql);
    } finally {
      await sql.close();
    }
  });
  void it('refuses a member name it would have to quote', () => {
    assert.throws(() => jsonMemberText('postgres', 'doc', "x') OR ('1"), /not a JSON member name/);
    assert.throws(() => jsonMemberText('sqlite', 'doc', 'a"b'), /not a JSON member name/);
  });
});
