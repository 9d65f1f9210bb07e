import assert from 'node:assert/strict';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { test } from 'node:test';
import { createSqliteStore } from '../../engines/sqlite/sqlite-store.js';
import type { SqlStore } from '../../engines/types.js';
import { cognitoIdpMigrations } from './migrations.js';
import { createPoolStore, poolFromRow } from './pool-store.js';
import { createUserStore } from './user-store.js';

/** A store that counts the queries made through it; `versioned: false` hides the engine's data version. */
function counting(inner: SqlStore, versioned: boolean): SqlStore & { reads: number } {
  const store = {
    reads: 0,
    dialect: inner.dialect,
    all: inner.all.bind(inner),
    get: (sql: string, params?: unknown[]) => {
      store.reads += 1;
      return inner.get(sql, params);
    },
    run: inner.run.bind(inner),
    transaction: inner.transaction.bind(inner),
    migrate: inner.migrate.bind(inner),
    close: inner.close.bind(inner),
    ...(versioned ? { dataVersion: inner.dataVersion } : {}),
  };
  return store as SqlStore & { reads: number };
}

async function withUser(
  versioned: boolean,
  fn: (sql: SqlStore & { reads: number }, users: ReturnType<typeof createUserStore>) => Promise<void>,
): Promise<void> {
  const dir = await mkdtemp(join(tmpdir(), 'forte-signed-in-'));
  const inner = createSqliteStore(join(dir, 'forte.db'));
  try {
    await inner.migrate('cognito-idp', cognitoIdpMigrations(inner.dialect));
    const sql = counting(inner, versioned);
    const pools = createPoolStore(sql);
    const users = createUserStore(sql);
    await pools.putPool('us-east-1_pool', { PoolName: 'pool' });
    await pools.putClient({
      id: 'client',
      poolId: 'us-east-1_pool',
      name: 'web',
      secret: undefined,
      refreshTokenValidityDays: 30,
      accessTokenSeconds: 3600,
      idTokenSeconds: 3600,
      preventUserExistenceErrors: 'ENABLED',
    });
    const now = new Date().toISOString();
    assert.ok(
      await users.insertIfFree(
        {
          poolId: 'us-east-1_pool',
          username: 'ann',
          sub: 'sub-ann',
          status: 'CONFIRMED',
          enabled: true,
          attributes: { email: 'ann@example.com' },
          srpSalt: undefined,
          srpVerifier: undefined,
          passwordHash: undefined,
          mfa: { smsEnabled: false, totpEnabled: false },
          totpSecret: undefined,
          createdAt: now,
          updatedAt: now,
        },
        { folded: false },
      ),
    );
    await users.addRefreshToken({
      poolId: 'us-east-1_pool',
      clientId: 'client',
      username: 'ann',
      originJti: 'jti-1',
      authTime: 0,
      expiresAt: Date.now() + 60_000,
    });
    await fn(sql, users);
  } finally {
    await inner.close();
    await rm(dir, { recursive: true, force: true });
  }
}

test('a token check reads its sign-in once until the next write, which takes effect at once', async () => {
  await withUser(true, async (sql, users) => {
    const before = sql.reads;
    const first = await users.signedIn('us-east-1_pool', 'ann', 'jti-1');
    const second = await users.signedIn('us-east-1_pool', 'ann', 'jti-1');
    assert.equal(sql.reads - before, 1, 'the second check is answered from memory');
    assert.deepEqual(second, first);
    assert.notEqual(second?.user, first?.user, 'each call gets its own user object to change');
    second!.user!.attributes.email = 'changed@example.com';
    assert.equal(
      (await users.signedIn('us-east-1_pool', 'ann', 'jti-1'))?.user?.attributes.email,
      'ann@example.com',
      'a caller changing its copy changes nothing remembered',
    );

    await users.revokeOrigin('jti-1');
    assert.equal((await users.signedIn('us-east-1_pool', 'ann', 'jti-1'))?.origin?.revoked, true, 'a revocation is seen by the very next check');
    await users.signedIn('us-east-1_pool', 'ann', 'jti-1');
    assert.equal(sql.reads - before, 2, 'read again once after the write, then remembered');
  });
});

test('without a data version (an engine other processes write to), every check reads', async () => {
  await withUser(false, async (sql, users) => {
    const before = sql.reads;
    await users.signedIn('us-east-1_pool', 'ann', 'jti-1');
    await users.signedIn('us-east-1_pool', 'ann', 'jti-1');
    assert.equal(sql.reads - before, 2);
  });
});

test('a write made while a check is between its query and its answer keeps that answer out of memory', async () => {
  await withUser(true, async (sql, users) => {
    // The check's query runs at once and its answer is taken after an await; the revocation is written in
    // between. Remembering the answer under the version after the write would keep the sign-in alive.
    const checking = users.signedIn('us-east-1_pool', 'ann', 'jti-1');
    const revoking = sql.run('UPDATE cognito_refresh_tokens SET revoked = 1 WHERE origin_jti = ?', ['jti-1']);
    await Promise.all([checking, revoking]);
    assert.equal((await users.signedIn('us-east-1_pool', 'ann', 'jti-1'))?.origin?.revoked, true);
  });
});

test('pool configs are parsed once, frozen and shared', () => {
  const row = { id: 'p', name: 'pool', config: JSON.stringify({ PoolName: 'pool', PasswordPolicy: { MinimumLength: 8 } }) };
  const a = poolFromRow(row);
  const b = poolFromRow({ ...row });
  assert.equal(a.config, b.config);
  assert.ok(Object.isFrozen(a.config) && Object.isFrozen(a.config.PasswordPolicy));
  assert.throws(() => {
    (a.config.PasswordPolicy as { MinimumLength: number }).MinimumLength = 6;
  }, TypeError);
});
