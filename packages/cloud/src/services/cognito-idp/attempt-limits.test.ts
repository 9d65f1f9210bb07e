import assert from 'node:assert/strict';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, it } from 'node:test';
import { createSqliteStore } from '../../engines/sqlite/sqlite-store.js';
import type { SqlStore } from '../../engines/types.js';
import { createAttemptLimits, type LimitRule } from './attempt-limits.js';
import { COGNITO_LIMIT_MIGRATIONS } from './limit-migrations.js';
import { cognitoIdpMigrations } from './migrations.js';

/** A fresh database with the limits' tables; `reopen` closes it and opens the same file again (a restart). */
async function withStore(fn: (sql: SqlStore, reopen: () => Promise<SqlStore>) => Promise<void>): Promise<void> {
  const dir = await mkdtemp(join(tmpdir(), 'forte-attempt-limits-'));
  const file = join(dir, 'forte.db');
  let sql = createSqliteStore(file);
  const open = async (): Promise<SqlStore> => {
    await sql.migrate('cognito-idp', cognitoIdpMigrations(sql.dialect));
    await sql.migrate('cognito-idp-limits', COGNITO_LIMIT_MIGRATIONS);
    return sql;
  };
  try {
    await fn(await open(), async () => {
      await sql.close();
      sql = createSqliteStore(file);
      return open();
    });
  } finally {
    await sql.close();
    await rm(dir, { recursive: true, force: true });
  }
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
      const limits = createAttemptLimits(sql, { now: () => now, maxCounters: 3 });
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
});
