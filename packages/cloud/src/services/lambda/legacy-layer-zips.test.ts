import assert from 'node:assert/strict';
import { createHash } from 'node:crypto';
import { existsSync, readFileSync, statSync } from 'node:fs';
import { join } from 'node:path';
import { describe, it } from 'node:test';
import { zipSync } from 'fflate';
import { createClusterLeases } from '../../kernel/cluster-leases.js';
import { CODE_HOLD_MS } from './code-blobs.js';
import { createCodeStore } from './code-store.js';
import { createFunctionStore } from './function-store.js';
import { keepLegacyLayerZips, legacyLayerLease } from './legacy-layer-zips.js';
import { sharedCodeStorage } from './lambda-store.test-helper.js';

// One database and one blob store, as a cluster's instances share them; each instance its own code folder.
const { root, sql, blobs, zips, advance } = await sharedCodeStorage('forte-legacy-layers-');
const store = createFunctionStore(sql);
const leasesOf = (instance: string) => createClusterLeases({ sql, instance, leaseMs: 60_000, shared: true });

/** A layer as a deployment packs it: a module, an executable, an empty folder. */
const LAYER = zipSync({
  'nodejs/node_modules/greeting/index.js': [Buffer.from("module.exports = (name) => 'hello ' + name;"), { os: 3, attrs: 0o100644 * 0x10000 }],
  'bin/tool': [Buffer.from('#!/bin/sh\necho tool\n'), { os: 3, attrs: 0o100755 * 0x10000 }],
  'empty/': [new Uint8Array(0), { os: 3, attrs: 0o040755 * 0x10000 }],
});

/** Publishes LAYER through the instance whose folder is `folder`, then forgets its zip, as before zips were kept. */
async function publishLegacyLayer(folder: string): Promise<{ arn: string; sha256: string }> {
  const installed = await createCodeStore(join(root, folder), zips).install(Buffer.from(LAYER));
  const arn = await store.publishLayerVersion({
    layerName: 'legacy',
    arnPrefix: 'arn:aws:lambda:us-east-1:000000000000',
    codeSha256: installed.sha256,
    codeSize: LAYER.length,
    compatibleRuntimes: [],
  });
  installed.release();
  await sql.run('DELETE FROM lambda_code_blobs WHERE sha256 = ?', [installed.sha256]);
  await blobs.delete(`lambda/code/${installed.sha256}`);
  return { arn, sha256: installed.sha256 };
}

void describe('layer versions published before zips were kept', () => {
  void it('are kept in the blob store by an instance that holds them unpacked, and then unpack on the others', async () => {
    const { arn, sha256 } = await publishLegacyLayer('publisher');
    const publisher = createCodeStore(join(root, 'publisher'), zips);
    const other = createCodeStore(join(root, 'other'), zips);
    await assert.rejects(other.ensure(sha256), { name: 'CodeUnavailableError' });

    // An instance that does not hold the layer cannot keep it; one that holds it but finds the lease taken leaves it.
    assert.deepEqual(await keepLegacyLayerZips({ store, code: other, zips, leases: await leasesOf('other') }), []);
    const busy = await leasesOf('busy');
    assert.equal(await busy.claim(legacyLayerLease(sha256)), true);
    assert.deepEqual(await keepLegacyLayerZips({ store, code: publisher, zips, leases: await leasesOf('publisher') }), []);
    assert.equal((await store.getLayerVersion(arn))!.keptSha256, undefined);
    await busy.release(legacyLayerLease(sha256));

    assert.deepEqual(await keepLegacyLayerZips({ store, code: publisher, zips, leases: await leasesOf('publisher') }), [sha256]);
    const layer = (await store.getLayerVersion(arn))!;
    assert.equal(layer.codeSha256, sha256, 'the published CodeSha256 stays');
    assert.ok(layer.keptSha256 && layer.keptSha256 !== sha256);
    const kept = await blobs.read(`lambda/code/${layer.keptSha256}`);
    assert.equal(createHash('sha256').update(kept).digest('hex'), layer.keptSha256);
    assert.deepEqual(await keepLegacyLayerZips({ store, code: publisher, zips, leases: await leasesOf('publisher') }), [], 'kept once');

    const dir = await other.ensure(layer.keptSha256);
    assert.equal(readFileSync(join(dir, 'nodejs/node_modules/greeting/index.js'), 'utf8'), "module.exports = (name) => 'hello ' + name;");
    assert.equal(statSync(join(dir, 'bin/tool')).mode & 0o111, 0o111, 'executable still');
    assert.equal(statSync(join(dir, 'empty')).isDirectory(), true);
    assert.deepEqual(await publisher.pack(sha256), kept, 'the same folder zips to the same bytes');
  });

  void it('are zipped by one instance when two that hold them start at once', async () => {
    const { arn, sha256 } = await publishLegacyLayer('first');
    const first = createCodeStore(join(root, 'first'), zips);
    // The second instance holds the same folder; the first keeps the layer between its list and its lease.
    const second = createCodeStore(join(root, 'second'), zips);
    await second.ensure(sha256, async () => Buffer.from(LAYER));
    await sql.run('DELETE FROM lambda_code_blobs WHERE sha256 = ?', [sha256]);
    await blobs.delete(`lambda/code/${sha256}`);
    let listed = 0;
    const racing = {
      ...store,
      async layerCodeWithoutZip() {
        const list = await store.layerCodeWithoutZip();
        if (listed++ === 0) assert.deepEqual(await keepLegacyLayerZips({ store, code: first, zips, leases: await leasesOf('first') }), [sha256]);
        return list;
      },
    };
    let packed = 0;
    const counting = { ...second, pack: (sha: string) => (packed++, second.pack(sha)) };
    assert.deepEqual(await keepLegacyLayerZips({ store: racing, code: counting, zips, leases: await leasesOf('second') }), []);
    assert.equal(packed, 0, 'the second instance did not zip what the first had kept');
    assert.ok((await store.getLayerVersion(arn))!.keptSha256);
  });

  void it('keep the kept zip while a version names it, and let it go with the last one', async () => {
    const { arn } = await publishLegacyLayer('collect');
    await keepLegacyLayerZips({ store, code: createCodeStore(join(root, 'collect'), zips), zips, leases: await leasesOf('collect') });
    const keptSha256 = (await store.getLayerVersion(arn))!.keptSha256!;
    const other = createCodeStore(join(root, 'collect-other'), zips);
    await other.ensure(keptSha256);
    advance(CODE_HOLD_MS + 1);
    await zips.collect();
    assert.ok(await blobs.stat(`lambda/code/${keptSha256}`), 'named by a layer version');
    assert.deepEqual(await other.collect(await store.codeInUse()), [], 'its folder on another instance is in use');
    for (const version of await sql.all<{ arn: string }>('SELECT arn FROM lambda_layer_versions')) await store.deleteLayerVersion(version.arn);
    assert.ok((await zips.collect()) >= 1);
    assert.equal(await blobs.stat(`lambda/code/${keptSha256}`), undefined);
    assert.deepEqual(await other.collect(await store.codeInUse()), [keptSha256]);
    assert.equal(existsSync(join(root, 'collect-other', keptSha256)), false);
  });
});
