import assert from 'node:assert/strict';
import { it } from 'node:test';
import { findSqliteOnlySql, sourceFolder } from '../engines/dialect/portable-sql-guard.test-helper.js';

void it('the kernel holds no SQL that only SQLite runs', () => {
  assert.deepEqual(findSqliteOnlySql(sourceFolder(import.meta.url, 'kernel')), []);
});
