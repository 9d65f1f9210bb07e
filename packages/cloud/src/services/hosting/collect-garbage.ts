import { hostingBlobIds } from './blob-ids.js';
import type { HostingState } from './hosting-state.js';
import type { LockGuard } from './site-lock.js';
import { siteStore } from './site-store.js';

/** Deployments kept per site (the active one always among them); older ones are forgotten. */
export const KEPT_DEPLOYMENTS = 10;

/**
 * Forgets all but the newest deployments of a site and deletes the blobs none of the kept ones references.
 * Call with the site lock held, and its guard: no row or file is deleted once another instance may have
 * taken the lock over. Blobs are listed before deployments: an upload always follows the CreateDeployment
 * that asked for it, so every listed blob's deployment is in the later listing.
 */
export async function collectGarbage(state: HostingState, siteId: string, guard: LockGuard): Promise<{ deployments: number; blobs: number }> {
  const { sql, blobs } = state.kernel;
  const blobRows = await siteStore.blobs(sql, siteId);
  const deployments = await siteStore.deployments(sql, siteId);
  const kept = deployments.slice(0, KEPT_DEPLOYMENTS);
  const active = deployments.find((d) => d.status === 'ACTIVE');
  if (active && !kept.includes(active)) kept.push(active);
  const dropped = deployments.filter((d) => !kept.includes(d));
  for (const d of dropped) if (!(await siteStore.deleteDeployment(sql, d.deploymentId, guard))) await siteStore.requireHeld(sql, guard);
  const referenced = new Set<string>();
  for (const d of kept) for (const f of await siteStore.manifest(sql, d.deploymentId)) referenced.add(f.sha256);
  let deleted = 0;
  for (const blob of blobRows) {
    if (referenced.has(blob.sha256)) continue;
    // The row goes first, and only while the lock is held: a file is deleted only after its row.
    if (!(await siteStore.deleteBlob(sql, siteId, blob.sha256, guard))) {
      await siteStore.requireHeld(sql, guard);
      continue;
    }
    for (const id of [
      hostingBlobIds.file(siteId, blob.sha256),
      hostingBlobIds.variant(siteId, blob.sha256, 'br'),
      hostingBlobIds.variant(siteId, blob.sha256, 'gz'),
    ]) {
      await blobs.delete(id);
      state.bodies.delete(id);
    }
    deleted++;
  }
  return { deployments: dropped.length, blobs: deleted };
}
