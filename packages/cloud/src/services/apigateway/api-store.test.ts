import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { createSqliteStore } from '../../engines/sqlite/sqlite-store.js';
import type { SqlStore } from '../../engines/types.js';
import type { ApiDefinition } from './api-definition.js';
import { createApiStore } from './api-store.js';
import { APIGATEWAY_MIGRATIONS } from './migrations.js';

void describe('the REST API store', () => {
  void it('reads an API that misses once for every request that misses with it at one version', async () => {
    const sql = createSqliteStore(':memory:');
    try {
      await sql.migrate('apigateway', APIGATEWAY_MIGRATIONS);
      await createApiStore(sql).putApi('abc123', 'served', { resources: [] } as unknown as ApiDefinition);
      const apiReads: string[] = [];
      let version = 1;
      const held: SqlStore = {
        ...sql,
        get: (text, params) => (/FROM apigateway_apis/.test(text) && apiReads.push(String(params?.[0])), sql.get(text, params)),
        dataVersion: () => version,
      };
      const store = createApiStore(held);
      const found = await Promise.all([...Array.from({ length: 20 }, () => store.served('abc123')), ...Array.from({ length: 20 }, () => store.served('none'))]);
      assert.deepEqual(
        found.map((api) => api?.name),
        [...Array<string>(20).fill('served'), ...Array<undefined>(20).fill(undefined)],
      );
      assert.deepEqual(apiReads.sort(), ['abc123', 'none'], 'one read per id');
      await store.served('none');
      assert.equal(apiReads.length, 2, 'kept while the version holds');
      version = 2;
      await Promise.all([store.served('none'), store.served('none')]);
      assert.equal(apiReads.length, 3, 'read again at the next version');
    } finally {
      await sql.close();
    }
  });
});
