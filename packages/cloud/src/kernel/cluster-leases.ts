import { randomUUID } from 'node:crypto';
import type { SqlStore } from '../engines/types.js';

/**
 * Named leases of background work that one instance of a cluster must do at a time (an event source mapping's
 * poller, the TTL sweep): a row per name with its owner and expiry. `claim` takes a lease that is free, lapsed
 * or already this instance's (one conditional statement, so of two instances claiming at once exactly one
 * wins) and renews it; the owner claims again well within `leaseMs` (its heartbeat). An instance that stops
 * renewing loses the lease once it lapses, and another one takes the work over. On a database that only this
 * process opens (`shared` false), every claim succeeds and nothing is written: there is no one to share with.
 */
export interface ClusterLeases {
  /** How long a lease lasts after its last claim. */
  readonly leaseMs: number;
  /** Takes or renews the lease `name`; whether this instance holds it now. */
  claim(name: string): Promise<boolean>;
  /** Gives the lease up (the work stopped here): another instance may take it at once. */
  release(name: string): Promise<void>;
  /**
   * A condition for a statement that must only take effect while this instance still holds `name` (a
   * checkpoint written after work that took longer than the lease), with its parameters.
   */
  held(name: string): { condition: string; params: unknown[] };
}

const LEASE_MIGRATIONS: readonly string[] = ['CREATE TABLE cluster_leases (name TEXT PRIMARY KEY, owner TEXT NOT NULL, expires_at INTEGER NOT NULL)'];

export async function createClusterLeases(options: {
  sql: SqlStore;
  /** This instance's id (`CloudConfig.instance`); a random one when absent. */
  instance: string | undefined;
  leaseMs: number;
  shared: boolean;
  now?: () => number;
}): Promise<ClusterLeases> {
  const { sql, leaseMs, shared } = options;
  const instance = options.instance ?? randomUUID();
  const now = options.now ?? Date.now;
  if (shared) await sql.migrate('cluster-leases', LEASE_MIGRATIONS);
  return {
    leaseMs,
    async claim(name) {
      if (!shared) return true;
      const at = now();
      // Read committed: a concurrent claim of the same row waits for the first and then sees its owner and
      // expiry, so the condition fails for the second.
      const { changes } = await sql.run(
        'INSERT INTO cluster_leases (name, owner, expires_at) VALUES (?, ?, ?) ON CONFLICT (name) DO UPDATE SET owner = excluded.owner, expires_at = excluded.expires_at WHERE cluster_leases.owner = excluded.owner OR cluster_leases.expires_at < ?',
        [name, instance, at + leaseMs, at],
      );
      return changes === 1;
    },
    async release(name) {
      if (shared) await sql.run('DELETE FROM cluster_leases WHERE name = ? AND owner = ?', [name, instance]);
    },
    held(name) {
      return shared
        ? { condition: 'EXISTS (SELECT 1 FROM cluster_leases WHERE name = ? AND owner = ?)', params: [name, instance] }
        : { condition: '1 = 1', params: [] };
    },
  };
}
