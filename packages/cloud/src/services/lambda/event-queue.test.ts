import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { setTimeout as sleep } from 'node:timers/promises';
import { createSqliteStore } from '../../engines/sqlite/sqlite-store.js';
import type { SqlStore } from '../../engines/types.js';
import { createLogger } from '../../kernel/logger.js';
import { createEventQueue, type QueuedAttempt } from './event-queue.js';
import { LAMBDA_MIGRATIONS } from './migrations.js';

const log = createLogger({ write: () => undefined, level: 'error' });
const done: QueuedAttempt = { kind: 'done', outcome: { payload: 'null', durationMs: 1, billedDurationMs: 1, maxMemoryUsedMb: 1 } };

async function database(): Promise<SqlStore> {
  const sql = createSqliteStore(':memory:');
  await sql.migrate('lambda', LAMBDA_MIGRATIONS);
  return sql;
}

/** A queue whose runs are recorded in `ran` (request id → when each run started). */
function queueOn(sql: SqlStore, instance: string, ran: Map<string, number[]>, options: { shared: boolean; leaseMs?: number }) {
  return createEventQueue({
    sql,
    log,
    retryDelaysMs: [0, 0],
    instance,
    leaseMs: options.leaseMs ?? 30_000,
    shared: options.shared,
    run: async (_fn, payload) => {
      const id = (JSON.parse(payload) as { id: string }).id;
      ran.set(id, [...(ran.get(id) ?? []), Date.now()]);
      await sleep(5);
      return done;
    },
  });
}

async function until(check: () => Promise<boolean> | boolean): Promise<void> {
  for (let i = 0; i < 1000 && !(await check()); i++) await sleep(10);
}

void describe('the Event queue', () => {
  void it('runs each invocation once when two instances read one queue', async () => {
    const sql = await database();
    const ran = new Map<string, number[]>();
    const a = queueOn(sql, 'a', ran, { shared: true });
    const b = queueOn(sql, 'b', ran, { shared: true });
    await Promise.all([a.start(), b.start()]);
    const ids = Array.from({ length: 20 }, (_, i) => `e${i}`);
    await Promise.all(ids.map((id, i) => (i % 2 === 0 ? a : b).enqueue('fn', JSON.stringify({ id }), undefined)));
    await until(async () => (await a.pending()) === 0);
    for (const q of [a, b]) q.stop();
    await Promise.all([a.settled(), b.settled()]);
    assert.deepEqual(
      ids.map((id) => ran.get(id)?.length),
      ids.map(() => 1),
    );
  });

  void it("leaves another instance's claim alone until its lease lapses, then runs it", async () => {
    const sql = await database();
    const ran = new Map<string, number[]>();
    const idle = queueOn(sql, 'idle', ran, { shared: true });
    await idle.enqueue('fn', JSON.stringify({ id: 'claimed' }), undefined); // not started: queued only
    const lapses = Date.now() + 300;
    await sql.run("UPDATE lambda_event_invocations SET owner = 'killed', lease_until = ?", [lapses]);
    const b = queueOn(sql, 'b', ran, { shared: true });
    await b.start();
    await until(() => ran.has('claimed'));
    b.stop();
    await b.settled();
    assert.equal(ran.get('claimed')?.length, 1);
    assert.ok(ran.get('claimed')![0]! >= lapses, 'it ran only after the lease lapsed');
  });

  void it('runs at once, alone on its database, what an earlier run of the cloud had claimed', async () => {
    const sql = await database();
    const ran = new Map<string, number[]>();
    const earlier = queueOn(sql, 'earlier', ran, { shared: false });
    await earlier.enqueue('fn', JSON.stringify({ id: 'left' }), undefined);
    await sql.run("UPDATE lambda_event_invocations SET owner = 'earlier', lease_until = ?", [Date.now() + 3600_000]);
    const restarted = queueOn(sql, 'restarted', ran, { shared: false });
    await restarted.start();
    await until(async () => (await restarted.pending()) === 0);
    restarted.stop();
    await restarted.settled();
    assert.equal(ran.get('left')?.length, 1);
  });

  void it('reads the queue again after the database failed a read', async () => {
    const sql = await database();
    let failures = 1;
    const flaky: SqlStore = {
      ...sql,
      all: async (statement, params) => {
        if (failures-- > 0) throw new Error('connection lost');
        return sql.all(statement, params);
      },
    };
    const ran = new Map<string, number[]>();
    const queue = queueOn(flaky, 'flaky', ran, { shared: true });
    await queue.enqueue('fn', JSON.stringify({ id: 'after-failure' }), undefined);
    await queue.start();
    await until(() => ran.has('after-failure'));
    queue.stop();
    await queue.settled();
    assert.equal(failures < 0, true, 'a read failed');
    assert.equal(ran.get('after-failure')?.length, 1);
  });
});
