import assert from 'node:assert/strict';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, describe, it } from 'node:test';
import { createSqliteStore } from '../../engines/sqlite/sqlite-store.js';
import type { SqlStore } from '../../engines/types.js';
import { COGNITO_LIMIT_MIGRATIONS } from './limit-migrations.js';
import { cognitoIdpMigrations } from './migrations.js';
import { createSignInLimiter } from './sign-in-limiter.js';

const WINDOW = 60_000;

void describe('sign-in limiter', () => {
  let dir: string;
  let sql: SqlStore;
  let now = 1_000_000;
  const limiter = (perUser: number, perAddress: number) => createSignInLimiter({ sql, perUser, perAddress, windowMs: WINDOW, now: () => now });
  before(async () => {
    dir = await mkdtemp(join(tmpdir(), 'forte-sign-in-limiter-'));
    sql = createSqliteStore(join(dir, 'forte.db'));
    await sql.migrate('cognito-idp', cognitoIdpMigrations(sql.dialect));
    await sql.migrate('cognito-idp-limits', COGNITO_LIMIT_MIGRATIONS);
  });
  after(async () => {
    await sql.close();
    await rm(dir, { recursive: true, force: true });
  });

  void it('blocks a user after perUser failures and an address after perAddress, until the window passes; a success clears the user', async () => {
    const limits = limiter(2, 3);
    await limits.fail('p1/alice', '10.0.0.1');
    assert.equal(await limits.blocked('p1/alice', '10.0.0.1'), undefined);
    await limits.fail('p1/alice', '10.0.0.1');
    assert.equal(await limits.blocked('p1/alice', '10.0.0.2'), 'user');
    await limits.succeed('p1/alice');
    assert.equal(await limits.blocked('p1/alice', '10.0.0.2'), undefined);
    await limits.fail('p1/bob', '10.0.0.1');
    assert.equal(await limits.blocked('p1/carol', '10.0.0.1'), 'address');
    now += WINDOW;
    assert.equal(await limits.blocked('p1/carol', '10.0.0.1'), undefined);
  });

  void it('counts an attempt from begin until end: concurrent attempts see each other, a success lets it go', async () => {
    const limits = limiter(2, 100);
    const [first, second] = await Promise.all([limits.begin('p2/alice', '10.0.1.1'), limits.begin('p2/alice', '10.0.1.1')]);
    assert.equal(first.blocked, undefined);
    assert.equal(second.blocked, undefined);
    assert.equal((await limits.begin('p2/alice', '10.0.1.1')).blocked, 'user', 'two attempts under way fill the limit');
    await first.end(true);
    assert.equal(await limits.blocked('p2/alice', '10.0.1.1'), undefined, 'a success no longer counts');
    await limits.succeed('p2/alice');
    await second.end(false);
    await second.end(false);
    assert.equal(await limits.blocked('p2/alice', '10.0.1.1'), undefined, 'one failure recorded, once; a sign-in under way is not forgiven by another');
    await (await limits.begin('p2/alice', '10.0.1.1')).end(false);
    assert.equal(await limits.blocked('p2/alice', '10.0.1.1'), 'user');
  });

  void it('shares its counts with every limiter on the database (instances of a cluster), and deletes failures older than the window', async () => {
    const [a, b] = [limiter(2, 100), limiter(2, 100)];
    await a.fail('p3/old', '10.0.2.1');
    now += WINDOW;
    await a.fail('p3/dave', '10.0.2.1');
    await (await b.begin('p3/dave', '10.0.2.2')).end(false);
    assert.equal(await a.blocked('p3/dave', '10.0.2.3'), 'user', 'a failure counted through B locks through A');
    assert.equal((await b.begin('p3/dave', '10.0.2.3')).blocked, 'user');
    const keys = (await sql.all<{ limit_key: string }>("SELECT DISTINCT limit_key FROM cognito_sign_in_failures WHERE limit_key LIKE '%p3/%'")).map(
      (r) => r.limit_key,
    );
    assert.deepEqual(keys, ['u:p3/dave'], 'the old failure went with the new ones');
  });
});
