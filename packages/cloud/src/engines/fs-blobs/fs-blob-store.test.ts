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
