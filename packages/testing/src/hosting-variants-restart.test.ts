import assert from 'node:assert/strict';
import { rm } from 'node:fs/promises';
import { after, describe, it } from 'node:test';
import { setTimeout as sleep } from 'node:timers/promises';
import { brotliDecompressSync } from 'node:zlib';
import { createHostingService } from '@forte/cloud';
import { RESOURCE_TYPES } from '@forte/protocol';
import { send, startDeployment, uploadDeployment } from './hosting-client.js';
import { makeTempDir, resourceContext, startTestCloud, type TestCloud } from './index.js';

// A cloud that stopped between a switch and the compression after it: the next start computes the variants.
void describe('hosting variants across a restart', () => {
  void it('computes at the next start the compressed variants a stopped cloud left undone', async () => {
    const dataDir = await makeTempDir('forte-variants-restart');
    after(() => rm(dataDir, { recursive: true, force: true }));
    // The first run never sweeps (an hour), so what it leaves stays left.
    const first = await startTestCloud({ dataDir, services: [createHostingService], hosting: { variantSweepMs: 3_600_000 } });
    const sites = first.kernel.resourceHandler(RESOURCE_TYPES.hostingSite)!;
    const siteId = (await sites.create({ AppId: 'restarts', EnvName: 'dev' }, { ...resourceContext(first, 'Site'), appSlug: 'restarts' })).physicalId;
    const script = `export const words = ${JSON.stringify(Array.from({ length: 600 }, (_, i) => `word${i % 41}`))};\n`;
    await startDeployment(first, siteId, await uploadDeployment(first, siteId, { 'app.js': script }));
    const sql = first.kernel.sql;
    for (let i = 0; i < 200; i++) {
      const row = await sql.get<{ since: number | null }>('SELECT variants_pending_since AS since FROM hosting_sites WHERE site_id = ?', [siteId]);
      if (row?.since === null) break;
      await sleep(25);
    }
    // What a stop right after the switch leaves: the variants due, none recorded.
    await sql.transaction(async (tx) => {
      await tx.run('UPDATE hosting_blobs SET br_size = NULL, gz_size = NULL, variants_done = 0 WHERE site_id = ?', [siteId]);
      await tx.run('UPDATE hosting_sites SET variants_pending_since = ? WHERE site_id = ?', [Date.now(), siteId]);
    });
    await first.close();

    await using second = await startTestCloud({ dataDir, services: [createHostingService], hosting: { variantSweepMs: 100 } });
    const get = (cloud: TestCloud) => send(cloud, { path: '/app.js', headers: { host: `restarts-dev.localhost:${cloud.port}`, 'accept-encoding': 'br' } });
    let reply = await get(second);
    for (const deadline = Date.now() + 10_000; reply.headers['content-encoding'] !== 'br' && Date.now() < deadline; reply = await get(second)) await sleep(50);
    assert.equal(reply.headers['content-encoding'], 'br', 'the restarted cloud computed and sends the variant');
    assert.equal(brotliDecompressSync(reply.body).toString(), script);
  });
});
