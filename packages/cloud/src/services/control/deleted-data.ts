import { designatesDeletedData, type DeletedDataCopy, type RestoredDataCopy, type StoredDataCount } from '@forte/protocol';
import type { SqlStore } from '../../engines/types.js';
import type { Logger } from '../../kernel/logger.js';
import type { ResourceHandler, StoredDataSnapshot } from '../../kernel/types.js';
import { controlError } from './control-errors.js';
import { readDeployed, readLock } from './control-store.js';
import { newId } from './new-ids.js';

/** How long a copy of deleted data is kept when config.json does not say (`deletedData.retentionDays`). */
export const DEFAULT_DELETED_DATA_RETENTION_MS = 7 * 86_400_000;

/** What the stack engine is about to delete, with what identifies the copy (one per cleanup row). */
export interface ResourceBeingDeleted {
  appId: string;
  envName: string;
  deploymentId: string;
  logicalId: string;
  resourceType: string;
  physicalId: string;
  props: Record<string, unknown>;
}

/**
 * The copies the cloud keeps of data it deletes with a resource (a removed model's table, a replaced user
 * pool), so that `forte env restore-deleted` can put them back into the resource deployed in its place.
 * The data comes from and goes back through the owning service's `storedData` hooks: the control plane
 * never reads another service's tables. Copies expire after the retention period.
 */
export interface DeletedDataArchive {
  /**
   * Keeps a copy of what the resource holds before it is deleted (nothing when its type keeps no data or
   * it holds none). Idempotent per deployment and resource, so a retried cleanup keeps one copy.
   */
  keep(resource: ResourceBeingDeleted): Promise<void>;
  list(appId: string, envName: string): Promise<DeletedDataCopy[]>;
  restore(appId: string, envName: string, resource: string | undefined): Promise<{ restored: RestoredDataCopy[]; waiting: DeletedDataCopy[] }>;
  /** Drops expired copies (one indexed DELETE); answers how many went. */
  purgeExpired(): Promise<number>;
  /** Drops the copies of an environment that is deleted (inside its deletion's transaction). */
  forgetEnvironment(tx: SqlStore, appId: string, envName: string): Promise<void>;
}

export interface DeletedDataArchiveOptions {
  sql: SqlStore;
  log: Logger;
  handlerFor(type: string): ResourceHandler | undefined;
  retentionMs: number;
  /** Epoch milliseconds; injected by tests. */
  now(): number;
}

interface CopyRow {
  copy_id: string;
  app_id: string;
  env_name: string;
  logical_id: string;
  resource_type: string;
  physical_id: string;
  kind: string;
  item_count: number;
  deleted_at: number;
  expires_at: number;
}

const COPY_COLUMNS = 'copy_id, app_id, env_name, logical_id, resource_type, physical_id, kind, item_count, deleted_at, expires_at';

const toCopy = (row: CopyRow): DeletedDataCopy => ({
  copyId: row.copy_id,
  logicalId: row.logical_id,
  resourceType: row.resource_type,
  physicalId: row.physical_id,
  kind: row.kind as StoredDataCount['kind'],
  count: Number(row.item_count),
  deletedAt: new Date(Number(row.deleted_at)).toISOString(),
  expiresAt: new Date(Number(row.expires_at)).toISOString(),
});

export function createDeletedDataArchive(options: DeletedDataArchiveOptions): DeletedDataArchive {
  const { sql, log } = options;

  const listRows = async (appId: string, envName: string): Promise<DeletedDataCopy[]> => {
    const rows = await sql.all<CopyRow>(
      `SELECT ${COPY_COLUMNS} FROM control_deleted_data WHERE app_id = ? AND env_name = ? AND expires_at > ? ORDER BY deleted_at DESC, copy_id`,
      [appId, envName, options.now()],
    );
    return rows.map(toCopy);
  };

  return {
    async keep(resource) {
      const hooks = options.handlerFor(resource.resourceType)?.storedData;
      if (!hooks?.snapshot || options.retentionMs <= 0) return;
      const snapshot = await hooks.snapshot(resource.physicalId, resource.props);
      if (snapshot.count === 0) return;
      const now = options.now();
      await sql.run(
        `INSERT INTO control_deleted_data (${COPY_COLUMNS}, deployment_id, snapshot) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)
         ON CONFLICT (app_id, env_name, deployment_id, logical_id, physical_id) DO UPDATE SET item_count = excluded.item_count, snapshot = excluded.snapshot`,
        [
          newId('del'),
          resource.appId,
          resource.envName,
          resource.logicalId,
          resource.resourceType,
          resource.physicalId,
          hooks.kind,
          snapshot.count,
          now,
          now + options.retentionMs,
          resource.deploymentId,
          JSON.stringify(snapshot),
        ],
      );
      log.info('kept a copy of deleted data', {
        appId: resource.appId,
        envName: resource.envName,
        logicalId: resource.logicalId,
        kind: hooks.kind,
        count: snapshot.count,
      });
    },

    list: listRows,

    async restore(appId, envName, name) {
      const lock = await readLock(sql, appId, envName);
      if (lock)
        throw controlError(
          'DeploymentInProgressException',
          `Environment ${envName} is being deployed by ${lock.initiatedBy}; restore deleted data once the deployment has finished.`,
        );
      const all = await listRows(appId, envName);
      const copies = name === undefined ? all : all.filter((c) => designatesDeletedData(c, name));
      if (name !== undefined && copies.length === 0) {
        throw controlError(
          'ResourceNotFoundException',
          `No deleted data of ${name} is kept for environment ${envName}${all.length > 0 ? ` (kept: ${[...new Set(all.map((c) => c.logicalId))].join(', ')})` : ''}.`,
        );
      }
      const deployed = new Map((await readDeployed(sql, appId, envName)).map((r) => [r.logicalId, r]));
      const restored: RestoredDataCopy[] = [];
      const waiting: DeletedDataCopy[] = [];
      for (const copy of copies) {
        const target = deployed.get(copy.logicalId);
        const hooks = target?.resourceType === copy.resourceType ? options.handlerFor(copy.resourceType)?.storedData : undefined;
        if (!target || !hooks?.restore) {
          waiting.push(copy);
          continue;
        }
        const row = await sql.get<{ snapshot: string }>('SELECT snapshot FROM control_deleted_data WHERE copy_id = ?', [copy.copyId]);
        // Gone: a concurrent call restored it first. Two calls can also both get here; the second restore then only
        // skips, as every restore hook leaves the keys (items, users) already present alone.
        if (!row) continue;
        const outcome = await hooks.restore(target.physicalId, target.resolvedProperties, JSON.parse(row.snapshot) as StoredDataSnapshot);
        await sql.run('DELETE FROM control_deleted_data WHERE copy_id = ?', [copy.copyId]);
        log.info('restored deleted data', {
          appId,
          envName,
          logicalId: copy.logicalId,
          into: target.physicalId,
          restored: outcome.restored,
          skipped: outcome.skipped,
        });
        restored.push({ copy, restored: outcome.restored, skipped: outcome.skipped, ...(outcome.example === undefined ? {} : { example: outcome.example }) });
      }
      if (restored.length === 0 && waiting.length > 0) {
        const names = [...new Set(waiting.map((c) => c.logicalId))].join(', ');
        throw controlError(
          'ResourceNotFoundException',
          `${names} ${waiting.length === 1 ? 'is' : 'are'} not deployed in environment ${envName} now, so there is nothing to restore into. Add ${waiting.length === 1 ? 'it' : 'them'} back and push first, then restore.`,
        );
      }
      return { restored, waiting };
    },

    async purgeExpired() {
      const { changes } = await sql.run('DELETE FROM control_deleted_data WHERE expires_at <= ?', [options.now()]);
      if (changes > 0) log.info('dropped expired copies of deleted data', { count: changes });
      return changes;
    },

    async forgetEnvironment(tx, appId, envName) {
      await tx.run('DELETE FROM control_deleted_data WHERE app_id = ? AND env_name = ?', [appId, envName]);
    },
  };
}
