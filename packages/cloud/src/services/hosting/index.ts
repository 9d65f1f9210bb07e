import { CONTROL_ERRORS, HOSTING_API_PATH, HOSTING_TARGET_PREFIX, RESOURCE_TYPES, SIGNING_SERVICE } from '@forte/protocol';
import { jsonApiRoute } from '../../kernel/json-api.js';
import { createCacheInvalidation } from '../../kernel/cache-invalidation.js';
import type { Kernel, Service } from '../../kernel/types.js';
import { createBackgroundTasks } from './background-tasks.js';
import { createBlobBatchRoute } from './blob-batch-route.js';
import { createBlobUploadRoute } from './blob-upload-route.js';
import { createDeployOperations } from './deploy-operations.js';
import type { HostingState } from './hosting-state.js';
import { createKeyedMutex } from './keyed-mutex.js';
import { LiveSiteCache } from './live-site-cache.js';
import { HOSTING_MIGRATIONS } from './migrations.js';
import { createSiteRoute } from './site-route.js';
import { createSiteResourceHandler } from './site-resource.js';

/**
 * Static site hosting with atomic, content-addressed deployments: the deploy API (`ForteHosting.*` and
 * blob uploads), the public site server (`<app>-<env>.localhost`), and the
 * `Forte::Hosting::Site` resource type.
 */
export function createHostingService(kernel: Kernel): Service {
  // Sites are kept in memory (live-site-cache.ts): a switch or delete made by another instance sharing the
  // database drops this instance's copy at once (without the bus, after RECHECK_MS).
  const sitesChanged = createCacheInvalidation<{ label: string }>(kernel, 'hosting-sites', {
    isChange: (value): value is { label: string } => typeof (value as { label?: unknown } | null)?.label === 'string',
    onChange: ({ label }) => sites.forget(label),
    onLost: () => sites.invalidateAll(),
  });
  const sites = new LiveSiteCache(kernel.sql, (label) => sitesChanged.changed({ label }));
  const { route: siteRoute, bodies } = createSiteRoute({ blobs: kernel.blobs, sites });
  const state: HostingState = { kernel, sites, bodies, withSiteLock: createKeyedMutex(), background: createBackgroundTasks(kernel.log) };
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
    },
    async stop() {
      sitesChanged.stop();
      await state.background.settled();
    },
  };
}
