import assert from 'node:assert/strict';
import { it } from 'node:test';
import { findSqliteOnlySql, sourceFolder } from '../../engines/dialect/portable-sql-guard.test-helper.js';

void it('the control plane holds no SQL that only SQLite runs', () => {
  for (const folder of ['services/control']) assert.deepEqual(findSqliteOnlySql(sourceFolder(import.meta.url, folder)), [], folder);
});
