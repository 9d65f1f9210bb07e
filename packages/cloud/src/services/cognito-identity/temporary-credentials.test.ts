import assert from 'node:assert/strict';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, describe, it } from 'node:test';
import { isForteError } from '@forte/protocol';
import { createSqliteStore } from '../../engines/sqlite/sqlite-store.js';
import type { SqlStore } from '../../engines/types.js';
import { createSecretBox } from '../../kernel/secret-box.js';
import { COGNITO_IDENTITY_MIGRATIONS } from './migrations.js';
import { CREDENTIALS_LIFETIME_MS, createTemporaryCredentials, hashSessionToken } from './temporary-credentials.js';

let dir: string;
let sql: SqlStore;
let clock = Date.parse('2026-01-01T00:00:00Z');
const secrets = createSecretBox(Buffer.alloc(32, 3));
const grant = {
  identityId: 'us-east-1:00000000-0000-4000-8000-000000000001',
  poolId: 'us-east-1:pool',
  roleArn: 'arn:aws:iam::123456789012:role/auth',
  amr: ['authenticated'],
};

before(async () => {
  dir = await mkdtemp(join(tmpdir(), 'forte-identity-credentials-'));
  sql = createSqliteStore(join(dir, 'cloud.db'));
  await sql.migrate('cognito-identity', COGNITO_IDENTITY_MIGRATIONS);
});
after(async () => {
  await sql.close();
  await rm(dir, { recursive: true, force: true });
});

void describe('temporary credentials', () => {
  void it('have AWS shapes, live an hour, and keep only a hash of the session token', async () => {
    const credentials = createTemporaryCredentials(sql, secrets, () => clock);
    const issued = await credentials.issue(grant);
    assert.match(issued.AccessKeyId, /^ASIA[A-Z0-9]{16}$/);
    assert.equal(issued.SecretKey.length, 40);
    assert.ok(issued.SessionToken.length >= 200);
    assert.equal(issued.Expiration, (clock + CREDENTIALS_LIFETIME_MS) / 1000);
    assert.ok(CREDENTIALS_LIFETIME_MS >= 60 * 60 * 1000);
    const row = await sql.get<{ session_token_hash: string }>('SELECT session_token_hash FROM cognito_identity_credentials WHERE access_key_id = ?', [
      issued.AccessKeyId,
    ]);
    assert.equal(row?.session_token_hash, hashSessionToken(issued.SessionToken));
    const all = JSON.stringify(await sql.all('SELECT * FROM cognito_identity_credentials'));
    assert.ok(!all.includes(issued.SessionToken), 'the session token itself is never stored');
    assert.ok(!all.includes(issued.SecretKey), 'the secret key is stored sealed');
    const again = await credentials.issue(grant);
    assert.notEqual(again.AccessKeyId, issued.AccessKeyId);
    assert.notEqual(again.SessionToken, issued.SessionToken);
  });

  void it('resolve to a role principal bound to the identity only with the right session token, until they expire', async () => {
    const credentials = createTemporaryCredentials(sql, secrets, () => clock);
    const provider = credentials.provider();
    const issued = await credentials.issue(grant);
    assert.deepEqual(await provider.lookup(issued.AccessKeyId, issued.SessionToken), {
      secretAccessKey: issued.SecretKey,
      principal: {
        kind: 'role',
        accessKeyId: issued.AccessKeyId,
        roleArn: grant.roleArn,
        identityId: grant.identityId,
        identityPoolId: grant.poolId,
        amr: ['authenticated'],
        expiresAt: clock + CREDENTIALS_LIFETIME_MS,
      },
    });
    assert.equal(await provider.lookup(issued.AccessKeyId, undefined), undefined);
    assert.equal(await provider.lookup(issued.AccessKeyId, `${issued.SessionToken}x`), undefined);
    assert.equal(await provider.lookup('ASIA0000000000000000', issued.SessionToken), undefined);
    assert.equal(await provider.lookup('FKIA0000000000000000', issued.SessionToken), undefined);

    clock += CREDENTIALS_LIFETIME_MS;
    await assert.rejects(provider.lookup(issued.AccessKeyId, issued.SessionToken), (error: unknown) => isForteError(error) && error.code === 'ExpiredToken');
  });

  void it('drops credentials a day after they expired when new ones are issued', async () => {
    const credentials = createTemporaryCredentials(sql, secrets, () => clock);
    const old = await credentials.issue(grant);
    clock += CREDENTIALS_LIFETIME_MS + 25 * 60 * 60 * 1000;
    await credentials.issue(grant);
    assert.equal(await sql.get('SELECT 1 FROM cognito_identity_credentials WHERE access_key_id = ?', [old.AccessKeyId]), undefined);
  });

  void it('seal secret keys stored as plaintext before sealing, which keep working', async () => {
    const credentials = createTemporaryCredentials(sql, secrets, () => clock);
    const issued = await credentials.issue(grant);
    await sql.run('UPDATE cognito_identity_credentials SET secret_key = ? WHERE access_key_id = ?', [issued.SecretKey, issued.AccessKeyId]);
    await credentials.sealPlaintextSecrets();
    const row = await sql.get<{ secret_key: string }>('SELECT secret_key FROM cognito_identity_credentials WHERE access_key_id = ?', [issued.AccessKeyId]);
    assert.ok(row && secrets.isSealed(row.secret_key));
    assert.equal((await credentials.provider().lookup(issued.AccessKeyId, issued.SessionToken))?.secretAccessKey, issued.SecretKey);
  });
});
