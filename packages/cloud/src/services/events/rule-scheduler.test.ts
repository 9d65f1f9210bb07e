import assert from 'node:assert/strict';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, describe, it } from 'node:test';
import { createSqliteStore } from '../../engines/sqlite/sqlite-store.js';
import type { SqlStore } from '../../engines/types.js';
import type { FunctionInvoker } from '../../kernel/capabilities.js';
import { createLogger } from '../../kernel/logger.js';
import type { EventsClock } from './events-clock.js';
import { EVENTS_MIGRATIONS } from './migrations.js';
import { createRuleScheduler } from './rule-scheduler.js';
import { createRuleStore } from './rule-store.js';

const MINUTE = 60_000;
const T0 = Date.parse('2026-12-05T10:00:00Z');

/** A scheduler on a clock the test sets; its timer never fires by itself within a test (the clock stands still). */
function harness(sql: SqlStore, time = { now: T0 }) {
  const clock: EventsClock = { now: () => time.now, realDelay: () => 3_600_000 };
  const invoked: Array<{ target: string; payload: Record<string, unknown> }> = [];
  const functions: FunctionInvoker = {
    invoke: (target, payload) => {
      invoked.push({ target, payload: JSON.parse(payload) as Record<string, unknown> });
      return Promise.resolve({ statusCode: 202 });
    },
    exists: () => Promise.resolve(true),
    permits: () => Promise.resolve(false),
  };
  const store = createRuleStore(sql);
  const scheduler = createRuleScheduler({
    store,
    clock,
    functions: () => functions,
    log: createLogger({ write: () => undefined }),
    account: '123456789012',
    region: 'us-east-1',
  });
  return { store, scheduler, invoked, setNow: (t: number) => void (time.now = t) };
}

void describe('rule scheduler', () => {
  let dir: string;
  let sql: SqlStore;
  before(async () => {
    dir = await mkdtemp(join(tmpdir(), 'forte-rule-scheduler-'));
    sql = createSqliteStore(join(dir, 'db'));
    await sql.migrate('events', EVENTS_MIGRATIONS);
  });
  after(async () => {
    await sql.close();
    await rm(dir, { recursive: true, force: true });
  });

  const rule = (name: string, state: 'ENABLED' | 'DISABLED', nextFireAt: number | undefined) => ({
    name,
    arn: `arn:aws:events:us-east-1:123456789012:rule/${name}`,
    scheduleExpression: 'rate(1 minute)',
    state,
    targets: [{ Id: name, Arn: `arn:aws:lambda:us-east-1:123456789012:function:${name}` }],
    anchorAt: T0,
    nextFireAt,
  });

  void it('fires a schedule missed while the cloud was down once, at the latest missed time', async () => {
    const { store, scheduler, invoked, setNow } = harness(sql);
    await store.put(rule('down', 'ENABLED', T0 + MINUTE));
    setNow(T0 + 5 * MINUTE + 30_000);
    await scheduler.start();
    await scheduler.stop();
    assert.deepEqual(
      invoked.map((i) => i.payload.time),
      ['2026-12-05T10:05:00Z'],
    );
    assert.equal((await store.get('down'))?.nextFireAt, T0 + 6 * MINUTE);
    await store.delete('down');
  });

  void it('fires each period a running cloud is behind, and skips disabled rules', async () => {
    const { store, scheduler, invoked, setNow } = harness(sql);
    await store.put(rule('late', 'ENABLED', T0 + 2 * MINUTE));
    await store.put(rule('off', 'DISABLED', undefined));
    await scheduler.start();
    assert.equal(invoked.length, 0);
    setNow(T0 + 4 * MINUTE + 10_000);
    await scheduler.changed();
    // The timer is re-armed for what is still due; each wake fires one period.
    for (let i = 0; i < 5 && invoked.length < 3; i++) await scheduler.changed();
    await scheduler.stop();
    assert.deepEqual(
      invoked.map((i) => [i.target.split(':').at(-1), i.payload.time]),
      [
        ['late', '2026-12-05T10:02:00Z'],
        ['late', '2026-12-05T10:03:00Z'],
        ['late', '2026-12-05T10:04:00Z'],
      ],
    );
    assert.equal((await store.get('late'))?.nextFireAt, T0 + 5 * MINUTE);
  });

  void it('fires each period once when two instances share the database: the one whose update moved the rule fires it', async () => {
    const time = { now: T0 };
    const [a, b] = [harness(sql, time), harness(sql, time)];
    await a.store.put(rule('shared', 'ENABLED', T0 + MINUTE));
    await Promise.all([a.scheduler.start(), b.scheduler.start()]);
    for (let minute = 1; minute <= 3; minute++) {
      time.now = T0 + minute * MINUTE;
      await Promise.all([a.scheduler.changed(), b.scheduler.changed(), a.scheduler.changed(), b.scheduler.changed()]);
    }
    await Promise.all([a.scheduler.stop(), b.scheduler.stop()]);
    const times = [...a.invoked, ...b.invoked].map((i) => String(i.payload.time)).sort();
    assert.deepEqual(times, ['2026-12-05T10:01:00Z', '2026-12-05T10:02:00Z', '2026-12-05T10:03:00Z']);
    assert.equal((await a.store.get('shared'))?.nextFireAt, T0 + 4 * MINUTE);
    await a.store.delete('shared');
  });
});
