import assert from 'node:assert/strict';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { it } from 'node:test';
import { createSqliteStore } from '../../engines/sqlite/sqlite-store.js';
import { COGNITO_LIMIT_MIGRATIONS } from './limit-migrations.js';
import { createMailbox } from './mailbox.js';
import { cognitoIdpMigrations } from './migrations.js';

void it('the mailbox keeps the newest messages per recipient, per pool and in all', async () => {
  const dir = await mkdtemp(join(tmpdir(), 'forte-mailbox-'));
  const sql = createSqliteStore(join(dir, 'forte.db'));
  try {
    await sql.migrate('cognito-idp', cognitoIdpMigrations(sql.dialect));
    await sql.migrate('cognito-idp-limits', COGNITO_LIMIT_MIGRATIONS);
    const mailbox = createMailbox(sql, undefined, { perRecipient: 2, perPool: 3, total: 4 });
    const send = (to: string, pool: string, n: number) =>
      mailbox.send({ to, medium: 'EMAIL', body: `message ${n}`, code: String(n).padStart(6, '0'), purpose: 'SignUp', userPoolId: pool, username: to });
    for (let n = 1; n <= 5; n++) await send('a@example.com', 'pool1', n);
    assert.deepEqual(
      (await mailbox.list({ to: 'a@example.com' })).map((m) => m.body),
      ['message 5', 'message 4'],
      'two per recipient, newest first',
    );
    await send('b@example.com', 'pool1', 6);
    await send('c@example.com', 'pool1', 7);
    assert.deepEqual(
      (await mailbox.list({})).map((m) => m.body),
      ['message 7', 'message 6', 'message 5'],
      'three per pool: message 4 went',
    );
    await send('d@example.com', 'pool2', 8);
    await send('e@example.com', 'pool2', 9);
    assert.deepEqual(
      (await mailbox.list({})).map((m) => m.body),
      ['message 9', 'message 8', 'message 7', 'message 6'],
      'four in all, across pools',
    );
    assert.deepEqual(
      (await mailbox.list({ userPoolId: 'pool2' })).map((m) => m.body),
      ['message 9', 'message 8'],
      "one pool's messages",
    );
    assert.deepEqual(
      (await mailbox.list({ userPoolId: 'pool1', username: 'b@example.com' })).map((m) => m.body),
      ['message 6'],
      "one user's messages",
    );
    assert.deepEqual(await mailbox.list({ userPoolId: 'pool2', username: 'b@example.com' }), [], 'the user in another pool');
  } finally {
    await sql.close();
    await rm(dir, { recursive: true, force: true });
  }
});
