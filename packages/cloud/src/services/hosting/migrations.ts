/** The hosting service's tables (namespace `hosting`). Append new migrations; never edit applied ones. */
export const HOSTING_MIGRATIONS: readonly string[] = [
  `CREATE TABLE hosting_sites (
    site_id TEXT PRIMARY KEY,
    app_id TEXT NOT NULL,
    env_name TEXT NOT NULL,
    site_name TEXT NOT NULL,
    host_label TEXT NOT NULL UNIQUE,
    active_deployment_id TEXT,
    created_at TEXT NOT NULL,
    UNIQUE (app_id, env_name, site_name)
  );
  CREATE TABLE hosting_deployments (
    deployment_id TEXT PRIMARY KEY,
    site_id TEXT NOT NULL,
    seq INTEGER NOT NULL,
    status TEXT NOT NULL,
    file_count INTEGER NOT NULL,
    manifest TEXT NOT NULL,
    created_at TEXT NOT NULL,
    activated_at TEXT
  );
  CREATE INDEX hosting_deployments_site ON hosting_deployments (site_id, seq);
  CREATE TABLE hosting_blobs (
    site_id TEXT NOT NULL,
    sha256 TEXT NOT NULL,
    size INTEGER NOT NULL,
    br_size INTEGER,
    gz_size INTEGER,
    variants_done INTEGER NOT NULL DEFAULT 0,
    PRIMARY KEY (site_id, sha256)
  );`,
  // When the live deployment's compressed variants became due (epoch ms), until they are recorded: any
  // instance's sweep computes them when the instance that switched did not (pending-variants.ts).
  `ALTER TABLE hosting_sites ADD COLUMN variants_pending_since INTEGER`,
];
