import assert from 'node:assert/strict';
import { mkdtemp, mkdir, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { it } from 'node:test';
import { findSqliteOnlySql } from './sqlite-only-sql.test-helper.js';

void it('finds SQLite-only SQL in a folder of sources, tests aside', async () => {
  const dir = await mkdtemp(join(tmpdir(), 'forte-sqlite-only-'));
  try {
    await mkdir(join(dir, 'sub'));
    await writeFile(
      join(dir, 'a.ts'),
      "const ok = 'INSERT INTO t (a) VALUES (?) ON CONFLICT (a) DO NOTHING';\nconst bad = 'INSERT OR IGNORE INTO t (a) VALUES (?)';\n",
    );
    await writeFile(join(dir, 'sub', 'b.ts'), 'sql.get("SELECT json_extract(doc, \'$.a\') FROM t WHERE rowid = ?");\n');
    await writeFile(join(dir, 'c.test.ts'), "sql.run('INSERT OR REPLACE INTO t VALUES (1)');\n");
    const found = findSqliteOnlySql(dir).map((line) => line.replace(/:\s.*/, ''));
    assert.deepEqual(found.sort(), ['a.ts:2', join('sub', 'b.ts') + ':1', join('sub', 'b.ts') + ':1']);
  } finally {
    await rm(dir, { recursive: true, force: true });
  }
});
