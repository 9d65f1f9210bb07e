import assert from 'node:assert/strict';
import { readdirSync, rmSync } from 'node:fs';
import { mkdtemp } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, it } from 'node:test';
import { blobStoreContract } from '../blob-store-contract.js';
import { createFsBlobStore } from './fs-blob-store.js';

const dirs: string[] = [];
after(() => dirs.forEach((dir) => rmSync(dir, { recursive: true, force: true })));

blobStoreContract('fs-blobs', async () => {
  const dir = await mkdtemp(join(tmpdir(), 'forte-blobs-'));
  dirs.push(dir);
  return createFsBlobStore(join(dir, 'blobs'));
});

void it('fs-blobs keeps every file inside its folder', async () => {
  const dir = await mkdtemp(join(tmpdir(), 'forte-blobs-'));
  dirs.push(dir);
  const store = createFsBlobStore(join(dir, 'blobs'));
  await store.put('s3/abc', Buffer.from('x'));
  await assert.rejects(store.put('../outside', Buffer.from('x')));
  assert.deepEqual(readdirSync(dir), ['blobs']);
});

void it('fs-blobs makes a blob folder again when it was removed from outside', async () => {
  const dir = await mkdtemp(join(tmpdir(), 'forte-blobs-'));
  dirs.push(dir);
  const store = createFsBlobStore(join(dir, 'blobs'));
  await store.put('site/a', Buffer.from('first'));
  rmSync(join(dir, 'blobs', 'site'), { recursive: true });
  await store.put('site/b', Buffer.from('second'));
  await store.copy('site/b', 'site2/c');
  rmSync(join(dir, 'blobs', 'site2'), { recursive: true });
  await store.copy('site/b', 'site2/d');
  assert.deepEqual(await store.stat('site/b'), { size: 6 });
  assert.deepEqual(await store.stat('site2/d'), { size: 6 });
});
