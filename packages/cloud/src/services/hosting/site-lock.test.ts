import assert from 'node:assert/strict';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, describe, it } from 'node:test';
import { setTimeout as sleep } from 'node:timers/promises';
import type { SqlStore } from '../../engines/types.js';
import { openTestStore } from '../../engines/test-database.test-helper.js';
import { createClusterLeases } from '../../kernel/cluster-leases.js';
import { createLogger } from '../../kernel/logger.js';
import { createSiteLock, type SiteLock } from './site-lock.js';
import { siteStore } from './site-store.js';

const log = createLogger({ level: 'error', write: () => undefined });

async function openStore(prefix: string): Promise<SqlStore> {
  const dir = await mkdtemp(join(tmpdir(), prefix));
  after(() => rm(dir, { recursive: true, force: true }));
  const sql = await openTestStore(dir);
  after(() => sql.close());
  return sql;
}

const lockOf = async (sql: SqlStore, instance: string, leaseMs: number, shared = true): Promise<SiteLock> => {
  const leases = await createClusterLeases({ sql, instance, leaseMs, shared });
  return createSiteLock({ leases: () => leases, shared, log, waitMs: 10_000 });
};

void describe('site lock (a shared database: FORTE_TEST_DATABASE=postgres runs it there)', () => {
  void it('makes an instance wait while another holds a site, and refuses the writes of a holder whose lease lapsed', async () => {
    const sql = await openStore('forte-site-lock-');
    // Leases of 1.5 s, renewed every 0.5 s: long enough that a busy machine's pauses do not let one lapse.
    const [a, b] = await Promise.all([lockOf(sql, 'a', 1500), lockOf(sql, 'b', 1500)]);
    const order: string[] = [];
    let release!: () => void;
    const holding = a.run('site-1', async () => {
      order.push('a starts');
      await new Promise<void>((resolve) => (release = resolve));
      order.push('a ends');
    });
    while (order.length === 0) await sleep(5);
    assert.deepEqual(await b.tryRun('site-1', async () => 'ran'), { ran: false }, 'busy on A');
    assert.deepEqual(await b.tryRun('site-2', async () => 'ran'), { ran: true, value: 'ran' }, 'another site is free');
    const waiting = b.run('site-1', async () => order.push('b runs'));
    // A holds it for more than two lease periods (its renewals keep it): B still waits.
    await sleep(3500);
    assert.deepEqual(order, ['a starts']);
    release();
    await Promise.all([holding, waiting]);
    assert.deepEqual(order, ['a starts', 'a ends', 'b runs']);

    // A holder that stalls past its lease: its guarded check refuses once another instance took the site.
    const stalled = await createClusterLeases({ sql, instance: 'stalled', leaseMs: 200, shared: true });
    assert.equal(await stalled.claim('hosting-site:site-3'), true);
    const guard = stalled.held('hosting-site:site-3');
    await siteStore.requireHeld(sql, guard);
    await sleep(250);
    await b.run('site-3', async (own) => {
      await siteStore.requireHeld(sql, own);
      await assert.rejects(siteStore.requireHeld(sql, guard), { code: 'ConflictException' }, 'the stalled holder is refused');
    });
  });

  void it('on a database no one shares, orders the tasks of a site in process without a lease table', async () => {
    const sql = await openStore('forte-site-lock-alone-');
    const lock = await lockOf(sql, 'a', 300, false);
    const order: number[] = [];
    await Promise.all(
      [1, 2, 3].map((n) =>
        lock.run('site-1', async () => {
          order.push(n);
          await sleep(10);
          order.push(-n);
        }),
      ),
    );
    assert.deepEqual(order, [1, -1, 2, -2, 3, -3]);
    await assert.rejects(sql.get('SELECT COUNT(*) AS n FROM cluster_leases'));
  });
});
