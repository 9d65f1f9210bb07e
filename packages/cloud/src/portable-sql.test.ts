import assert from 'node:assert/strict';
import { fileURLToPath } from 'node:url';
import { it } from 'node:test';
import { findSqliteOnlySql } from './engines/dialect/sqlite-only-sql.test-helper.js';

// Every service and the kernel write SQL once, for SQLite and PostgreSQL alike (docs/architecture.md,
// Engines); where the dialects must differ, they call a named helper of engines/dialect. The sources are
// read from the built test's place.
for (const folder of ['services', 'kernel'])
  void it(`src/${folder} holds no SQL that only SQLite runs`, () => {
    assert.deepEqual(findSqliteOnlySql(fileURLToPath(new URL(`../src/${folder}/`, import.meta.url))), []);
  });
