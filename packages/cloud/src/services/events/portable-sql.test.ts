import assert from 'node:assert/strict';
import { it } from 'node:test';
import { findSqliteOnlySql, sourceFolder } from '../../engines/dialect/portable-sql-guard.test-helper.js';

void it('the events service holds no SQL that only SQLite runs', () => {
  for (const folder of ['services/events']) assert.deepEqual(findSqliteOnlySql(sourceFolder(import.meta.url, folder)), [], folder);
});
