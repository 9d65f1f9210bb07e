import assert from 'node:assert/strict';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, it } from 'node:test';
import { createSqliteStore } from '../../engines/sqlite/sqlite-store.js';
import { COGNITO_LIMIT_MIGRATIONS } from './limit-migrations.js';
import { cognitoIdpMigrations } from './migrations.js';
import { createSqlSignInFailureLog } from './sign-in-failure-log.js';
import { createSignInLimiter } from './sign-in-limiter.js';

const WINDOW = 60_000;

void describe('sign-in limiter', () => {
  void it('blocks a user after perUser failures and an address after perAddress, until the window passes; a success clears the user', () => {
    let now = 0;
    const limiter = createSignInLimiter({ perUser: 2, perAddress: 3, windowMs: WINDOW, now: () => now });
    limiter.fail('pool/alice', '10.0.0.1');
    assert.equal(limiter.blocked('pool/alice', '10.0.0.1'), undefined);
    limiter.fail('pool/alice', '10.0.0.1');
    assert.equal(limiter.blocked('pool/alice', '10.0.0.2'), 'user');
    limiter.succeed('pool/alice');
    assert.equal(limiter.blocked('pool/alice', '10.0.0.2'), undefined);
    limiter.fail('pool/bob', '10.0.0.1');
    assert.equal(limiter.blocked('pool/carol', '10.0.0.1'), 'address');
    now = WINDOW;
    assert.equal(limiter.blocked('pool/carol', '10.0.0.1'), undefined);
  });

  void it('counts an attempt from begin until end: concurrent attempts see each other, a success lets it go', () => {
    const limiter = createSignInLimiter({ perUser: 2, perAddress: 100, windowMs: WINDOW });
    const first = limiter.begin('pool/alice', '10.0.0.1');
    const second = limiter.begin('pool/alice', '10.0.0.1');
    assert.equal(first.blocked, undefined);
    assert.equal(second.blocked, undefined);
    assert.equal(limiter.begin('pool/alice', '10.0.0.1').blocked, 'user', 'two attempts under way fill the limit');
    first.end(true);
    assert.equal(limiter.blocked('pool/alice', '10.0.0.1'), undefined, 'a success no longer counts');
    second.end(false);
    second.end(false);
    assert.equal(limiter.blocked('pool/alice', '10.0.0.1'), undefined, 'one failure recorded, once');
    limiter.begin('pool/alice', '10.0.0.1').end(false);
    assert.equal(limiter.blocked('pool/alice', '10.0.0.1'), 'user');
  });

  void it('holds at most maxKeys in memory, dropping the one that failed longest ago', () => {
    const limiter = createSignInLimiter({ perUser: 1, perAddress: 100, windowMs: WINDOW, maxKeys: 3 });
    limiter.fail('pool/target', '10.0.0.1');
    limiter.fail('pool/flood', '10.0.0.1');
    assert.equal(limiter.blocked('pool/target', '10.0.0.9'), 'user', 'within the cap');
    for (let i = 0; i < 3; i++) limiter.fail(`pool/flood${i}`, '10.0.0.1');
    assert.equal(limiter.blocked('pool/target', '10.0.0.9'), undefined, 'dropped: memory stays bounded');
  });

  void it('a restart reads the last window back from SQL: locks stay, successes and old failures are gone', async () => {
    const dir = await mkdtemp(join(tmpdir(), 'forte-sign-in-limiter-'));
    const file = join(dir, 'forte.db');
    let sql = createSqliteStore(file);
    try {
      await sql.migrate('cognito-idp', cognitoIdpMigrations(sql.dialect));
      await sql.migrate('cognito-idp-limits', COGNITO_LIMIT_MIGRATIONS);
      let now = 1_000_000;
      const options = { perUser: 2, perAddress: 100, windowMs: WINDOW, now: () => now };
      const before = createSignInLimiter({ ...options, log: createSqlSignInFailureLog(sql, WINDOW) });
      before.fail('pool/old', '10.0.0.1');
      now += WINDOW; // pool/old's failure is out of the window by the next one
      for (const user of ['pool/locked', 'pool/locked', 'pool/forgiven', 'pool/forgiven', 'pool/old']) before.fail(user, '10.0.0.1');
      before.succeed('pool/forgiven');
      await sql.close();

      sql = createSqliteStore(file);
      const after = createSignInLimiter({ ...options, log: createSqlSignInFailureLog(sql, WINDOW) });
      await after.restore();
      assert.equal(after.blocked('pool/locked', '10.0.0.2'), 'user');
      assert.equal(after.blocked('pool/forgiven', '10.0.0.2'), undefined);
      assert.equal(after.blocked('pool/old', '10.0.0.2'), undefined);
      const keys = (await sql.all<{ limit_key: string }>('SELECT DISTINCT limit_key FROM cognito_sign_in_failures ORDER BY limit_key')).map((r) => r.limit_key);
      assert.deepEqual(keys, ['a:10.0.0.1', 'u:pool/locked', 'u:pool/old'], 'older failures were deleted with the new ones');
    } finally {
      await sql.close();
      await rm(dir, { recursive: true, force: true });
    }
  });
});
