import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import { setTimeout as sleep } from 'node:timers/promises';
import { brotliDecompressSync } from 'node:zlib';
import { createHostingService } from '@forte/cloud';
import { RESOURCE_TYPES } from '@forte/protocol';
import { hosting, send, sha256Hex as sha, startDeployment, uploadDeployment, type Reply } from './hosting-client.js';
import { clusterSkipReason, resourceContext, startCluster, type TestCloud, type TestCluster } from './index.js';

// Two instances of a cluster (one PostgreSQL database, one data folder, one NATS bus) and one hosting site:
// the site's lock excludes across instances, and compressed variants an instance left undone get done.
const skip = await clusterSkipReason();

const SITE_LEASE_MS = 1000;
const VARIANT_SWEEP_MS = 200;

void describe('hosting on a cluster of two instances (one database, one NATS bus)', { skip }, () => {
  let cluster: TestCluster;
  before(async () => {
    cluster = await startCluster([createHostingService], { hosting: { siteLeaseMs: SITE_LEASE_MS, variantSweepMs: VARIANT_SWEEP_MS } });
  });
  after(async () => {
    await cluster?.close();
  });

  const createSite = async (cloud: TestCloud, slug: string): Promise<{ siteId: string; host: string }> => {
    const sites = cloud.kernel.resourceHandler(RESOURCE_TYPES.hostingSite)!;
    const site = await sites.create({ AppId: slug, EnvName: 'dev' }, { ...resourceContext(cloud, 'Site'), appSlug: slug });
    return { siteId: site.physicalId, host: `${slug}-dev.localhost` };
  };

  void it("makes a deployment switch wait while another instance holds the site's lock, and take it once released or lapsed", async () => {
    const { a, b } = cluster;
    const { siteId, host } = await createSite(a, 'locked');
    const sql = a.kernel.sql;
    const v1 = await uploadDeployment(a, siteId, { 'index.html': '<p>v1</p>' });
    await startDeployment(a, siteId, v1);
    const get = async (cloud: TestCloud): Promise<string> => (await send(cloud, { path: '/', headers: { host: `${host}:${cloud.port}` } })).body.toString();
    const holdLock = (owner: string, forMs: number) =>
      sql.run(
        'INSERT INTO cluster_leases (name, owner, expires_at) VALUES (?, ?, ?) ON CONFLICT (name) DO UPDATE SET owner = excluded.owner, expires_at = excluded.expires_at',
        [`hosting-site:${siteId}`, owner, Date.now() + forMs],
      );

    // Another instance holds the site's lock (and renews it): a switch through B waits for it.
    await holdLock('another-instance', 60_000);
    const v2 = await uploadDeployment(b, siteId, { 'index.html': '<p>v2</p>' });
    let switched = false;
    const switching = startDeployment(b, siteId, v2).then(() => (switched = true));
    await sleep(3 * SITE_LEASE_MS);
    assert.equal(switched, false, 'B waits for the lock held elsewhere');
    assert.equal(await get(a), '<p>v1</p>');
    await sql.run("DELETE FROM cluster_leases WHERE name = ? AND owner = 'another-instance'", [`hosting-site:${siteId}`]);
    await switching;
    // A hears of the switch over the bus (or finds it at its 1 s recheck): not necessarily before B has answered.
    let served = await get(a);
    for (const deadline = Date.now() + 5000; served !== '<p>v2</p>' && Date.now() < deadline; served = await get(a)) await sleep(20);
    assert.equal(served, '<p>v2</p>', 'released: the switch went through, and A serves it');
    // The switch, then the compression after it, give the lock up when done.
    let left: number | undefined;
    for (const deadline = Date.now() + 5000; left !== 0 && Date.now() < deadline; await sleep(20)) {
      left = (await sql.get<{ n: number }>('SELECT COUNT(*) AS n FROM cluster_leases WHERE name = ?', [`hosting-site:${siteId}`]))?.n;
    }
    assert.equal(left, 0, 'the lock is free again');

    // A holder that died stops renewing: its lease lapses, and the waiting switch takes the lock then.
    await holdLock('a-dead-instance', SITE_LEASE_MS);
    const waited = Date.now();
    const v3 = await uploadDeployment(a, siteId, { 'index.html': '<p>v3</p>' });
    await startDeployment(a, siteId, v3);
    assert.ok(Date.now() - waited >= SITE_LEASE_MS * 0.9, 'the switch waited for the lapse');
    assert.equal(await get(b), '<p>v3</p>');
  });

  void it('never leaves a live deployment missing a file when switches back and collection run on both instances at once', async () => {
    const { a, b } = cluster;
    const { siteId, host } = await createSite(a, 'racing');
    const page = (n: number): string => `<p>deployment ${n}</p>`;
    const ids: string[] = [];
    for (let n = 0; n < 11; n++) {
      ids.push(await uploadDeployment(a, siteId, { 'index.html': page(n) }));
      await startDeployment(a, siteId, ids[n]!);
    }
    // Each round: A switches back to the oldest deployment kept, while B switches to a new one, whose
    // collection forgets that oldest one and deletes its file unless it is live.
    for (let round = 0; round < 6; round++) {
      const n = 11 + round;
      ids.push(await uploadDeployment(b, siteId, { 'index.html': page(n) }));
      const oldest = ids[n - 10]!;
      const back = hosting(a, 'StartDeployment', { siteId, deploymentId: oldest });
      const forward = hosting(b, 'StartDeployment', { siteId, deploymentId: ids[n]! });
      const [backReply, forwardReply] = await Promise.all([back, forward]);
      assert.equal(forwardReply.status, 200, forwardReply.body.toString());
      // Switching back may find the deployment already forgotten (404), never a half-collected one.
      assert.ok(backReply.status === 200 || backReply.json.__type === 'ResourceNotFoundException', backReply.body.toString());
      const { deployments } = (await hosting(a, 'ListDeployments', { siteId })).json as { deployments: { deploymentId: string; status: string }[] };
      const live = deployments.find((d) => d.status === 'ACTIVE');
      assert.ok(live, 'a deployment is live');
      const expected = page(ids.indexOf(live.deploymentId));
      for (const cloud of [a, b]) {
        // An instance may serve the deployment it had in memory until the other's switch reaches it.
        let served = '';
        for (const deadline = Date.now() + 3000; served !== expected && Date.now() < deadline; await sleep(50)) {
          served = (await send(cloud, { path: '/', headers: { host: `${host}:${cloud.port}` } })).body.toString();
        }
        assert.equal(served, expected, `round ${round}: the live deployment's file is served`);
      }
    }
  });

  void it('computes on another instance the compressed variants an instance left undone, and B sends them', async () => {
    const { a, b } = cluster;
    const { siteId, host } = await createSite(a, 'variants');
    const script = `export const words = ${JSON.stringify(Array.from({ length: 600 }, (_, i) => `word${i % 37}`))};\n`;
    const deploymentId = await uploadDeployment(a, siteId, { 'index.html': '<script src="app.js"></script>', 'app.js': script });
    await startDeployment(a, siteId, deploymentId);
    const sql = b.kernel.sql;
    const pending = async (): Promise<number | null | undefined> =>
      (await sql.get<{ since: number | null }>('SELECT variants_pending_since AS since FROM hosting_sites WHERE site_id = ?', [siteId]))?.since;
    const waitFor = async <T>(what: string, probe: () => Promise<T | undefined>): Promise<T> => {
      const deadline = Date.now() + 15_000;
      for (;;) {
        const value = await probe();
        if (value !== undefined) return value;
        if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}`);
        await sleep(50);
      }
    };
    await waitFor('the switching instance to compress', async () => ((await pending()) === null ? true : undefined));
    const brotli = async (cloud: TestCloud): Promise<Reply | undefined> => {
      const reply = await send(cloud, { path: '/app.js', headers: { host: `${host}:${cloud.port}`, 'accept-encoding': 'br' } });
      return reply.headers['content-encoding'] === 'br' ? reply : undefined;
    };

    // What an instance that died between its switch and the compression leaves: the variants due, none recorded.
    const undo = async (): Promise<void> => {
      await sql.transaction(async (tx) => {
        await tx.run('UPDATE hosting_blobs SET br_size = NULL, gz_size = NULL, variants_done = 0 WHERE site_id = ?', [siteId]);
        await tx.run('UPDATE hosting_sites SET variants_pending_since = ? WHERE site_id = ?', [Date.now(), siteId]);
      });
    };
    await undo();
    // B reads the site with nothing compressed (its cache keeps it); the sweep (whichever instance holds its
    // lease) computes the variants, and B learns of them.
    // (Without Accept-Encoding: the sweep may already have run under a slow machine.)
    const identity = await send(b, { path: '/app.js', headers: { host: `${host}:${b.port}` } });
    assert.equal(identity.body.toString(), script);
    const first = await waitFor('B to send brotli', () => brotli(b));
    assert.equal(brotliDecompressSync(first.body).toString(), script);

    // The same after A is gone: B alone finishes what was left.
    await a.close();
    await undo();
    await waitFor('B to compress what was left', async () => ((await pending()) === null ? true : undefined));
    const done = await waitFor('B to send brotli after A stopped', () => brotli(b));
    assert.equal(brotliDecompressSync(done.body).toString(), script);
    const row = await sql.get<{ done: number }>('SELECT variants_done AS done FROM hosting_blobs WHERE site_id = ? AND sha256 = ?', [siteId, sha(script)]);
    assert.equal(row?.done, 1);
  });
});
