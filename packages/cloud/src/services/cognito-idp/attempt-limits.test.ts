import assert from 'node:assert/strict';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, it } from 'node:test';
import { openPostgresStore } from '../../engines/postgres/postgres-store.js';
import { freshPostgresUrl, testPostgres } from '../../engines/postgres/postgres-test.test-helper.js';
import { openTestStore } from '../../engines/test-database.test-helper.js';
import type { SqlStore } from '../../engines/types.js';
import { createAttemptLimits, type LimitRule } from './attempt-limits.js';
import { COGNITO_LIMIT_MIGRATIONS } from './limit-migrations.js';
import { cognitoIdpMigrations } from './migrations.js';

const postgres = await testPostgres();

async function migrated(sql: SqlStore): Promise<SqlStore> {
  await sql.migrate('cognito-idp', cognitoIdpMigrations(sql.dialect));
  await sql.migrate('cognito-idp-limits', COGNITO_LIMIT_MIGRATIONS);
  return sql;
}

/** A fresh database with the limits' tables; `reopen` closes it and opens the same one again (a restart). */
async function withStore(fn: (sql: SqlStore, reopen: () => Promise<SqlStore>) => Promise<void>): Promise<void> {
  const dir = await mkdtemp(join(tmpdir(), 'forte-attempt-limits-'));
  let sql = await openTestStore(dir);
  try {
    await fn(await migrated(sql), async () => {
      await sql.close();
      sql = await openTestStore(dir);
      return migrated(sql);
    });
  } finally {
    await sql.close();
    await rm(dir, { recursive: true, force: true });
  }
}

/** The store, noting each statement with whether it ran inside a transaction. */
function recording(sql: SqlStore, statements: Array<{ text: string; inTransaction: boolean }>, inTransaction = false): SqlStore {
  const note = (text: string) => void statements.push({ text, inTransaction });
  return {
    ...sql,
    all: (text, params) => (note(text), sql.all(text, params)),
    get: (text, params) => (note(text), sql.get(text, params)),
    run: (text, params) => (note(text), sql.run(text, params)),
    transaction: (fn) => sql.transaction((tx) => fn(recording(tx, statements, true))),
  };
}

const user: LimitRule = { key: 'code/user/pool/alice', max: 3, windowMs: 60_000, lockMs: 10_000 };
const address: LimitRule = { key: 'code/address/10.0.0.1', max: 5, windowMs: 60_000, lockMs: 10_000 };

void describe('attempt limits', () => {
  void it('allows max failures, then locks even a right attempt until the lock ends; the count then starts over', async () => {
    await withStore(async (sql) => {
      let now = 1_000_000;
      const limits = createAttemptLimits(sql, { now: () => now });
      for (let i = 0; i < 3; i++) {
        assert.equal(await limits.take([user, address]), undefined);
        await limits.failed([user, address]);
      }
      assert.equal(await limits.take([user, address]), user, 'locked at the third failure');
      now += 9_999;
      assert.equal(await limits.take([user, address]), user, 'still locked');
      now += 1;
      assert.equal(await limits.take([user, address]), undefined, 'the lock ended');
      await limits.failed([user, address]);
      assert.equal(await limits.take([user, address]), undefined, 'a new count: one failure so far');
    });
  });

  void it('a right attempt starts the user over and no longer counts against the address', async () => {
    await withStore(async (sql) => {
      const limits = createAttemptLimits(sql);
      for (let i = 0; i < 2; i++) {
        await limits.take([user, address]);
        await limits.failed([user, address]);
      }
      await limits.take([user, address]);
      await limits.succeeded({ reset: [user], forgive: [address] });
      for (let i = 0; i < 3; i++) {
        assert.equal(await limits.take([user, address]), undefined);
        await limits.failed([user, address]);
      }
      assert.equal(await limits.take([user, address]), user, 'three failures since the right attempt');
      const other: LimitRule = { ...user, key: 'code/user/pool/carol' };
      assert.equal(await limits.take([other, address]), address, 'the address has 2 + 3 failures: its limit of 5, for every user');
    });
  });

  void it('counts concurrent attempts before checking them: only max of a burst get through', async () => {
    await withStore(async (sql) => {
      const limits = createAttemptLimits(sql);
      const answers = await Promise.all(Array.from({ length: 20 }, () => limits.take([user, address])));
      assert.equal(answers.filter((a) => a === undefined).length, 3);
    });
  });

  void it('a rate without a lock refuses until its window ends', async () => {
    await withStore(async (sql) => {
      let now = 0;
      const limits = createAttemptLimits(sql, { now: () => now });
      const sends: LimitRule = { key: 'send/user/pool/bob', max: 2, windowMs: 3_600_000, lockMs: 0 };
      assert.equal(await limits.take([sends]), undefined);
      assert.equal(await limits.take([sends]), undefined);
      assert.equal(await limits.take([sends]), sends);
      now = 3_599_999;
      assert.equal(await limits.take([sends]), sends);
      now = 3_600_000;
      assert.equal(await limits.take([sends]), undefined);
    });
  });

  void it('keeps counts and locks across a restart', async () => {
    await withStore(async (first, reopen) => {
      const before = createAttemptLimits(first);
      for (let i = 0; i < 3; i++) {
        await before.take([user, address]);
        await before.failed([user, address]);
      }
      const after = createAttemptLimits(await reopen());
      assert.equal(await after.take([user, address]), user);
    });
  });

  void it('keeps at most maxCounters, dropping the oldest unlocked ones and never a lock', async () => {
    await withStore(async (sql) => {
      let now = 0;
      const limits = createAttemptLimits(sql, { now: () => now, maxCounters: 3, sweepIntervalMs: 0 });
      const locked: LimitRule = { key: 'code/user/pool/locked', max: 1, windowMs: 60_000, lockMs: 60_000 };
      await limits.take([locked]);
      await limits.failed([locked]);
      for (let i = 0; i < 10; i++) {
        now += 1;
        await limits.take([{ key: `code/user/pool/flood${i}`, max: 5, windowMs: 1_000, lockMs: 0 }]);
      }
      const rows = await sql.all<{ limit_key: string }>('SELECT limit_key FROM cognito_attempts ORDER BY limit_key');
      assert.deepEqual(
        rows.map((r) => r.limit_key),
        ['code/user/pool/flood8', 'code/user/pool/flood9', 'code/user/pool/locked'],
      );
      assert.equal(await limits.take([locked]), locked);
      now = 2_000;
      await limits.take([{ key: 'other', max: 5, windowMs: 1_000, lockMs: 0 }]);
      assert.equal((await sql.get<{ n: number }>('SELECT COUNT(*) AS n FROM cognito_attempts'))?.n, 2, 'expired counters are deleted');
    });
  });

  void it('counts an expired counter not swept yet for nothing: its count starts over, it locks nobody', async () => {
    await withStore(async (sql) => {
      let now = 0;
      const limits = createAttemptLimits(sql, { now: () => now, sweepIntervalMs: 3_600_000 });
      const sends: LimitRule = { key: 'send/user/pool/bob', max: 2, windowMs: 1_000, lockMs: 0 };
      assert.equal(await limits.take([sends]), undefined);
      assert.equal(await limits.take([sends]), undefined);
      assert.equal(await limits.take([sends]), sends);
      now = 1_000;
      assert.equal(await limits.take([sends]), undefined, 'a new window');
      assert.equal(await limits.take([sends]), undefined);
      assert.equal(await limits.take([sends]), sends, 'counted from 1 again, not from the old count');

      for (let i = 0; i < 3; i++) {
        await limits.take([user]);
        await limits.failed([user]);
      }
      assert.equal(await limits.take([user]), user, 'locked');
      now += user.lockMs;
      assert.equal(await limits.failed([user]), undefined, 'the ended lock and its count lock nothing');
      assert.equal(await limits.take([user]), undefined);
      const kept = await sql.all('SELECT limit_key FROM cognito_attempts');
      assert.equal(kept.length, 2, 'nothing was swept: the expired counters were started over');
    });
  });

  void it('sweeps outside the attempts’ transactions, at most once an interval, after an attempt that added a counter', async () => {
    await withStore(async (inner) => {
      const statements: Array<{ text: string; inTransaction: boolean }> = [];
      const sql = recording(inner, statements);
      let now = 0;
      const limits = createAttemptLimits(sql, { now: () => now, sweepIntervalMs: 1_000 });
      const rule = (name: string): LimitRule => ({ key: `code/user/pool/${name}`, max: 5, windowMs: 100, lockMs: 0 });
      const sweeps = () => statements.filter((s) => /DELETE FROM cognito_attempts WHERE window_ends/.test(s.text)).length;
      for (let i = 0; i < 5; i++) {
        now = i * 100;
        await limits.take([rule(`name${i}`)]);
      }
      assert.equal(sweeps(), 1, 'once in the first second');
      assert.deepEqual(
        statements.filter((s) => s.inTransaction && /COUNT|DELETE/.test(s.text)),
        [],
        'no table-wide statement inside an attempt',
      );
      now = 1_000;
      await limits.take([rule('name0')]);
      assert.equal(sweeps(), 1, 'an attempt that added no counter does not sweep');
      await limits.take([rule('name5')]);
      assert.equal(sweeps(), 2);
      assert.deepEqual(
        (await inner.all<{ limit_key: string }>('SELECT limit_key FROM cognito_attempts ORDER BY limit_key')).map((r) => r.limit_key),
        ['code/user/pool/name0', 'code/user/pool/name5'],
        'the expired counters went',
      );
    });
  });

  void it('lets only max of a burst through two instances sharing PostgreSQL', { skip: postgres.ok ? undefined : postgres.reason }, async () => {
    const url = freshPostgresUrl();
    const a = await migrated(await openPostgresStore(url));
    const b = await openPostgresStore(url);
    try {
      const onA = createAttemptLimits(a);
      const onB = createAttemptLimits(b);
      const answers = await Promise.all(Array.from({ length: 20 }, (_, i) => (i % 2 === 0 ? onA : onB).take([user, address])));
      assert.equal(answers.filter((answer) => answer === undefined).length, 3);
      const names = await Promise.all(
        Array.from({ length: 20 }, (_, i) => (i % 2 === 0 ? onA : onB).take([{ ...user, key: `code/user/pool/n${i}` }, address])),
      );
      assert.equal(names.filter((answer) => answer === undefined).length, 2, 'the address had 3 of its 5');
    } finally {
      await a.close();
      await b.close();
    }
  });
});
