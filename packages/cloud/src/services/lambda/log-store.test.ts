import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { openPostgresStore } from '../../engines/postgres/postgres-store.js';
import { freshPostgresUrl, testPostgres } from '../../engines/postgres/postgres-test.test-helper.js';
import { createSqliteStore } from '../../engines/sqlite/sqlite-store.js';
import type { SqlStore } from '../../engines/types.js';
import { createLogger } from '../../kernel/logger.js';
import { createLogStore } from './log-store.js';
import { LAMBDA_MIGRATIONS } from './migrations.js';

const server = await testPostgres();
const engines: Array<[string, () => Promise<SqlStore>]> = [['sqlite', () => Promise.resolve(createSqliteStore(':memory:'))]];
if (server.ok) engines.push(['postgres', () => openPostgresStore(freshPostgresUrl())]);

void describe('the log store', () => {
  if (!server.ok) void it(`postgres: skipped: ${server.reason}`, { skip: server.reason });
  for (const [engine, open] of engines) {
    void it(`${engine}: keeps what a function printed, U+0000 included, and knows which groups exist`, async () => {
      const sql = await open();
      try {
        await sql.migrate('lambda', LAMBDA_MIGRATIONS);
        const logs = createLogStore({ sql, log: createLogger({ write: () => undefined, level: 'error' }), defaultRetentionDays: 30 });
        assert.equal(await logs.groupExists('/aws/lambda/f'), false);
        const printed = ['nul \u0000 inside', 'soh \u0001 and \u0001\u0002', 'plain'];
        for (const message of printed) logs.add({ functionName: 'f', stream: '2026/12/05/[$LATEST]\u0000x', timestamp: Date.now(), message });
        assert.deepEqual(
          (await logs.events({ group: '/aws/lambda/f', afterId: 0, limit: 10 })).map((e) => [e.stream, e.message]),
          printed.map((m) => ['2026/12/05/[$LATEST]\u0000x', m]),
        );
        assert.deepEqual((await logs.events({ group: '/aws/lambda/f', streamPrefix: '2026/12/05/[$LATEST]', afterId: 0, limit: 10 })).length, 3);
        assert.deepEqual(
          (await logs.streams('/aws/lambda/f', '2026/')).map((s) => s.stream),
          ['2026/12/05/[$LATEST]\u0000x'],
        );
        assert.equal(await logs.groupExists('/aws/lambda/f'), true, 'a group with events exists');
        assert.equal(await logs.groupExists('/aws/lambda/\u0000'), false);
        await logs.setRetention('/aws/lambda/g', 7);
        assert.equal(await logs.groupExists('/aws/lambda/g'), true, 'a group created empty exists');
      } finally {
        await sql.close();
      }
    });
  }

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

  void it('keeps one index on its lines, and every read and retention sweep goes through it', async () => {
    const sql = createSqliteStore(':memory:');
    await sql.migrate('lambda', LAMBDA_MIGRATIONS);
    const indexes = await sql.all<{ name: string }>("SELECT name FROM sqlite_master WHERE type = 'index' AND tbl_name = 'lambda_log_events'");
    assert.deepEqual(
      indexes.map((i) => i.name),
      ['lambda_log_events_time'],
      'each line written updates every index of the table',
    );
    // Every statement the store runs, with its parameters, to ask SQLite how it would run it.
    const statements: Array<{ text: string; params: unknown[] }> = [];
    const recording = (store: SqlStore): SqlStore => ({
      ...store,
      all: (text, params = []) => (statements.push({ text, params }), store.all(text, params)),
      get: (text, params = []) => (statements.push({ text, params }), store.get(text, params)),
      run: (text, params = []) => (statements.push({ text, params }), store.run(text, params)),
      transaction: (fn) => store.transaction((tx) => fn(recording(tx))),
    });
    const t = Date.now();
    const logs = createLogStore({ sql: recording(sql), log: createLogger({ write: () => undefined, level: 'error' }), defaultRetentionDays: 30 });
    for (let i = 0; i < 40; i++)
      logs.add({ functionName: i % 2 ? 'f' : 'g', stream: `2026/12/05/[$LATEST]${i % 4}`, timestamp: t - (40 - i) * 1000, message: `line ${i}` });
    await logs.setRetention('/aws/lambda/f', 1);
    const group = '/aws/lambda/f';
    const stream = '2026/12/05/[$LATEST]1';
    assert.equal((await logs.events({ group, afterId: 0, limit: 100 })).length, 20, 'FilterLogEvents');
    assert.equal((await logs.events({ group, startTime: t - 10_000, afterId: 0, limit: 100 })).length, 5, 'from a start time');
    assert.equal((await logs.events({ group, streams: [stream], afterId: 0, limit: 100 })).length, 10, 'GetLogEvents');
    assert.equal((await logs.events({ group, streams: [stream], afterId: 0, limit: 100, descending: true })).length, 10, 'backward');
    assert.equal((await logs.events({ group, streams: [stream], startTime: t - 20_000, endTime: t, afterId: 0, limit: 100 })).length, 5);
    assert.equal((await logs.events({ group, streamPrefix: '2026/12/05/', afterId: 0, limit: 100 })).length, 20);
    assert.equal((await logs.streams(group, undefined)).length, 2, 'DescribeLogStreams');
    assert.equal((await logs.streams(group, '2026/12/05/[$LATEST]3')).length, 1);
    assert.equal(await logs.groupExists(group), true);
    assert.equal(await logs.trim(), 0);

    const reads = statements.filter((s) => /FROM lambda_log_events/.test(s.text));
    assert.equal(reads.length, 11, 'six reads of lines, two of streams, the group check and the two sweeps');
    for (const { text, params } of reads) {
      // The sweep of groups without a retention of their own reads every line (no index starts with the time).
      if (text.includes('NOT IN (SELECT name FROM lambda_log_groups')) continue;
      const plan = await sql.all<{ detail: string }>(`EXPLAIN QUERY PLAN ${text}`, params);
      const steps = plan.map((p) => p.detail).filter((d) => d.includes(' lambda_log_events'));
      assert.ok(steps.length > 0, text);
      for (const step of steps) assert.match(step, /INDEX lambda_log_events_time/, `${text}\n${step}`);
    }
    await sql.close();
  });
});

void describe('the log store, behind a slow database', () => {
  void it('drops the lines past maxPendingChars while the database is behind, and notes how many in their stream', async () => {
    const sql = createSqliteStore(':memory:');
    try {
      await sql.migrate('lambda', LAMBDA_MIGRATIONS);
      let open = (): void => undefined;
      const gate = new Promise<void>((resolve) => (open = resolve));
      const slow: SqlStore = {
        ...sql,
        transaction: async (fn) => {
          await gate;
          return sql.transaction(fn);
        },
      };
      const logs = createLogStore({
        sql: slow,
        log: createLogger({ write: () => undefined, level: 'error' }),
        defaultRetentionDays: 30,
        maxPendingChars: 10_000,
      });
      const line = (i: number) => ({ functionName: 'f', stream: 's', timestamp: Date.now(), message: `${String(i).padStart(3, '0')} ${'x'.repeat(996)}` });
      for (let i = 0; i < 5; i++) logs.add(line(i));
      void logs.flush(); // the first batch waits for the database
      for (let i = 5; i < 50; i++) logs.add(line(i));
      open();
      const events = await logs.events({ group: '/aws/lambda/f', afterId: 0, limit: 100 });
      assert.deepEqual(
        events.slice(0, -1).map((e) => e.message.slice(0, 3)),
        ['000', '001', '002', '003', '004', '005', '006', '007', '008', '009'],
        'the lines within 10,000 characters, in order',
      );
      assert.equal(events.at(-1)?.message, '40 log lines were dropped here: the function printed them faster than the cloud could store them.');
      logs.add(line(50));
      assert.equal((await logs.events({ group: '/aws/lambda/f', afterId: 0, limit: 100 })).at(-1)?.message.slice(0, 3), '050', 'stored again once written');
    } finally {
      await sql.close();
    }
  });
});
