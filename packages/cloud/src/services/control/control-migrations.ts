/**
 * Tables of the control plane, one statement per migration (portable SQL: TEXT, INTEGER; JSON as TEXT).
 * Append new migrations at the end; never edit an applied one.
 */
export const CONTROL_MIGRATIONS: readonly string[] = [
  `CREATE TABLE control_apps (
    app_id TEXT PRIMARY KEY,
    name TEXT NOT NULL,
    slug TEXT NOT NULL UNIQUE,
    created_at TEXT NOT NULL
  )`,
  // generation counts successful deployments: a change set planned against an older one is obsolete.
  `CREATE TABLE control_environments (
    app_id TEXT NOT NULL,
    env_name TEXT NOT NULL,
    stack_name TEXT NOT NULL,
    status TEXT NOT NULL,
    created_at TEXT NOT NULL,
    updated_at TEXT NOT NULL,
    last_deployment_id TEXT,
    outputs TEXT NOT NULL,
    current_cloud_backend TEXT,
    generation INTEGER NOT NULL,
    PRIMARY KEY (app_id, env_name)
  )`,
  `CREATE TABLE control_resources (
    app_id TEXT NOT NULL,
    env_name TEXT NOT NULL,
    logical_id TEXT NOT NULL,
    resource_type TEXT NOT NULL,
    physical_id TEXT NOT NULL,
    template_properties TEXT NOT NULL,
    resolved_properties TEXT NOT NULL,
    attributes TEXT NOT NULL,
    depends_on TEXT NOT NULL,
    PRIMARY KEY (app_id, env_name, logical_id)
  )`,
  `CREATE TABLE control_change_sets (
    change_set_id TEXT PRIMARY KEY,
    app_id TEXT NOT NULL,
    env_name TEXT NOT NULL,
    created_at TEXT NOT NULL,
    status TEXT NOT NULL,
    base_generation INTEGER NOT NULL,
    template TEXT NOT NULL,
    nested_templates TEXT NOT NULL,
    parameters TEXT NOT NULL,
    current_cloud_backend TEXT,
    initiated_by TEXT NOT NULL,
    plan TEXT NOT NULL
  )`,
  `CREATE TABLE control_deployments (
    deployment_id TEXT PRIMARY KEY,
    app_id TEXT NOT NULL,
    env_name TEXT NOT NULL,
    change_set_id TEXT,
    kind TEXT NOT NULL,
    status TEXT NOT NULL,
    initiated_by TEXT NOT NULL,
    started_at TEXT NOT NULL,
    ended_at TEXT,
    error TEXT
  )`,
  `CREATE INDEX control_deployments_by_status ON control_deployments (status)`,
  // One row before each handler call (phase started) and one after it (done or failed).
  `CREATE TABLE control_journal (
    deployment_id TEXT NOT NULL,
    seq INTEGER NOT NULL,
    logical_id TEXT NOT NULL,
    resource_type TEXT NOT NULL,
    operation TEXT NOT NULL,
    phase TEXT NOT NULL,
    physical_id TEXT,
    detail TEXT NOT NULL,
    at TEXT NOT NULL,
    PRIMARY KEY (deployment_id, seq)
  )`,
  `CREATE TABLE control_events (
    seq INTEGER PRIMARY KEY,
    deployment_id TEXT NOT NULL,
    app_id TEXT NOT NULL,
    env_name TEXT NOT NULL,
    at TEXT NOT NULL,
    logical_id TEXT NOT NULL,
    resource_type TEXT NOT NULL,
    status TEXT NOT NULL,
    reason TEXT
  )`,
  `CREATE INDEX control_events_by_env ON control_events (app_id, env_name, seq)`,
  `CREATE TABLE control_locks (
    app_id TEXT NOT NULL,
    env_name TEXT NOT NULL,
    deployment_id TEXT NOT NULL,
    initiated_by TEXT NOT NULL,
    acquired_at TEXT NOT NULL,
    PRIMARY KEY (app_id, env_name)
  )`,
  // Resources to delete after a commit (removed ones, old halves of replacements); rows go when done.
  `CREATE TABLE control_cleanup (
    app_id TEXT NOT NULL,
    env_name TEXT NOT NULL,
    deployment_id TEXT NOT NULL,
    logical_id TEXT NOT NULL,
    resource_type TEXT NOT NULL,
    physical_id TEXT NOT NULL,
    resolved_properties TEXT NOT NULL,
    depends_on TEXT NOT NULL,
    PRIMARY KEY (app_id, env_name, deployment_id, logical_id, physical_id)
  )`,
  `CREATE TABLE control_test_resources (
    physical_id TEXT PRIMARY KEY,
    value TEXT NOT NULL
  )`,
  // Copies of the data deleted with a resource (deleted-data.ts), kept until expires_at (epoch ms).
  `CREATE TABLE control_deleted_data (
    copy_id TEXT PRIMARY KEY,
    app_id TEXT NOT NULL,
    env_name TEXT NOT NULL,
    deployment_id TEXT NOT NULL,
    logical_id TEXT NOT NULL,
    resource_type TEXT NOT NULL,
    physical_id TEXT NOT NULL,
    kind TEXT NOT NULL,
    item_count INTEGER NOT NULL,
    deleted_at INTEGER NOT NULL,
    expires_at INTEGER NOT NULL,
    snapshot TEXT NOT NULL,
    UNIQUE (app_id, env_name, deployment_id, logical_id, physical_id)
  )`,
  `CREATE INDEX control_deleted_data_by_expiry ON control_deleted_data (expires_at)`,
  `CREATE INDEX control_deleted_data_by_env ON control_deleted_data (app_id, env_name, deleted_at)`,
  // The project file each nested template was written from (TemplateURL → path), named in messages.
  `ALTER TABLE control_change_sets ADD COLUMN nested_template_files TEXT`,
  // Which instance runs an unfinished deployment and when it last renewed its lease (epoch ms): deployment-lease.ts.
  `ALTER TABLE control_deployments ADD COLUMN owner TEXT; ALTER TABLE control_deployments ADD COLUMN heartbeat_at INTEGER`,
  // Deleted environments whose ENVIRONMENT_CLEANUPS (their SSM parameters) have not all run yet: environment-cleanups.ts.
  `CREATE TABLE control_environment_cleanups (
    app_id TEXT NOT NULL,
    env_name TEXT NOT NULL,
    deleted_at INTEGER NOT NULL,
    PRIMARY KEY (app_id, env_name)
  )`,
  // An environment's deployment history, newest first (ListDeployments).
  `CREATE INDEX control_deployments_by_env ON control_deployments (app_id, env_name, started_at)`,
  // Each deployment's templates (deployment-templates.ts): bodies gzipped once per distinct content (sha256 of
  // the JSON), so pushes of unchanged stacks add a row of ids, not a copy; stack_id is '' for the root stack.
  `CREATE TABLE control_templates (
    template_hash TEXT PRIMARY KEY,
    body BLOB NOT NULL
  )`,
  `CREATE TABLE control_deployment_stacks (
    deployment_id TEXT NOT NULL,
    stack_id TEXT NOT NULL,
    template_url TEXT,
    source_file TEXT,
    template_hash TEXT NOT NULL,
    PRIMARY KEY (deployment_id, stack_id)
  )`,
  // The caller whose signed request started a deployment (its access key id), beside what the client said.
  `ALTER TABLE control_deployments ADD COLUMN principal TEXT`,
  // Each resource's last stack event (DescribeStack's status), kept with every event so reading it is one row per resource.
  `CREATE TABLE control_resource_status (
    app_id TEXT NOT NULL,
    env_name TEXT NOT NULL,
    logical_id TEXT NOT NULL,
    seq INTEGER NOT NULL,
    status TEXT NOT NULL,
    reason TEXT,
    PRIMARY KEY (app_id, env_name, logical_id)
  )`,
  `INSERT INTO control_resource_status (app_id, env_name, logical_id, seq, status, reason)
    SELECT app_id, env_name, logical_id, seq, status, reason FROM control_events
    WHERE seq IN (SELECT MAX(seq) FROM control_events GROUP BY app_id, env_name, logical_id)`,
  // A deployed resource's resolved properties without the NoEcho masks, sealed with the cloud's secret box, only
  // where masking hid a value: what a rollback restores (sealed-properties.ts).
  `ALTER TABLE control_resources ADD COLUMN sealed_properties TEXT`,
];
