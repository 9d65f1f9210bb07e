import assert from 'node:assert/strict';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, describe, it } from 'node:test';
import { openTestStore } from '../engines/test-database.test-helper.js';
import { createClusterLeases } from './cluster-leases.js';

void describe('cluster leases (a shared database: FORTE_TEST_DATABASE=postgres runs them there)', () => {
  void it('gives a lease to one instance until it lapses or is released, and guards writes by it', async () => {
    const dir = await mkdtemp(join(tmpdir(), 'forte-leases-'));
    after(() => rm(dir, { recursive: true, force: true }));
    const sql = await openTestStore(dir);
    after(() => sql.close());
    let clock = 1_000_000;
    const leasesOf = (instance: string) => createClusterLeases({ sql, instance, leaseMs: 1000, shared: true, now: () => clock });
    const [a, b, c] = await Promise.all([leasesOf('a'), leasesOf('b'), leasesOf('c')]);

    // Claimed at once by several: exactly one wins.
    const won = await Promise.all([a, b, c].map((leases) => leases.claim('work')));
    assert.equal(won.filter(Boolean).length, 1);
    const [holder, other] = won[0] ? [a, b] : won[1] ? [b, a] : [c, a];
    assert.equal(await other.claim('work'), false, 'held by another');
    clock += 900;
    assert.equal(await holder.claim('work'), true, 'renewed by its holder');
    clock += 900;
    assert.equal(await other.claim('work'), false, 'the renewal moved the expiry on');

    await sql.migrate('lease-test', ['CREATE TABLE lease_test (id TEXT PRIMARY KEY, value TEXT)']);
    await sql.run("INSERT INTO lease_test (id, value) VALUES ('x', 'first')");
    const guarded = async (leases: typeof a, value: string): Promise<number> => {
      const held = leases.held('work');
      return (await sql.run(`UPDATE lease_test SET value = ? WHERE id = 'x' AND ${held.condition}`, [value, ...held.params])).changes;
    };
    assert.equal(await guarded(other, 'not the holder'), 0);
    assert.equal(await guarded(holder, 'holder'), 1);

    clock += 1001;
    assert.equal(await other.claim('work'), true, 'taken over once lapsed');
    assert.equal(await holder.claim('work'), false, 'the old holder lost it');
    assert.equal(await guarded(holder, 'stale'), 0, 'the old holder can no longer write');
    await other.release('work');
    assert.equal(await holder.claim('work'), true, 'released: free at once');
  });

  void it('on a database no one shares, every claim succeeds without a table', async () => {
    const dir = await mkdtemp(join(tmpdir(), 'forte-leases-alone-'));
    after(() => rm(dir, { recursive: true, force: true }));
    const sql = await openTestStore(dir);
    after(() => sql.close());
    const leases = await createClusterLeases({ sql, instance: 'a', leaseMs: 1000, shared: false });
    assert.equal(await leases.claim('work'), true);
    assert.equal(await leases.claim('work'), true);
    await assert.rejects(sql.get('SELECT COUNT(*) AS n FROM cluster_leases'));
  });
});
