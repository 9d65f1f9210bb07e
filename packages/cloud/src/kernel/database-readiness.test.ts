import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { createDatabaseReadiness } from './database-readiness.js';

/** A database probe the test answers by hand, counting the probes made. */
function manualProbe() {
  const pending: { resolve: () => void; reject: (error: Error) => void }[] = [];
  return {
    probe: () => new Promise<void>((resolve, reject) => pending.push({ resolve, reject })),
    get count() {
      return pending.length;
    },
    answer: () => pending.at(-1)!.resolve(),
    fail: (message: string) => pending.at(-1)!.reject(new Error(message)),
  };
}

void describe('the database readiness check', () => {
  void it('makes one probe for checks that arrive together, and gives each its answer', async () => {
    const db = manualProbe();
    const ready = createDatabaseReadiness({ probe: db.probe });
    const checks = Array.from({ length: 50 }, () => ready());
    assert.equal(db.count, 1);
    db.answer();
    assert.deepEqual(
      await Promise.all(checks),
      Array.from({ length: 50 }, () => ({ ready: true })),
    );
    assert.equal(db.count, 1);
  });

  void it('trusts a success for one second, then probes again', async () => {
    let now = 10_000;
    const db = manualProbe();
    const ready = createDatabaseReadiness({ probe: db.probe, now: () => now });
    const first = ready();
    db.answer();
    assert.deepEqual(await first, { ready: true });
    now += 999;
    assert.deepEqual(await ready(), { ready: true });
    assert.equal(db.count, 1, 'trusted for 999 ms after the answer');
    now += 1;
    const second = ready();
    assert.equal(db.count, 2, 'probed again a second after the answer');
    db.answer();
    assert.deepEqual(await second, { ready: true });
  });

  void it('never trusts a failure: each check after one probes again, and a success after it is ready at once', async () => {
    let now = 0;
    const db = manualProbe();
    const ready = createDatabaseReadiness({ probe: db.probe, now: () => now });
    const failed = ready();
    const sharing = ready();
    db.fail('connection terminated');
    assert.deepEqual(await failed, { ready: false, reason: 'database: connection terminated' });
    assert.deepEqual(await sharing, { ready: false, reason: 'database: connection terminated' }, 'a check that shared the probe shares its failure');
    assert.equal(db.count, 1);
    const again = ready();
    assert.equal(db.count, 2, 'the failure is not remembered');
    db.fail('connection refused');
    assert.deepEqual(await again, { ready: false, reason: 'database: connection refused' });
    now += 5;
    const recovered = ready();
    db.answer();
    assert.deepEqual(await recovered, { ready: true });
  });

  void it('is not ready once the database takes longer than the timeout to answer, and probes again after', async () => {
    const db = manualProbe();
    const ready = createDatabaseReadiness({ probe: db.probe, timeoutMs: 50 });
    const started = Date.now();
    assert.deepEqual(await ready(), { ready: false, reason: 'database: the database did not answer within 0.05 s' });
    const waited = Date.now() - started;
    assert.ok(waited >= 45 && waited < 1000, `answered after ${waited} ms`);
    // The database answers again: the hung probe is not waited for, a new one is made.
    const next = ready();
    assert.equal(db.count, 2);
    db.answer();
    assert.deepEqual(await next, { ready: true });
  });
});
