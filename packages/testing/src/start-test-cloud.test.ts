import assert from 'node:assert/strict';
import { existsSync, readFileSync } from 'node:fs';
import { rm } from 'node:fs/promises';
import { join } from 'node:path';
import { it } from 'node:test';
import { makeTempDir, startTestCloud } from './index.js';

void it('startTestCloud runs a cloud in a temp dir and removes it on dispose', async () => {
  let dataDir: string;
  {
    await using cloud = await startTestCloud();
    dataDir = cloud.dataDir;
    assert.match(cloud.url, /^http:\/\/127\.0\.0\.1:\d+$/);
    assert.equal((await fetch(`${cloud.url}/_forte/health`)).status, 200);
    assert.deepEqual(JSON.parse(readFileSync(join(dataDir, 'admin-credentials.json'), 'utf8')), {
      accessKeyId: cloud.credentials.accessKeyId,
      secretAccessKey: cloud.credentials.secretAccessKey,
    });
    assert.equal(cloud.credentials.region, 'us-east-1');
    assert.ok(cloud.logs().some((line) => line.includes('"msg":"request"')));
  }
  assert.equal(existsSync(dataDir), false);
});

void it('startTestCloud keeps a data dir it was given, and the data in it', async () => {
  const dir = await makeTempDir('forte-kept');
  try {
    const first = await startTestCloud({ dataDir: dir, region: 'eu-west-1' });
    const accountId = first.kernel.config.accountId;
    await first.close();
    await first.close(); // closing twice is harmless
    assert.ok(existsSync(join(dir, 'forte.db')));
    const second = await startTestCloud({ dataDir: dir });
    assert.equal(second.kernel.config.accountId, accountId);
    await second.close();
  } finally {
    await rm(dir, { recursive: true, force: true });
  }
});
