import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { openPostgresStore } from '../../engines/postgres/postgres-store.js';
import { freshPostgresUrl, testPostgres } from '../../engines/postgres/postgres-test.test-helper.js';
import { createSqliteStore } from '../../engines/sqlite/sqlite-store.js';
import type { SqlStore } from '../../engines/types.js';
import type { AnsweredRequest } from '../../kernel/capabilities.js';
import { createLogger } from '../../kernel/logger.js';
import { REQUEST_LOG_MIGRATIONS } from './migrations.js';
import { createRequestLogStore } from './request-log-store.js';

const server = await testPostgres();
const engines: Array<[string, () => Promise<SqlStore>]> = [['sqlite', () => Promise.resolve(createSqliteStore(':memory:'))]];
if (server.ok) engines.push(['postgres', () => openPostgresStore(freshPostgresUrl())]);
const quiet = createLogger({ write: () => undefined, level: 'error' });

let counter = 0;
const request = (fields: Partial<AnsweredRequest> = {}): AnsweredRequest => ({
  at: 1_000_000,
  requestId: `r${String(counter++).padStart(6, '0')}`,
  method: 'POST',
  path: '/dynamodb/',
  status: 200,
  ms: 1.5,
  route: 'dynamodb',
  client: '127.0.0.1',
  caller: { kind: 'admin', accessKeyId: 'AKIDADMIN' },
  ...fields,
});

/**
 * A store whose writes (transactions, and statements outside one) are counted, and held until released when
 * `hold` is set.
 */
function countingStore(sql: SqlStore) {
  const state = { writes: 0, hold: undefined as Promise<void> | undefined };
  const store: SqlStore = {
    ...sql,
    dialect: sql.dialect,
    run: async (text, params) => {
      state.writes += 1;
      if (state.hold) await state.hold;
      return sql.run(text, params);
    },
    transaction: async (fn) => {
      state.writes += 1;
      if (state.hold) await state.hold;
      return sql.transaction(fn);
    },
  };
  return { store, state };
}

void describe('the request log store', () => {
  if (!server.ok) void it(`postgres: skipped: ${server.reason}`, { skip: server.reason });
  for (const [engine, open] of engines) {
    void it(`${engine}: filters by status (exact and class), service, principal, access key, user and time, newest first, in pages`, async () => {
      const sql = await open();
      try {
        await sql.migrate('request-log', REQUEST_LOG_MIGRATIONS);
        const log = createRequestLogStore({ sql, log: quiet });
        const rows = [
          request({ at: 1000, status: 200, route: 'dynamodb' }),
          request({ at: 2000, status: 400, route: 'dynamodb' }),
          request({ at: 3000, status: 404, route: 's3', caller: { kind: 'anonymous' } }),
          request({ at: 4000, status: 500, route: 'appsync-graphql', caller: { kind: 'user-pool', user: 'alice' } }),
          request({ at: 5000, status: 200, route: 'appsync-graphql', caller: { kind: 'api-key' } }),
          request({ at: 6000, status: 403, route: 'cognito-idp', caller: { kind: 'role', accessKeyId: 'ASIAROLE', user: 'us-east-1:id' } }),
        ];
        for (const r of rows) log.record(r);
        const ids = async (query: Parameters<typeof log.query>[0]): Promise<string[]> => (await log.query(query)).map((r) => r.requestId);
        const id = (i: number): string => rows[i]!.requestId;
        assert.deepEqual(await ids({ limit: 10 }), [5, 4, 3, 2, 1, 0].map(id), 'newest first');
        assert.deepEqual(await ids({ limit: 10, status: [400, 499] }), [5, 2, 1].map(id), '4xx');
        assert.deepEqual(await ids({ limit: 10, status: 404 }), [id(2)]);
        assert.deepEqual(await ids({ limit: 10, status: [500, 599] }), [id(3)]);
        assert.deepEqual(await ids({ limit: 10, service: 'appsync' }), [4, 3].map(id), 'a service finds its routes');
        assert.deepEqual(await ids({ limit: 10, service: 'appsync-graphql' }), [4, 3].map(id));
        assert.deepEqual(await ids({ limit: 10, service: 'apps' }), [], 'not a prefix of a name');
        assert.deepEqual(await ids({ limit: 10, principal: 'anonymous' }), [id(2)]);
        assert.deepEqual(await ids({ limit: 10, principal: 'admin', status: [400, 499] }), [id(1)], 'filters combine');
        assert.deepEqual(await ids({ limit: 10, accessKeyId: 'ASIAROLE' }), [id(5)]);
        assert.deepEqual(await ids({ limit: 10, user: 'alice' }), [id(3)]);
        assert.deepEqual(await ids({ limit: 10, from: 2000, to: 4000 }), [3, 2, 1].map(id), 'an inclusive time range');
        const first = await log.query({ limit: 2 });
        assert.deepEqual(
          first.map((r) => r.requestId),
          [5, 4].map(id),
        );
        const last = first[first.length - 1]!;
        assert.deepEqual(await ids({ limit: 2, before: { at: last.at, requestId: last.requestId } }), [3, 2].map(id), 'the next page');
        const [row] = await log.query({ limit: 1, user: 'us-east-1:id' });
        assert.deepEqual(row, {
          at: 6000,
          requestId: id(5),
          method: 'POST',
          path: '/dynamodb/',
          status: 403,
          ms: 1.5,
          service: 'cognito-idp',
          client: '127.0.0.1',
          principal: 'role',
          accessKeyId: 'ASIAROLE',
          user: 'us-east-1:id',
        });
        // Rows of one millisecond page by request id.
        const same = [request({ at: 7000 }), request({ at: 7000 }), request({ at: 7000 })];
        for (const r of same) log.record(r);
        const page1 = await log.query({ limit: 2, from: 7000 });
        const tail = page1[1]!;
        const page2 = await log.query({ limit: 2, from: 7000, before: { at: tail.at, requestId: tail.requestId } });
        assert.deepEqual(
          [...page1, ...page2].map((r) => r.requestId),
          same.map((r) => r.requestId).reverse(),
        );
      } finally {
        await sql.close();
      }
    });

    void it(`${engine}: the sweep deletes rows older than keepMs, then the oldest beyond maxRows`, async () => {
      const sql = await open();
      try {
        await sql.migrate('request-log', REQUEST_LOG_MIGRATIONS);
        let now = 100_000;
        const log = createRequestLogStore({ sql, log: quiet, settings: { keepMs: 10_000, maxRows: 3 }, now: () => now });
        for (const at of [80_000, 89_999, 90_000, 95_000, 96_000, 97_000, 98_000]) log.record(request({ at }));
        await log.flush();
        assert.equal(await log.sweep(), 4, 'two too old, then two beyond three rows');
        assert.deepEqual(
          (await log.query({ limit: 10 })).map((r) => r.at),
          [98_000, 97_000, 96_000],
        );
        now = 106_500;
        assert.equal(await log.sweep(), 1);
        assert.deepEqual(
          (await log.query({ limit: 10 })).map((r) => r.at),
          [98_000, 97_000],
        );
        assert.equal(await log.sweep(), 0, 'nothing more to sweep');
      } finally {
        await sql.close();
      }
    });
  }

  void it('writes a burst in one transaction, off the request path, and none per request', async () => {
    const sql = createSqliteStore(':memory:');
    await sql.migrate('request-log', REQUEST_LOG_MIGRATIONS);
    const { store, state } = countingStore(sql);
    const log = createRequestLogStore({ sql: store, log: quiet, settings: { flushAt: 1000 } });
    for (let i = 0; i < 450; i++) log.record(request());
    assert.equal(state.writes, 0, 'recording writes nothing');
    await log.flush();
    assert.equal(state.writes, 1, '450 requests, one transaction (multi-row INSERTs)');
    for (let i = 0; i < 80; i++) log.record(request());
    await log.flush();
    assert.equal(state.writes, 2, 'a batch of one INSERT needs no transaction');
    assert.equal((await sql.get<{ n: number }>('SELECT COUNT(*) AS n FROM request_log'))?.n, 530);
    await log.stop();
    await sql.close();
  });

  void it('writes on its own once a batch is full or its time has come', async () => {
    const sql = createSqliteStore(':memory:');
    await sql.migrate('request-log', REQUEST_LOG_MIGRATIONS);
    const log = createRequestLogStore({ sql, log: quiet, settings: { flushAt: 5, flushMs: 20 } });
    const count = async (): Promise<number> => (await sql.get<{ n: number }>('SELECT COUNT(*) AS n FROM request_log'))?.n ?? 0;
    for (let i = 0; i < 5; i++) log.record(request());
    while ((await count()) < 5) await new Promise((resolve) => setTimeout(resolve, 5));
    log.record(request());
    while ((await count()) < 6) await new Promise((resolve) => setTimeout(resolve, 5));
    await log.stop();
    await sql.close();
  });

  void it('keeps memory bounded while the database is slow: the oldest waiting requests are dropped and counted', async () => {
    const sql = createSqliteStore(':memory:');
    await sql.migrate('request-log', REQUEST_LOG_MIGRATIONS);
    const { store, state } = countingStore(sql);
    let release = (): void => undefined;
    state.hold = new Promise<void>((resolve) => (release = resolve));
    const log = createRequestLogStore({ sql: store, log: quiet, settings: { flushAt: 10, maxBuffered: 50 } });
    const recorded: AnsweredRequest[] = [];
    for (let i = 0; i < 10; i++) recorded.push(request());
    for (const r of recorded) log.record(r); // the tenth starts a write, which the database holds
    assert.equal(state.writes, 1);
    const later: AnsweredRequest[] = [];
    for (let i = 0; i < 200; i++) later.push(request());
    for (const r of later) log.record(r);
    assert.equal(state.writes, 1, 'one write at a time');
    assert.equal(log.dropped(), 150, 'at most 50 wait');
    release();
    await log.flush();
    const stored = (await sql.all<{ request_id: string }>('SELECT request_id FROM request_log ORDER BY request_id')).map((r) => r.request_id);
    assert.deepEqual(
      stored,
      [...recorded, ...later.slice(150)].map((r) => r.requestId),
      'the newest are kept',
    );
    await log.stop();
    await sql.close();
  });

  void it('counts a failed write as dropped and goes on', async () => {
    const sql = createSqliteStore(':memory:');
    await sql.migrate('request-log', REQUEST_LOG_MIGRATIONS);
    let fail = true;
    const failing: SqlStore = {
      ...sql,
      dialect: sql.dialect,
      run: (text, params) => (fail ? Promise.reject(new Error('database gone')) : sql.run(text, params)),
      transaction: (fn) => (fail ? Promise.reject(new Error('database gone')) : sql.transaction(fn)),
    };
    const errors: string[] = [];
    const log = createRequestLogStore({ sql: failing, log: createLogger({ write: (line) => void errors.push(line), level: 'error' }) });
    log.record(request());
    log.record(request());
    await log.flush();
    assert.equal(log.dropped(), 2);
    assert.match(errors.join(''), /could not be written to the request log/);
    fail = false;
    log.record(request());
    await log.flush();
    assert.equal((await sql.get<{ n: number }>('SELECT COUNT(*) AS n FROM request_log'))?.n, 1);
    await log.stop();
    await sql.close();
  });
});
