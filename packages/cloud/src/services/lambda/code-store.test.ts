import assert from 'node:assert/strict';
import { existsSync, mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, describe, it } from 'node:test';
import { zipSync } from 'fflate';
import { createCodeStore } from './code-store.js';

const root = mkdtempSync(join(tmpdir(), 'forte-code-store-'));
after(() => rmSync(root, { recursive: true, force: true }));

const zipOf = (source: string): Buffer => Buffer.from(zipSync({ 'index.js': Buffer.from(source) }));

void describe('the code store', () => {
  void it('keeps an installed folder that no function names yet until the install is released', async () => {
    const store = createCodeStore(join(root, 'held'));
    const installed = await store.install(zipOf('exports.handler = async () => 1;'));
    // Another function's update collects while this one has not recorded its code yet (a push updates in parallel).
    assert.deepEqual(await store.collect(new Set()), []);
    assert.equal(readFileSync(join(installed.dir, 'index.js'), 'utf8'), 'exports.handler = async () => 1;');
    installed.release();
    assert.deepEqual(await store.collect(new Set()), [installed.sha256]);
    assert.equal(existsSync(installed.dir), false);
  });

  void it('keeps a folder while any of several installs of the same zip is held; release is idempotent', async () => {
    const store = createCodeStore(join(root, 'shared'));
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
    const store = createCodeStore(join(root, 'in-use'));
    const used = await store.install(zipOf('exports.handler = async () => 3;'));
    used.release();
    await assert.rejects(store.install(Buffer.from('not a zip')));
    assert.deepEqual(await store.collect(new Set([used.sha256])), []);
    assert.equal(existsSync(used.dir), true);
  });
});
