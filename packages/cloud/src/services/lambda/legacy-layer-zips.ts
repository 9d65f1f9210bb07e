import { createHash } from 'node:crypto';
import type { ClusterLeases } from '../../kernel/cluster-leases.js';
import type { CodeBlobs } from './code-blobs.js';
import type { CodeStore } from './code-store.js';
import type { FunctionStore } from './function-store.js';

/** The lease (kernel/cluster-leases.ts) under which one instance at a time keeps a zip for the layer code `sha256`. */
export const legacyLayerLease = (sha256: string): string => `lambda-layer-zip:${sha256}`;

/**
 * Layer versions published before zips were kept in the blob store have no zip there, and nothing recorded
 * their object, so an instance that never unpacked one cannot run the functions that use it. An instance that
 * holds such a layer unpacked (it published it) zips its folder again (`code.pack`), keeps that zip in the blob
 * store and records its sha256 on the versions (`kept_sha256`), where every instance finds it; the versions'
 * CodeSha256 stays the published one. One instance at a time does it for a layer's code, under a lease; the
 * others leave it to that one. Answers the sha256s of the layer code it kept a zip for.
 */
export async function keepLegacyLayerZips(options: { store: FunctionStore; code: CodeStore; zips: CodeBlobs; leases: ClusterLeases }): Promise<string[]> {
  const { store, code, zips, leases } = options;
  const kept: string[] = [];
  for (const sha256 of await options.store.layerCodeWithoutZip()) {
    if (!(await code.has(sha256))) continue;
    const lease = legacyLayerLease(sha256);
    if (!(await leases.claim(lease))) continue;
    try {
      // Another instance may have kept it between the list and the lease (it held the lease meanwhile).
      if (!(await store.layerCodeWithoutZip()).includes(sha256)) continue;
      const zip = await code.pack(sha256);
      if (!zip) continue;
      const zipSha256 = createHash('sha256').update(zip).digest('hex');
      await zips.keep(zipSha256, zip);
      if ((await store.keepLayerZip(sha256, zipSha256)) > 0) kept.push(sha256);
    } finally {
      await leases.release(lease);
    }
  }
  return kept;
}
