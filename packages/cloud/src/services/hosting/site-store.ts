import { CONTROL_ERRORS, type SiteDeployment, type SiteFile } from '@forte/protocol';
import type { SqlStore } from '../../engines/types.js';
import type { LockGuard } from './site-lock.js';

export interface SiteRow {
  siteId: string;
  appId: string;
  envName: string;
  siteName: string;
  /** `<appSlug>-<envName>`: the host name label and the `/sites/<label>/` path segment. */
  hostLabel: string;
  activeDeploymentId: string | undefined;
  createdAt: string;
  /** Since when (epoch ms) the live deployment's compressed variants are due; undefined once recorded. */
  variantsPendingSince?: number | undefined;
}

export interface BlobRow {
  sha256: string;
  size: number;
  brSize: number | undefined;
  gzSize: number | undefined;
  variantsDone: boolean;
}

interface RawSite {
  site_id: string;
  app_id: string;
  env_name: string;
  site_name: string;
  host_label: string;
  active_deployment_id: string | null;
  created_at: string;
  variants_pending_since: number | null;
}
interface RawDeployment {
  deployment_id: string;
  site_id: string;
  seq: number;
  status: SiteDeployment['status'];
  file_count: number;
  created_at: string;
  activated_at: string | null;
}
interface RawBlob {
  sha256: string;
  size: number;
  br_size: number | null;
  gz_size: number | null;
  variants_done: number;
}

const toSite = (r: RawSite): SiteRow => ({
  siteId: r.site_id,
  appId: r.app_id,
  envName: r.env_name,
  siteName: r.site_name,
  hostLabel: r.host_label,
  activeDeploymentId: r.active_deployment_id ?? undefined,
  createdAt: r.created_at,
  variantsPendingSince: r.variants_pending_since ?? undefined,
});
const toDeployment = (r: RawDeployment): SiteDeployment => ({
  deploymentId: r.deployment_id,
  siteId: r.site_id,
  number: Number(r.seq),
  status: r.status,
  fileCount: r.file_count,
  createdAt: r.created_at,
  ...(r.activated_at ? { activatedAt: r.activated_at } : {}),
});
const toBlob = (r: RawBlob): BlobRow => ({
  sha256: r.sha256,
  size: r.size,
  brSize: r.br_size ?? undefined,
  gzSize: r.gz_size ?? undefined,
  variantsDone: r.variants_done === 1,
});

const SITE_COLUMNS = 'site_id, app_id, env_name, site_name, host_label, active_deployment_id, created_at, variants_pending_since';
const DEPLOYMENT_COLUMNS = 'deployment_id, site_id, seq, status, file_count, created_at, activated_at';

/** Manifests are stored compactly as `[path, sha256, size]` triples (one row per deployment). */
type ManifestJson = [string, string, number][];

/**
 * SQL access of the hosting service. Every method takes the store so it also runs inside a transaction; the
 * writes that need the site's lock take its guard (site-lock.ts) and refuse when it is no longer held.
 */
export const siteStore = {
  async siteById(sql: SqlStore, siteId: string): Promise<SiteRow | undefined> {
    const row = await sql.get<RawSite>(`SELECT ${SITE_COLUMNS} FROM hosting_sites WHERE site_id = ?`, [siteId]);
    return row ? toSite(row) : undefined;
  },
  async siteByLabel(sql: SqlStore, hostLabel: string): Promise<SiteRow | undefined> {
    const row = await sql.get<RawSite>(`SELECT ${SITE_COLUMNS} FROM hosting_sites WHERE host_label = ?`, [hostLabel]);
    return row ? toSite(row) : undefined;
  },
  async siteByName(sql: SqlStore, appId: string, envName: string, siteName: string): Promise<SiteRow | undefined> {
    const row = await sql.get<RawSite>(`SELECT ${SITE_COLUMNS} FROM hosting_sites WHERE app_id = ? AND env_name = ? AND site_name = ?`, [
      appId,
      envName,
      siteName,
    ]);
    return row ? toSite(row) : undefined;
  },
  async insertSite(sql: SqlStore, site: SiteRow): Promise<void> {
    await sql.run(
      'INSERT INTO hosting_sites (site_id, app_id, env_name, site_name, host_label, active_deployment_id, created_at) VALUES (?, ?, ?, ?, ?, NULL, ?)',
      [site.siteId, site.appId, site.envName, site.siteName, site.hostLabel, site.createdAt],
    );
  },
  async updateSiteName(sql: SqlStore, siteId: string, siteName: string): Promise<void> {
    await sql.run('UPDATE hosting_sites SET site_name = ? WHERE site_id = ?', [siteName, siteId]);
  },
  /** Deletes a site and its rows: call inside a transaction, with the site's lock. */
  async deleteSite(sql: SqlStore, siteId: string, guard: LockGuard): Promise<void> {
    await requireHeld(sql, guard);
    await sql.run('DELETE FROM hosting_deployments WHERE site_id = ?', [siteId]);
    await sql.run('DELETE FROM hosting_blobs WHERE site_id = ?', [siteId]);
    await sql.run('DELETE FROM hosting_sites WHERE site_id = ?', [siteId]);
  },

  async insertDeployment(sql: SqlStore, args: { deploymentId: string; siteId: string; files: SiteFile[]; createdAt: string }): Promise<SiteDeployment> {
    const manifest: ManifestJson = args.files.map((f) => [f.path, f.sha256, f.size]);
    const number = await sql.transaction(async (tx) => {
      const row = await tx.get<{ seq: number | null }>('SELECT MAX(seq) AS seq FROM hosting_deployments WHERE site_id = ?', [args.siteId]);
      const seq = Number(row?.seq ?? 0) + 1;
      await tx.run('INSERT INTO hosting_deployments (deployment_id, site_id, seq, status, file_count, manifest, created_at) VALUES (?, ?, ?, ?, ?, ?, ?)', [
        args.deploymentId,
        args.siteId,
        seq,
        'PENDING',
        args.files.length,
        JSON.stringify(manifest),
        args.createdAt,
      ]);
      return seq;
    });
    return { deploymentId: args.deploymentId, siteId: args.siteId, number, status: 'PENDING', fileCount: args.files.length, createdAt: args.createdAt };
  },
  async deployment(sql: SqlStore, deploymentId: string): Promise<SiteDeployment | undefined> {
    const row = await sql.get<RawDeployment>(`SELECT ${DEPLOYMENT_COLUMNS} FROM hosting_deployments WHERE deployment_id = ?`, [deploymentId]);
    return row ? toDeployment(row) : undefined;
  },
  async manifest(sql: SqlStore, deploymentId: string): Promise<SiteFile[]> {
    const row = await sql.get<{ manifest: string }>('SELECT manifest FROM hosting_deployments WHERE deployment_id = ?', [deploymentId]);
    if (!row) return [];
    return (JSON.parse(row.manifest) as ManifestJson).map(([path, sha256, size]) => ({ path, sha256, size }));
  },
  /** Newest first. */
  async deployments(sql: SqlStore, siteId: string): Promise<SiteDeployment[]> {
    const rows = await sql.all<RawDeployment>(`SELECT ${DEPLOYMENT_COLUMNS} FROM hosting_deployments WHERE site_id = ? ORDER BY seq DESC`, [siteId]);
    return rows.map(toDeployment);
  },
  /** Makes `deploymentId` the live one, its compressed variants due: call inside a transaction, with the site's lock. */
  async activate(sql: SqlStore, args: { siteId: string; deploymentId: string; at: string; now: number; guard: LockGuard }): Promise<void> {
    const { siteId, deploymentId, at, now, guard } = args;
    await requireHeld(sql, guard);
    await sql.run("UPDATE hosting_deployments SET status = 'SUPERSEDED' WHERE site_id = ? AND status = 'ACTIVE' AND deployment_id <> ?", [
      siteId,
      deploymentId,
    ]);
    await sql.run("UPDATE hosting_deployments SET status = 'ACTIVE', activated_at = ? WHERE deployment_id = ?", [at, deploymentId]);
    await sql.run('UPDATE hosting_sites SET active_deployment_id = ?, variants_pending_since = ? WHERE site_id = ?', [deploymentId, now, siteId]);
  },
  /** Sites whose live deployment's variants have been due since before `before` (epoch ms). */
  async sitesWithPendingVariants(sql: SqlStore, before: number): Promise<string[]> {
    const rows = await sql.all<{ site_id: string }>('SELECT site_id FROM hosting_sites WHERE variants_pending_since < ?', [before]);
    return rows.map((r) => r.site_id);
  },
  /** Records that the variants of `deploymentId` are done, unless another deployment went live meanwhile. */
  async variantsDone(sql: SqlStore, siteId: string, deploymentId: string): Promise<void> {
    await sql.run('UPDATE hosting_sites SET variants_pending_since = NULL WHERE site_id = ? AND active_deployment_id = ?', [siteId, deploymentId]);
  },
  /** With the site's lock: whether the deployment was deleted (false: the lock is no longer held). */
  async deleteDeployment(sql: SqlStore, deploymentId: string, guard: LockGuard): Promise<boolean> {
    const { changes } = await sql.run(`DELETE FROM hosting_deployments WHERE deployment_id = ? AND ${guard.condition}`, [deploymentId, ...guard.params]);
    return changes === 1;
  },

  async blobs(sql: SqlStore, siteId: string): Promise<BlobRow[]> {
    const rows = await sql.all<RawBlob>('SELECT sha256, size, br_size, gz_size, variants_done FROM hosting_blobs WHERE site_id = ?', [siteId]);
    return rows.map(toBlob);
  },
  async blob(sql: SqlStore, siteId: string, sha256: string): Promise<BlobRow | undefined> {
    const row = await sql.get<RawBlob>('SELECT sha256, size, br_size, gz_size, variants_done FROM hosting_blobs WHERE site_id = ? AND sha256 = ?', [
      siteId,
      sha256,
    ]);
    return row ? toBlob(row) : undefined;
  },
  async insertBlob(sql: SqlStore, siteId: string, sha256: string, size: number): Promise<void> {
    await sql.run('INSERT INTO hosting_blobs (site_id, sha256, size) VALUES (?, ?, ?) ON CONFLICT (site_id, sha256) DO NOTHING', [siteId, sha256, size]);
  },
  /** Call with the site's lock, inside a transaction that checked it (`requireHeld`). */
  async setVariants(sql: SqlStore, siteId: string, sha256: string, sizes: { br: number | undefined; gz: number | undefined }): Promise<void> {
    await sql.run('UPDATE hosting_blobs SET br_size = ?, gz_size = ?, variants_done = 1 WHERE site_id = ? AND sha256 = ?', [
      sizes.br ?? null,
      sizes.gz ?? null,
      siteId,
      sha256,
    ]);
  },
  /** With the site's lock: whether the row was deleted (false: the lock is no longer held, or it was gone). */
  async deleteBlob(sql: SqlStore, siteId: string, sha256: string, guard: LockGuard): Promise<boolean> {
    const { changes } = await sql.run(`DELETE FROM hosting_blobs WHERE site_id = ? AND sha256 = ? AND ${guard.condition}`, [siteId, sha256, ...guard.params]);
    return changes === 1;
  },
  requireHeld,
};

/** Refuses (throws) when the site's lock is no longer this instance's: it stalled past its lease. */
async function requireHeld(sql: SqlStore, guard: LockGuard): Promise<void> {
  const row = await sql.get<{ held: number }>(`SELECT 1 AS held WHERE ${guard.condition}`, guard.params);
  if (!row) {
    throw CONTROL_ERRORS.error(
      'ConflictException',
      'This instance stalled past the lease of the site lock, so another instance may have changed the site since: nothing was changed; try again.',
    );
  }
}
