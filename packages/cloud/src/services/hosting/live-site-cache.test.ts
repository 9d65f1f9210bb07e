import assert from 'node:assert/strict';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, describe, it } from 'node:test';
import { setTimeout as sleep } from 'node:timers/promises';
import type { SqlStore } from '../../engines/types.js';
import { openTestStore } from '../../engines/test-database.test-helper.js';
import { heapLeftBy } from '../../kernel/heap-growth.test-helper.js';
import { LiveSiteCache } from './live-site-cache.js';
import { HOSTING_MIGRATIONS } from './migrations.js';
import { siteStore } from './site-store.js';

void describe('live site cache', () => {
  void it('reads a site again at its recheck when its variants were recorded elsewhere and no message said so', async () => {
    const dir = await mkdtemp(join(tmpdir(), 'forte-live-sites-'));
    after(() => rm(dir, { recursive: true, force: true }));
    const sql = await openTestStore(dir);
    after(() => sql.close());
    await sql.migrate('hosting', HOSTING_MIGRATIONS);
    const sha256 = 'a'.repeat(64);
    const alone = { condition: '1 = 1', params: [] };
    await siteStore.insertSite(sql, {
      siteId: 'site-1',
      appId: 'app',
      envName: 'dev',
      siteName: 'main',
      hostLabel: 'app-dev',
      activeDeploymentId: undefined,
      createdAt: new Date().toISOString(),
    });
    await siteStore.insertBlob(sql, 'site-1', sha256, 5000);
    await siteStore.insertDeployment(sql, { deploymentId: 'dep-1', siteId: 'site-1', files: [{ path: 'app.js', sha256, size: 5000 }], createdAt: '' });
    await sql.transaction((tx) => siteStore.activate(tx, { siteId: 'site-1', deploymentId: 'dep-1', at: '', now: Date.now(), guard: alone }));

    const cache = new LiveSiteCache(sql);
    assert.equal((await cache.get('app-dev'))?.files.get('app.js')?.br, undefined, 'no variants yet');
    // Another instance computes and records them; its message to this one is lost.
    await sql.transaction(async (tx) => {
      await siteStore.setVariants(tx, 'site-1', sha256, { br: 900, gz: 1000 });
      await siteStore.variantsDone(tx, 'site-1', 'dep-1');
    });
    await sleep(1100);
    const file = (await cache.get('app-dev'))?.files.get('app.js');
    assert.equal(file?.br?.size, 900, 'the recheck saw the variants recorded');
    assert.equal(file?.gz?.size, 1000);
  });

  void it('remembers the labels no site has within its byte budget: a client inventing Host labels cannot grow it', async () => {
    let reads = 0;
    const sql = {
      get: async () => {
        reads += 1;
        return undefined;
      },
    } as unknown as SqlStore;
    const cache = new LiveSiteCache(sql, undefined, 256 * 100);
    for (let i = 0; i < 200; i++) assert.equal(await cache.get(`nobody-${i}`), undefined);
    reads = 0;
    assert.equal(await cache.get('nobody-199'), undefined);
    assert.equal(reads, 0, 'a label just found to have no site is not read again within its second');
    assert.equal(await cache.get('nobody-0'), undefined);
    assert.equal(reads, 1, 'one let go to keep the budget is read again');

    // What 200,000 labels leave behind.
    const grown = await heapLeftBy(async () => {
      for (let i = 0; i < 200_000; i++) await cache.get(`invented-label-number-${i}`);
    });
    assert.ok(grown < 4 * 1024 * 1024, `the heap grew by ${(grown / 1048576).toFixed(1)} MB`);
  });
});
