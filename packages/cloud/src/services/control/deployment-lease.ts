import type { SqlStore } from '../../engines/types.js';

/**
 * Which cloud instance runs each unfinished deployment, and when it last said so. On a database several
 * instances share, each instance renews the lease of the deployments it runs; a deployment whose lease has
 * lapsed (its instance died) is taken over by exactly one other instance (the UPDATE that claims it matches
 * only while the lease is lapsed), which rolls it back. A committed deployment's lease is renewed until the
 * clean-up after its commit has ended; one that lapsed before its last event is claimed the same way and its
 * clean-up finished. On a database only this process opens, a restart takes over all of them at once.
 */
export interface DeploymentLeases {
  /** Marks a deployment just created (inside its transaction) as run by this instance. */
  own(tx: SqlStore, deploymentId: string): Promise<void>;
  /** Takes over an unfinished deployment whose lease lapsed (or any, when `always`); whether this instance now owns it. */
  claim(deploymentId: string, always: boolean): Promise<boolean>;
  /**
   * Takes over a deployment that stands (SUCCEEDED) but whose instance stopped renewing its lease before the
   * clean-up after its commit had ended (or any such, when `always`); whether this instance now owns it.
   */
  claimStanding(deploymentId: string, always: boolean): Promise<boolean>;
  /** The deployments whose lease another instance holds and renews (unfinished, or committed and cleaning up). */
  heldElsewhere(): Promise<Set<string>>;
  /** Renews the leases of the unfinished deployments this instance runs, and of `running` (committed, cleaning up). */
  renew(running?: readonly string[]): Promise<void>;
}

const UNFINISHED = "status IN ('IN_PROGRESS', 'ROLLING_BACK')";

export function deploymentLeases(sql: SqlStore, instance: string, leaseMs: number, now: () => number): DeploymentLeases {
  /** Takes a deployment in `status` whose lease lapsed (or any, when `always`): the UPDATE matches for one instance only. */
  const claimWhere = async (status: string, deploymentId: string, always: boolean): Promise<boolean> => {
    const lapsed = always ? '' : ' AND (owner IS NULL OR heartbeat_at IS NULL OR heartbeat_at < ?)';
    const claimed = await sql.run(`UPDATE control_deployments SET owner = ?, heartbeat_at = ? WHERE deployment_id = ? AND ${status}${lapsed}`, [
      instance,
      now(),
      deploymentId,
      ...(always ? [] : [now() - leaseMs]),
    ]);
    return claimed.changes === 1;
  };
  return {
    async own(tx, deploymentId) {
      await tx.run('UPDATE control_deployments SET owner = ?, heartbeat_at = ? WHERE deployment_id = ?', [instance, now(), deploymentId]);
    },
    claim: (deploymentId, always) => claimWhere(UNFINISHED, deploymentId, always),
    claimStanding: (deploymentId, always) => claimWhere("status = 'SUCCEEDED'", deploymentId, always),
    async heldElsewhere() {
      const rows = await sql.all('SELECT deployment_id FROM control_deployments WHERE owner IS NOT NULL AND owner <> ? AND heartbeat_at >= ?', [
        instance,
        now() - leaseMs,
      ]);
      return new Set(rows.map((row) => String(row['deployment_id'])));
    },
    async renew(running = []) {
      const also = running.length > 0 ? ` OR deployment_id IN (${running.map(() => '?').join(', ')})` : '';
      await sql.run(`UPDATE control_deployments SET heartbeat_at = ? WHERE owner = ? AND (${UNFINISHED}${also})`, [now(), instance, ...running]);
    },
  };
}
