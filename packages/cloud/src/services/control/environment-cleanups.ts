import type { SqlStore } from '../../engines/types.js';
import type { ClusterLeases } from '../../kernel/cluster-leases.js';
import type { Logger } from '../../kernel/logger.js';
import type { EnvironmentCleanup } from '../../kernel/types.js';
import { controlError } from './control-errors.js';

/** The lease of the sweep: one instance of a cluster finishes the cleanups others left. */
export const ENVIRONMENT_CLEANUP_LEASE = 'control-environment-cleanups';
const FIRST_SWEEP_MS = 1000;

/**
 * Records, in the transaction that deletes an environment's rows, that what other services keep for it outside
 * its resources (`ENVIRONMENT_CLEANUPS`: its SSM parameters) is still to be dropped. The row stays until every
 * cleanup succeeded, so an instance that dies in between leaves it for another one (or its own restart).
 */
export async function recordEnvironmentCleanup(tx: SqlStore, appId: string, envName: string, now: number): Promise<void> {
  await tx.run('INSERT INTO control_environment_cleanups (app_id, env_name, deleted_at) VALUES (?, ?, ?) ON CONFLICT (app_id, env_name) DO NOTHING', [
    appId,
    envName,
    now,
  ]);
}

/** Refuses (inside CreateEnvironment's transaction) to make an environment whose predecessor's cleanup is pending. */
export async function refuseWhileCleanupPending(tx: SqlStore, appId: string, envName: string): Promise<void> {
  if (await tx.get('SELECT 1 AS pending FROM control_environment_cleanups WHERE app_id = ? AND env_name = ?', [appId, envName])) {
    throw controlError(
      'ConflictException',
      `The data the deleted environment ${envName} kept outside its resources (its SSM parameters) is still being dropped: try again in a minute.`,
    );
  }
}

export interface EnvironmentCleanups {
  /** Runs the pending cleanup of one environment, if any; whether none is left pending. */
  finish(appId: string, envName: string): Promise<boolean>;
  /** Runs every pending cleanup on the holder of the lease: soon after start, then every `intervalMs`. */
  start(): void;
  stop(): Promise<void>;
}

/**
 * Finishes recorded cleanups: the instance that deleted the environment at once, and any instance's sweep
 * (a second after start, then every `intervalMs`, under `ENVIRONMENT_CLEANUP_LEASE`) those it left. Cleanups are
 * idempotent (dropping what is already gone drops nothing), so one run twice does no harm; a failed one is
 * logged and retried by the next sweep.
 */
export function createEnvironmentCleanups(options: {
  sql: SqlStore;
  log: Logger;
  cleanups: () => readonly EnvironmentCleanup[];
  /** The cluster's leases, made at start. */
  leases: () => ClusterLeases;
  intervalMs: number;
}): EnvironmentCleanups {
  const { sql, log } = options;
  let first: NodeJS.Timeout | undefined;
  let timer: NodeJS.Timeout | undefined;
  let running: Promise<void> | undefined;

  const finish = async (appId: string, envName: string): Promise<boolean> => {
    const row = await sql.get('SELECT 1 AS pending FROM control_environment_cleanups WHERE app_id = ? AND env_name = ?', [appId, envName]);
    if (!row) return true;
    let failed = false;
    for (const cleanup of options.cleanups()) {
      try {
        await cleanup({ appId, envName });
      } catch (error) {
        failed = true;
        log.error('dropping the data a deleted environment kept outside its resources failed; it is retried', { appId, envName, error });
      }
    }
    if (failed) return false;
    await sql.run('DELETE FROM control_environment_cleanups WHERE app_id = ? AND env_name = ?', [appId, envName]);
    return true;
  };

  const sweep = async (): Promise<void> => {
    if (!(await options.leases().claim(ENVIRONMENT_CLEANUP_LEASE))) return;
    const rows = await sql.all<{ app_id: string; env_name: string }>('SELECT app_id, env_name FROM control_environment_cleanups ORDER BY deleted_at');
    for (const row of rows) {
      if (await finish(row.app_id, row.env_name)) log.info('finished the cleanup of a deleted environment', { appId: row.app_id, envName: row.env_name });
    }
  };
  const sweepOnce = (): Promise<void> => {
    running ??= sweep()
      .catch((error: unknown) => log.error('finishing the cleanups of deleted environments failed', { error }))
      .finally(() => (running = undefined));
    return running;
  };

  return {
    finish,
    start() {
      // The first sweep waits for the other services to start (the cleanups are theirs); a cleanup that fails
      // then is retried at the next one.
      first = setTimeout(() => void sweepOnce(), Math.min(FIRST_SWEEP_MS, options.intervalMs));
      first.unref();
      timer = setInterval(() => void sweepOnce(), options.intervalMs);
      timer.unref();
    },
    async stop() {
      clearTimeout(first);
      clearInterval(timer);
      await running;
      await options
        .leases()
        .release(ENVIRONMENT_CLEANUP_LEASE)
        .catch((error: unknown) => log.warn('could not release the environment cleanup lease', { error }));
    },
  };
}
