import assert from 'node:assert/strict';
import { createHash } from 'node:crypto';
import { existsSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, it } from 'node:test';
import { zipSync } from 'fflate';
import { CODE_HOLD_MS } from './code-blobs.js';
import { createCodeStore } from './code-store.js';
import { createFunctionStore } from './function-store.js';
import { sharedCodeStorage } from './lambda-store.test-helper.js';

// One database and one blob store, as the instances of a cluster share them; each store its own folder.
const { root, sql, blobs, zips, advance } = await sharedCodeStorage('forte-code-store-');
const createStore = (name: string) => createCodeStore(join(root, name), zips);

const zipOf = (source: string): Buffer => Buffer.from(zipSync({ 'index.js': Buffer.from(source) }));

void describe('the code store', () => {
  void it('keeps an installed folder that no function names yet until the install is released', async () => {
    const store = createStore('held');
    const installed = await store.install(zipOf('exports.handler = async () => 1;'));
    // Another function's update collects while this one has not recorded its code yet (a push updates in parallel).
    assert.deepEqual(await store.collect(new Set()), []);
    assert.equal(readFileSync(join(installed.dir, 'index.js'), 'utf8'), 'exports.handler = async () => 1;');
    installed.release();
    assert.deepEqual(await store.collect(new Set()), [installed.sha256]);
    assert.equal(existsSync(installed.dir), false);
  });

  void it('keeps a folder while any of several installs of the same zip is held; release is idempotent', async () => {
    const store = createStore('shared');
    const zip = zipOf('exports.handler = async () => 2;');
    const [first, second] = await Promise.all([store.install(zip), store.install(zip)]);
    assert.equal(first.dir, second.dir);
    first.release();
    first.release();
    assert.deepEqual(await store.collect(new Set()), []);
    second.release();
    assert.deepEqual(await store.collect(new Set()), [first.sha256]);
  });

  void it('keeps what is in use, and holds nothing after a refused zip', async () => {
    const store = createStore('in-use');
    const used = await store.install(zipOf('exports.handler = async () => 3;'));
    used.release();
    await assert.rejects(store.install(Buffer.from('not a zip')));
    assert.deepEqual(await store.collect(new Set([used.sha256])), []);
    assert.equal(existsSync(used.dir), true);
  });

  void it('unpacks on another instance, once for concurrent callers, the zip one installed', async () => {
    const zip = zipOf('exports.handler = async () => 4;');
    const installed = await createStore('instance-a').install(zip);
    installed.release();
    const b = createStore('instance-b');
    const dirs = await Promise.all([b.ensure(installed.sha256), b.ensure(installed.sha256), b.ensure(installed.sha256)]);
    assert.deepEqual(new Set(dirs), new Set([join(root, 'instance-b', installed.sha256)]));
    assert.equal(readFileSync(join(dirs[0]!, 'index.js'), 'utf8'), 'exports.handler = async () => 4;');
    await assert.rejects(b.ensure('0'.repeat(64)), { name: 'CodeUnavailableError' });
  });

  void it('unpacks code deployed before zips were kept from the object it was deployed from, if that is still the zip', async () => {
    const zip = zipOf('exports.handler = async () => 6;');
    const sha256 = createHash('sha256').update(zip).digest('hex');
    const b = createStore('from-source');
    await assert.rejects(
      b.ensure(sha256, async () => zipOf('replaced since')),
      { name: 'CodeUnavailableError' },
    );
    await assert.rejects(
      b.ensure(sha256, async () => undefined),
      { name: 'CodeUnavailableError' },
    );
    const dir = await b.ensure(sha256, async () => zip);
    assert.equal(readFileSync(join(dir, 'index.js'), 'utf8'), 'exports.handler = async () => 6;');
    // Kept now: another instance needs no source.
    assert.equal(readFileSync(join(await createStore('from-kept').ensure(sha256), 'index.js'), 'utf8'), 'exports.handler = async () => 6;');
  });

  void it('deletes a kept zip only once no function or layer names it and no deployment holds it', async () => {
    const functions = createFunctionStore(sql);
    const zip = zipOf('exports.handler = async () => 5;');
    const installed = await createStore('collect-a').install(zip);
    installed.release();
    const { sha256 } = installed;
    const stored = async (): Promise<boolean> => (await blobs.stat(`lambda/code/${sha256}`)) !== undefined;
    // Held: a deployment on some instance may be about to write the row that names it.
    await zips.collect();
    assert.equal(await stored(), true);
    await functions.put({ name: 'fn', arn: 'arn:fn', config: {} as never, codeSha256: sha256, codeSize: zip.length, revision: 'r', lastModified: '' });
    await functions.publishLayerVersion({ layerName: 'layer', arnPrefix: 'arn', codeSha256: sha256, codeSize: zip.length, compatibleRuntimes: [] });
    advance(CODE_HOLD_MS + 1);
    await zips.collect(); // the earlier tests' zips, no longer held
    assert.equal(await stored(), true, 'a function and a layer name it');
    await functions.delete('fn');
    assert.equal(await zips.collect(), 0, 'a layer version still names it');
    assert.equal(await stored(), true);
    await functions.deleteLayerVersion('arn:layer:layer:1');
    assert.equal(await zips.collect(), 1);
    assert.equal(await stored(), false);
    // Deployed again: kept again, whatever an instance collected before.
    (await createStore('collect-b').install(zip)).release();
    assert.equal(await stored(), true);
    assert.equal(await zips.collect(), 0);
  });
});
