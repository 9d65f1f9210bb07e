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

  void it('batches up to 2,000 lines or 2 MiB of text before writing on its own (fewer, fuller transactions)', async () => {
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
    const line = (message: string) => ({ functionName: 'f', stream: 's', timestamp: Date.now(), message });
    // A batch's transaction starts after the writes queued before it: let them start (the timer waits 1 s).
    const settled = () => new Promise((resolve) => setImmediate(resolve));
    for (let i = 0; i < 1999; i++) logs.add(line(`line ${i}`));
    await settled();
    assert.equal(transactions, 0, '1,999 short lines wait for the timer');
    logs.add(line('line 1999'));
    await settled();
    assert.equal(transactions, 1, 'the 2,000th line writes the batch');
    // Long lines: 2 MiB of text is written without waiting for the count or the timer.
    const long = 'x'.repeat(256 * 1024);
    for (let i = 0; i < 7; i++) logs.add(line(long));
    await settled();
    assert.equal(transactions, 1, 'seven 256 KiB lines (1.75 MiB) wait');
    logs.add(line(long));
    await settled();
    assert.equal(transactions, 2, 'the eighth (2 MiB) writes the batch');
    await logs.flush();
    assert.equal((await logs.events({ group: '/aws/lambda/f', afterId: 0, limit: 3000 })).length, 2008);
    await sql.close();
  });
});
