import type { Site } from '@forte/protocol';
import type { Kernel } from '../../kernel/types.js';
import type { BackgroundTasks } from './background-tasks.js';
import type { ByteLru } from './byte-lru.js';
import type { LiveSiteCache } from './live-site-cache.js';
import type { SiteLock } from './site-lock.js';
import { siteAddresses } from './site-address.js';
import type { SiteRow } from './site-store.js';

/** What the parts of the hosting service share: the kernel, the serving caches and the per-site lock. */
export interface HostingState {
  kernel: Kernel;
  sites: LiveSiteCache;
  bodies: ByteLru<Buffer>;
  /** Serialises switches, collection, compression and deletion of one site, in the whole cluster. */
  lock: SiteLock;
  /** Compression of new deployments' files, after they went live. */
  background: BackgroundTasks;
}

export function siteView(kernel: Kernel, row: SiteRow): Site {
  const { url } = siteAddresses(row.hostLabel, kernel.port());
  return {
    siteId: row.siteId,
    appId: row.appId,
    envName: row.envName,
    url,
    ...(row.activeDeploymentId ? { activeDeploymentId: row.activeDeploymentId } : {}),
  };
}
