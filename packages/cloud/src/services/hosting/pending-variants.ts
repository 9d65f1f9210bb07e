import type { ClusterLeases } from '../../kernel/cluster-leases.js';
import { ensureCompressedVariants } from './compress-variants.js';
import type { HostingState } from './hosting-state.js';
import type { LockGuard } from './site-lock.js';
import { siteStore } from './site-store.js';

/** The lease of the sweep: one instance of a cluster looks for variants left undone. */
export const VARIANT_SWEEP_LEASE = 'hosting-variant-sweep';

/**
 * With the site's lock held: computes the compressed variants the live deployment still lacks, records them
 * (and that they are done), and tells every instance's live-site cache to read the site again, so all of
 * them send the variants from now on. Answers how many files it compressed.
 */
export async function compressPendingVariants(state: HostingState, siteId: string, guard: LockGuard): Promise<number> {
  const { sql, blobs } = state.kernel;
  const site = await siteStore.siteById(sql, siteId);
  if (site?.activeDeploymentId === undefined || site.variantsPendingSince === undefined) return 0;
  const files = await siteStore.manifest(sql, site.activeDeploymentId);
  const compressed = await ensureCompressedVariants({ sql, blobs, siteId, deploymentId: site.activeDeploymentId, files, guard });
  state.sites.invalidate(site.hostLabel);
  return compressed;
}

/**
 * Variants are computed right after a switch by the instance that made it; one that died first leaves them
 * due in the site's row. Every `intervalMs` the holder of `VARIANT_SWEEP_LEASE` computes those due for longer
 * than that, each under its site's lock (a site busy elsewhere waits for the next sweep), so they are done
 * once per cluster. On a database no other process opens the lease is always this process's: a restart
 * finishes what the previous run left.
 */
export function createVariantSweep(
  state: HostingState,
  options: { intervalMs: number; leases: () => ClusterLeases },
): {
  start(): void;
  stop(): Promise<void>;
} {
  const { intervalMs } = options;
  const log = state.kernel.log;
  let timer: NodeJS.Timeout | undefined;
  let running: Promise<void> | undefined;

  const sweep = async (): Promise<void> => {
    if (!(await options.leases().claim(VARIANT_SWEEP_LEASE))) return;
    for (const siteId of await siteStore.sitesWithPendingVariants(state.kernel.sql, Date.now() - intervalMs)) {
      const outcome = await state.lock.tryRun(siteId, (guard) => compressPendingVariants(state, siteId, guard));
      if (outcome.ran) log.info('hosting variants left undone by a switch computed', { siteId, files: outcome.value });
    }
  };

  return {
    start() {
      timer = setInterval(() => {
        if (running) return;
        running = sweep()
          .catch((error: unknown) => log.warn('the sweep for compressed variants left undone failed', { error }))
          .finally(() => (running = undefined));
      }, intervalMs);
      timer.unref();
    },
    async stop() {
      clearInterval(timer);
      await running;
      await options
        .leases()
        .release(VARIANT_SWEEP_LEASE)
        .catch((error: unknown) => log.warn('could not release the variant sweep lease', { error }));
    },
  };
}
