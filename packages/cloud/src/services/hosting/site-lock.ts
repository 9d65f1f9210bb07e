import { setTimeout as sleep } from 'node:timers/promises';
import { CONTROL_ERRORS } from '@forte/protocol';
import type { ClusterLeases } from '../../kernel/cluster-leases.js';
import type { Logger } from '../../kernel/logger.js';
import { createKeyedMutex } from './keyed-mutex.js';

/** A condition for a statement that must only take effect while the lock is still held, with its parameters. */
export interface LockGuard {
  condition: string;
  params: unknown[];
}

/**
 * The lock of one site: deployment switches, blob collection, compression and deletion of a site run one at
 * a time in the whole cluster. In process a keyed mutex orders them (the fast path, and all there is on a
 * database no other process opens); on a shared database the holder of the process's mutex also takes the
 * site's cluster lease (`hosting-site:<siteId>`, kernel/cluster-leases.ts), renews it while the task runs and
 * releases it at the end. A lease whose instance died lapses and is taken by the next waiter. The task's
 * destructive writes carry the guard, so an instance that stalled past its lease writes nothing.
 */
export interface SiteLock {
  /** Runs `task` holding the site's lock, waiting for it (a ConflictException after `waitMs`). */
  run<T>(siteId: string, task: (guard: LockGuard) => Promise<T>): Promise<T>;
  /** Runs `task` holding the site's lock when it is free now; `{ ran: false }` without running it when not. */
  tryRun<T>(siteId: string, task: (guard: LockGuard) => Promise<T>): Promise<{ ran: true; value: T } | { ran: false }>;
  /** The lease name of a site (the guard's subject). */
  leaseName(siteId: string): string;
}

const FIRST_RETRY_MS = 10;
const MAX_RETRY_MS = 250;

export function createSiteLock(options: {
  /** The cluster's leases, made at the service's start (before any request is served). */
  leases: () => ClusterLeases;
  /** Whether other processes share the database: without, the mutex alone is the lock. */
  shared: boolean;
  log: Logger;
  waitMs: number;
}): SiteLock {
  const { shared, log, waitMs } = options;
  const mutex = createKeyedMutex();
  const leaseName = (siteId: string): string => `hosting-site:${siteId}`;
  const alone: LockGuard = { condition: '1 = 1', params: [] };

  const holding = async <T>(siteId: string, task: (guard: LockGuard) => Promise<T>): Promise<T> => {
    const leases = options.leases();
    const name = leaseName(siteId);
    const renewal = setInterval(
      () => {
        leases
          .claim(name)
          .then((held) => held || log.warn('the lease of a site lock lapsed while held: its writes are refused', { siteId }))
          .catch((error: unknown) => log.warn('renewing the lease of a site lock failed', { siteId, error }));
      },
      Math.max(10, Math.floor(leases.leaseMs / 3)),
    );
    renewal.unref();
    try {
      return await task(leases.held(name));
    } finally {
      clearInterval(renewal);
      await leases.release(name).catch((error: unknown) => log.warn('releasing the lease of a site lock failed', { siteId, error }));
    }
  };

  return {
    leaseName,
    run(siteId, task) {
      if (!shared) return mutex.run(siteId, () => task(alone));
      return mutex.run(siteId, async () => {
        const leases = options.leases();
        const name = leaseName(siteId);
        const deadline = Date.now() + waitMs;
        for (let delay = FIRST_RETRY_MS; !(await leases.claim(name)); delay = Math.min(MAX_RETRY_MS, delay * 2)) {
          if (Date.now() >= deadline) {
            throw CONTROL_ERRORS.error(
              'ConflictException',
              `The hosting site ${siteId} has been busy on another instance (a deployment switch, collection or deletion) for ${Math.round(waitMs / 1000)} s: try again shortly.`,
            );
          }
          await sleep(delay);
        }
        return holding(siteId, task);
      });
    },
    async tryRun(siteId, task) {
      if (mutex.busy(siteId)) return { ran: false };
      if (!shared) return { ran: true, value: await mutex.run(siteId, () => task(alone)) };
      return mutex.run(siteId, async () => {
        if (!(await options.leases().claim(leaseName(siteId)))) return { ran: false as const };
        return { ran: true as const, value: await holding(siteId, task) };
      });
    },
  };
}
