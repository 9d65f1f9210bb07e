import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { createSqliteStore } from '../../engines/sqlite/sqlite-store.js';
import type { SqlStore } from '../../engines/types.js';
import { createLogger } from '../../kernel/logger.js';
import { createLogStore } from './log-store.js';
import { LAMBDA_MIGRATIONS } from './migrations.js';

void describe('the log store', () => {
  void it('writes a burst of lines in one transaction, not one per line', async () => {
    const sql = createSqliteStore(':memory:');
    await sql.migrate('lambda', LAMBDA_MIGRATIONS);
    let transactions = 0;
    const counting: SqlStore = {
      ...sql,
      transaction: (fn) => {
        transactions += 1;
        return sql.transaction(fn);
      },
    };
    const logs = createLogStore({ sql: counting, log: createLogger({ write: () => undefined, level: 'error' }), defaultRetentionDays: 30 });
    for (let i = 0; i < 300; i++) logs.add({ functionName: 'f', stream: 's', timestamp: Date.now(), message: `line ${i}` });
    assert.equal(transactions, 0, 'nothing is written on the hot path');
    await logs.flush();
    assert.equal(transactions, 1);
    const stored = await logs.events({ group: '/aws/lambda/f', afterId: 0, limit: 1000 });
    assert.equal(stored.length, 300);
    assert.equal(stored[299]?.message, 'line 299');
    await sql.close();
  });
});
