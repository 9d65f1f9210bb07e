import assert from 'node:assert/strict';
import { fileURLToPath } from 'node:url';
import { it } from 'node:test';
import { findSqliteOnlySql } from '../../engines/dialect/sqlite-only-sql.test-helper.js';

// The service's statements run on SQLite and PostgreSQL alike (the sources, read from the built test's place).
void it('holds no SQL that only SQLite runs', () => {
  const sources = fileURLToPath(new URL('../../../src/services/dynamodb/', import.meta.url));
  assert.deepEqual(findSqliteOnlySql(sources), []);
});
