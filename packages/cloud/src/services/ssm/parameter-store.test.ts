import assert from 'node:assert/strict';
import { randomBytes } from 'node:crypto';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, describe, it } from 'node:test';
import { createSqliteStore } from '../../engines/sqlite/sqlite-store.js';
import type { SqlStore } from '../../engines/types.js';
import { createSecretBox, SecretOpenError } from '../../kernel/secret-box.js';
import { SSM_MIGRATIONS } from './migrations.js';
import { createParameterStore, type PutInput } from './parameter-store.js';

let dir: string;
let sql: SqlStore;
before(async () => {
  dir = await mkdtemp(join(tmpdir(), 'forte-ssm-store-'));
  sql = createSqliteStore(join(dir, 'cloud.db'));
  await sql.migrate('ssm', SSM_MIGRATIONS);
});
after(async () => {
  await sql.close();
  await rm(dir, { recursive: true, force: true });
});

const input = (name: string, value: string, extra: Partial<PutInput> = {}): PutInput => ({
  name,
  value,
  type: 'String',
  description: undefined,
  overwrite: false,
  tier: 'Standard',
  user: 'arn:aws:iam::123456789012:root',
  ...extra,
});

void describe('parameter store', () => {
  void it('refuses a parameter beyond the limit, and still overwrites the ones it has', async () => {
    const store = createParameterStore(sql, createSecretBox(randomBytes(32)), { maxParameters: 2 });
    await store.put(input('/limit/a', '1'), Date.now());
    await store.put(input('/limit/b', '2'), Date.now());
    await assert.rejects(store.put(input('/limit/c', '3'), Date.now()), { code: 'ParameterLimitExceeded' });
    assert.equal((await store.put(input('/limit/a', '1b', { overwrite: true }), Date.now())).version, 2);
    await store.delete('/limit/b');
    await store.put(input('/limit/c', '3'), Date.now());
  });

  void it('seals SecureString values for their row: a value moved to another parameter or version does not open', async () => {
    const store = createParameterStore(sql, createSecretBox(randomBytes(32)));
    await store.put(input('/sealed/one', 'secret-one', { type: 'SecureString' }), Date.now());
    await store.put(input('/sealed/two', 'secret-two', { type: 'SecureString' }), Date.now());
    const one = (await store.get('/sealed/one'))!;
    assert.ok(!one.value.includes('secret-one'));
    assert.equal(store.plaintext(one, true), 'secret-one');
    assert.equal(store.plaintext(one, false), one.value, 'without decryption: the sealed form');
    const two = (await store.get('/sealed/two'))!;
    assert.throws(() => store.plaintext({ ...two, value: one.value }, true), SecretOpenError);
    assert.throws(() => store.plaintext({ ...one, version: 2 }, true), SecretOpenError);
  });
});
