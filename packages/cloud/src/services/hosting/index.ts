import { CONTROL_ERRORS, HOSTING_API_PATH, HOSTING_TARGET_PREFIX, RESOURCE_TYPES, SIGNING_SERVICE } from '@forte/protocol';
import { jsonApiRoute } from '../../kernel/json-api.js';
import { createCacheInvalidation } from '../../kernel/cache-invalidation.js';
import { createClusterLeases, type ClusterLeases } from '../../kernel/cluster-leases.js';
import type { Kernel, Service } from '../../kernel/types.js';
import { createBackgroundTasks } from './background-tasks.js';
import { createBlobBatchRoute } from './blob-batch-route.js';
import { createBlobUploadRoute } from './blob-upload-route.js';
import { createDeployOperations } from './deploy-operations.js';
import type { HostingState } from './hosting-state.js';
import { LiveSiteCache } from './live-site-cache.js';
import { HOSTING_MIGRATIONS } from './migrations.js';
import { createVariantSweep } from './pending-variants.js';
import { createSiteLock } from './site-lock.js';
import { createSiteRoute } from './site-route.js';
import { createSiteResourceHandler } from './site-resource.js';

/** The hosting service's settings; tests shorten them. */
export interface HostingOptions {
  /** On a shared database, how long a site lock's lease lasts after its last renewal (renewed every third); default 15 s. */
  siteLeaseMs?: number | undefined;
  /** How often one instance looks for compressed variants a switch left undone; default 5 s. */
  variantSweepMs?: number | undefined;
}

const DEFAULT_SITE_LEASE_MS = 15_000;
const DEFAULT_VARIANT_SWEEP_MS = 5_000;
/** How long a request waits for a site busy on another instance, at least. */
const MIN_LOCK_WAIT_MS = 60_000;

/**
 * Static site hosting with atomic, content-addressed deployments: the deploy API (`ForteHosting.*` and
 * blob uploads), the public site server (`<app>-<env>.localhost`), and the
 * `Forte::Hosting::Site` resource type.
 */
export function createHostingService(kernel: Kernel, options: HostingOptions = {}): Service {
  // Sites are kept in memory (live-site-cache.ts): a switch or delete made by another instance sharing the
  // database drops this instance's copy at once (without the bus, after RECHECK_MS).
  const sitesChanged = createCacheInvalidation<{ label: string }>(kernel, 'hosting-sites', {
    isChange: (value): value is { label: string } => typeof (value as { label?: unknown } | null)?.label === 'string',
    onChange: ({ label }) => sites.forget(label),
    onLost: () => sites.invalidateAll(),
  });
  const sites = new LiveSiteCache(kernel.sql, (label) => sitesChanged.changed({ label }));
  const { route: siteRoute, bodies } = createSiteRoute({ blobs: kernel.blobs, sites });
  const siteLeaseMs = options.siteLeaseMs ?? DEFAULT_SITE_LEASE_MS;
  const shared = kernel.sql.dialect !== 'sqlite';
  let leases: ClusterLeases | undefined;
  const leasesMade = (): ClusterLeases => {
    if (!leases) throw new Error('the hosting service has not started');
    return leases;
  };
  const lock = createSiteLock({ leases: leasesMade, shared, log: kernel.log, waitMs: Math.max(MIN_LOCK_WAIT_MS, 4 * siteLeaseMs) });
  const state: HostingState = { kernel, sites, bodies, lock, background: createBackgroundTasks(kernel.log) };
  const sweep = createVariantSweep(state, { intervalMs: options.variantSweepMs ?? DEFAULT_VARIANT_SWEEP_MS, leases: leasesMade });
  return {
    name: 'hosting',
    routes: [
      jsonApiRoute({
        name: 'hosting-api',
        path: HOSTING_API_PATH,
        targetPrefix: HOSTING_TARGET_PREFIX,
        signingService: SIGNING_SERVICE,
        actionPrefix: 'hosting',
        operations: createDeployOperations(state),
        errors: CONTROL_ERRORS,
        validationErrorCode: 'ValidationException',
        browserAccess: 'same-origin',
      }),
      createBlobUploadRoute(state),
      createBlobBatchRoute(state),
      siteRoute,
    ],
    resourceTypes: { [RESOURCE_TYPES.hostingSite]: createSiteResourceHandler(state) },
    async start() {
      await sitesChanged.start();
      await kernel.sql.migrate('hosting', HOSTING_MIGRATIONS);
      leases = await createClusterLeases({ sql: kernel.sql, instance: kernel.config.instance, leaseMs: siteLeaseMs, shared });
      sweep.start();
    },
    async stop() {
      sitesChanged.stop();
      await state.background.settled();
      if (leases) await sweep.stop();
    },
  };
}
