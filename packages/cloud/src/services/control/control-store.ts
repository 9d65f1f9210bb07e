import type { App, ChangeSet, Deployment, DeploymentStatus, Environment, ResourceChange, StackEvent, StackStatus, Template } from '@forte/protocol';
import type { SqlStore } from '../../engines/types.js';

/**
 * The control plane's rows and the queries on them. Every function takes the SqlStore to use, so the
 * same code runs alone or inside a transaction (pass the transaction's store).
 */

export interface EnvironmentRecord extends Environment {
  /** Successful deployments so far: change sets planned against an older generation are obsolete. */
  generation: number;
}

export interface DeployedRecord {
  logicalId: string;
  resourceType: string;
  physicalId: string;
  templateProperties: Record<string, unknown>;
  resolvedProperties: Record<string, unknown>;
  attributes: Record<string, unknown>;
  dependsOn: string[];
  /** `resolvedProperties` without the NoEcho masks, sealed (sealed-properties.ts); only when they hide a value. */
  sealedProperties?: string;
}

export interface ChangeSetRecord extends ChangeSet {
  baseGeneration: number;
  template: Template;
  nestedTemplates: Record<string, Template>;
  /** TemplateURL → the project file it was written from. */
  nestedTemplateFiles: Record<string, string>;
  parameters: Record<string, unknown>;
  currentCloudBackend: { bucket: string; key: string } | undefined;
  initiatedBy: string;
}

export interface LockRecord {
  deploymentId: string;
  initiatedBy: string;
  acquiredAt: string;
}

export type JournalOperation = 'create' | 'update' | 'delete' | 'rollback';
export type JournalPhase = 'started' | 'done' | 'failed';

export interface JournalRecord {
  seq: number;
  logicalId: string;
  resourceType: string;
  operation: JournalOperation;
  phase: JournalPhase;
  physicalId: string | undefined;
  detail: Record<string, unknown>;
}

export interface CleanupRecord {
  appId: string;
  envName: string;
  deploymentId: string;
  logicalId: string;
  resourceType: string;
  physicalId: string;
  resolvedProperties: Record<string, unknown>;
  dependsOn: string[];
}

type Row = Record<string, unknown>;
const text = (row: Row, key: string): string => String(row[key]);
const optional = (row: Row, key: string): string | undefined => (row[key] === null || row[key] === undefined ? undefined : String(row[key]));
const json = <T>(row: Row, key: string): T => JSON.parse(String(row[key])) as T;

export const nowIso = (): string => new Date().toISOString();

// ---- apps ----

const toApp = (row: Row): App => ({ appId: text(row, 'app_id'), name: text(row, 'name'), slug: text(row, 'slug'), createdAt: text(row, 'created_at') });

export async function readApp(sql: SqlStore, appId: string): Promise<App | undefined> {
  const row = await sql.get('SELECT * FROM control_apps WHERE app_id = ?', [appId]);
  return row ? toApp(row) : undefined;
}

export async function listApps(sql: SqlStore): Promise<App[]> {
  return (await sql.all('SELECT * FROM control_apps ORDER BY created_at, app_id')).map(toApp);
}

export async function insertApp(sql: SqlStore, app: App): Promise<void> {
  await sql.run('INSERT INTO control_apps (app_id, name, slug, created_at) VALUES (?, ?, ?, ?)', [app.appId, app.name, app.slug, app.createdAt]);
}

export async function slugTaken(sql: SqlStore, slug: string): Promise<boolean> {
  return (await sql.get('SELECT 1 AS x FROM control_apps WHERE slug = ?', [slug])) !== undefined;
}

export async function deleteAppRow(sql: SqlStore, appId: string): Promise<void> {
  await sql.run('DELETE FROM control_apps WHERE app_id = ?', [appId]);
}

// ---- environments ----

const toEnvironment = (row: Row): EnvironmentRecord => {
  const env: EnvironmentRecord = {
    appId: text(row, 'app_id'),
    envName: text(row, 'env_name'),
    stackName: text(row, 'stack_name'),
    status: text(row, 'status') as StackStatus,
    createdAt: text(row, 'created_at'),
    updatedAt: text(row, 'updated_at'),
    outputs: json(row, 'outputs'),
    generation: Number(row['generation']),
  };
  const last = optional(row, 'last_deployment_id');
  if (last) env.lastDeploymentId = last;
  const backend = optional(row, 'current_cloud_backend');
  if (backend) env.currentCloudBackend = JSON.parse(backend) as { bucket: string; key: string };
  return env;
};

/** The public shape (without the generation counter). */
export function publicEnvironment(env: EnvironmentRecord): Environment {
  const { generation: _generation, ...rest } = env;
  return rest;
}

export async function readEnvironment(sql: SqlStore, appId: string, envName: string): Promise<EnvironmentRecord | undefined> {
  const row = await sql.get('SELECT * FROM control_environments WHERE app_id = ? AND env_name = ?', [appId, envName]);
  return row ? toEnvironment(row) : undefined;
}

export async function listEnvironments(sql: SqlStore, appId: string): Promise<EnvironmentRecord[]> {
  return (await sql.all('SELECT * FROM control_environments WHERE app_id = ? ORDER BY created_at, env_name', [appId])).map(toEnvironment);
}

export async function insertEnvironment(sql: SqlStore, env: EnvironmentRecord): Promise<void> {
  await sql.run(
    'INSERT INTO control_environments (app_id, env_name, stack_name, status, created_at, updated_at, last_deployment_id, outputs, current_cloud_backend, generation) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?)',
    [
      env.appId,
      env.envName,
      env.stackName,
      env.status,
      env.createdAt,
      env.updatedAt,
      env.lastDeploymentId ?? null,
      JSON.stringify(env.outputs),
      env.currentCloudBackend ? JSON.stringify(env.currentCloudBackend) : null,
      env.generation,
    ],
  );
}

export async function setEnvironmentStatus(sql: SqlStore, appId: string, envName: string, status: StackStatus, lastDeploymentId?: string): Promise<void> {
  await sql.run(
    'UPDATE control_environments SET status = ?, updated_at = ?, last_deployment_id = COALESCE(?, last_deployment_id) WHERE app_id = ? AND env_name = ?',
    [status, nowIso(), lastDeploymentId ?? null, appId, envName],
  );
}

/** The commit of a successful deployment: outputs, snapshot, DEPLOYED, one generation more. */
export async function commitEnvironment(
  sql: SqlStore,
  args: {
    appId: string;
    envName: string;
    outputs: Record<string, unknown>;
    currentCloudBackend: { bucket: string; key: string } | undefined;
    deploymentId: string;
  },
): Promise<void> {
  await sql.run(
    `UPDATE control_environments SET status = 'DEPLOYED', updated_at = ?, last_deployment_id = ?, outputs = ?,
       current_cloud_backend = COALESCE(?, current_cloud_backend), generation = generation + 1
     WHERE app_id = ? AND env_name = ?`,
    [
      nowIso(),
      args.deploymentId,
      JSON.stringify(args.outputs),
      args.currentCloudBackend ? JSON.stringify(args.currentCloudBackend) : null,
      args.appId,
      args.envName,
    ],
  );
}

/** Removes the environment and everything that only makes sense with it (history rows stay). */
export async function deleteEnvironmentRows(sql: SqlStore, appId: string, envName: string): Promise<void> {
  for (const table of ['control_environments', 'control_resources', 'control_change_sets', 'control_locks', 'control_cleanup', 'control_resource_status']) {
    await sql.run(`DELETE FROM ${table} WHERE app_id = ? AND env_name = ?`, [appId, envName]);
  }
}

// ---- deployed resources ----

const toDeployed = (row: Row): DeployedRecord => {
  const sealed = optional(row, 'sealed_properties');
  return {
    logicalId: text(row, 'logical_id'),
    resourceType: text(row, 'resource_type'),
    physicalId: text(row, 'physical_id'),
    templateProperties: json(row, 'template_properties'),
    resolvedProperties: json(row, 'resolved_properties'),
    attributes: json(row, 'attributes'),
    dependsOn: json(row, 'depends_on'),
    ...(sealed === undefined ? {} : { sealedProperties: sealed }),
  };
};

export async function readDeployed(sql: SqlStore, appId: string, envName: string): Promise<DeployedRecord[]> {
  return (await sql.all('SELECT * FROM control_resources WHERE app_id = ? AND env_name = ? ORDER BY logical_id', [appId, envName])).map(toDeployed);
}

/** Replaces the whole deployed state of an environment (the commit point writes it in one go). */
export async function writeDeployed(sql: SqlStore, appId: string, envName: string, records: DeployedRecord[]): Promise<void> {
  await sql.run('DELETE FROM control_resources WHERE app_id = ? AND env_name = ?', [appId, envName]);
  for (const r of records) {
    await sql.run(
      'INSERT INTO control_resources (app_id, env_name, logical_id, resource_type, physical_id, template_properties, resolved_properties, attributes, depends_on, sealed_properties) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?)',
      [
        appId,
        envName,
        r.logicalId,
        r.resourceType,
        r.physicalId,
        JSON.stringify(r.templateProperties),
        JSON.stringify(r.resolvedProperties),
        JSON.stringify(r.attributes),
        JSON.stringify(r.dependsOn),
        r.sealedProperties ?? null,
      ],
    );
  }
}

export async function deleteDeployed(sql: SqlStore, appId: string, envName: string, logicalId: string): Promise<void> {
  await sql.run('DELETE FROM control_resources WHERE app_id = ? AND env_name = ? AND logical_id = ?', [appId, envName, logicalId]);
}

// ---- change sets ----

const toChangeSet = (row: Row): ChangeSetRecord => ({
  changeSetId: text(row, 'change_set_id'),
  appId: text(row, 'app_id'),
  envName: text(row, 'env_name'),
  createdAt: text(row, 'created_at'),
  status: text(row, 'status') as ChangeSet['status'],
  changes: json<ResourceChange[]>(row, 'plan'),
  baseGeneration: Number(row['base_generation']),
  template: json(row, 'template'),
  nestedTemplates: json(row, 'nested_templates'),
  nestedTemplateFiles: optional(row, 'nested_template_files') ? json(row, 'nested_template_files') : {},
  parameters: json(row, 'parameters'),
  currentCloudBackend: optional(row, 'current_cloud_backend') ? json(row, 'current_cloud_backend') : undefined,
  initiatedBy: text(row, 'initiated_by'),
});

export function publicChangeSet(record: ChangeSetRecord): ChangeSet {
  const { changeSetId, appId, envName, createdAt, status, changes } = record;
  return { changeSetId, appId, envName, createdAt, status, changes };
}

export async function insertChangeSet(sql: SqlStore, cs: ChangeSetRecord): Promise<void> {
  await sql.run(
    'INSERT INTO control_change_sets (change_set_id, app_id, env_name, created_at, status, base_generation, template, nested_templates, nested_template_files, parameters, current_cloud_backend, initiated_by, plan) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)',
    [
      cs.changeSetId,
      cs.appId,
      cs.envName,
      cs.createdAt,
      cs.status,
      cs.baseGeneration,
      JSON.stringify(cs.template),
      JSON.stringify(cs.nestedTemplates),
      JSON.stringify(cs.nestedTemplateFiles),
      JSON.stringify(cs.parameters),
      cs.currentCloudBackend ? JSON.stringify(cs.currentCloudBackend) : null,
      cs.initiatedBy,
      JSON.stringify(cs.changes),
    ],
  );
}

export async function readChangeSet(sql: SqlStore, changeSetId: string): Promise<ChangeSetRecord | undefined> {
  const row = await sql.get('SELECT * FROM control_change_sets WHERE change_set_id = ?', [changeSetId]);
  return row ? toChangeSet(row) : undefined;
}

export async function setChangeSetStatus(sql: SqlStore, changeSetId: string, status: ChangeSet['status']): Promise<void> {
  await sql.run('UPDATE control_change_sets SET status = ? WHERE change_set_id = ?', [status, changeSetId]);
}

/** How long a change set nobody executed (a preview answered "no", or one made out of date) is kept. */
export const UNEXECUTED_CHANGE_SET_KEEP_MS = 24 * 3_600_000;

/**
 * After `executed` deployed, the environment's earlier change sets give up their templates and parameters, which
 * would otherwise grow the database by a whole set of templates per push: an executed one keeps its plan (what the
 * console shows of its deployment) once its deployment has finished with its templates recorded by content
 * (`control_deployment_stacks`, which keep what each deployment ran readable; one recorded before they were kept
 * keeps its change set whole), and one nobody executed, made more than UNEXECUTED_CHANGE_SET_KEEP_MS before, is
 * deleted (much as CloudFormation removes a stack's change sets once one is executed; a recent preview still
 * answers that it is out of date). Answers how many change sets were emptied or deleted.
 */
export async function compactChangeSets(sql: SqlStore, executed: { appId: string; envName: string; changeSetId: string; createdAt: string }): Promise<number> {
  const emptied = await sql.run(
    `UPDATE control_change_sets SET template = '{}', nested_templates = '{}', nested_template_files = '{}', parameters = '{}'
     WHERE app_id = ? AND env_name = ? AND change_set_id <> ? AND status = 'EXECUTED' AND created_at < ? AND template <> '{}'
     AND EXISTS (SELECT 1 FROM control_deployments d WHERE d.change_set_id = control_change_sets.change_set_id
       AND d.status NOT IN ('IN_PROGRESS', 'ROLLING_BACK') AND EXISTS (SELECT 1 FROM control_deployment_stacks s WHERE s.deployment_id = d.deployment_id))`,
    [executed.appId, executed.envName, executed.changeSetId, executed.createdAt],
  );
  const deleted = await sql.run(
    `DELETE FROM control_change_sets WHERE app_id = ? AND env_name = ? AND status <> 'EXECUTED' AND created_at < ?
     AND NOT EXISTS (SELECT 1 FROM control_deployments d WHERE d.change_set_id = control_change_sets.change_set_id)`,
    [executed.appId, executed.envName, new Date(Date.parse(executed.createdAt) - UNEXECUTED_CHANGE_SET_KEEP_MS).toISOString()],
  );
  return emptied.changes + deleted.changes;
}

// ---- deployments ----

const toDeployment = (row: Row): Deployment => {
  const d: Deployment = {
    deploymentId: text(row, 'deployment_id'),
    appId: text(row, 'app_id'),
    envName: text(row, 'env_name'),
    kind: text(row, 'kind') as Deployment['kind'],
    status: text(row, 'status') as DeploymentStatus,
    initiatedBy: text(row, 'initiated_by'),
    startedAt: text(row, 'started_at'),
  };
  const principal = optional(row, 'principal');
  if (principal) d.principal = principal;
  const changeSetId = optional(row, 'change_set_id');
  if (changeSetId) d.changeSetId = changeSetId;
  const endedAt = optional(row, 'ended_at');
  if (endedAt) d.endedAt = endedAt;
  const error = optional(row, 'error');
  if (error) d.error = error;
  return d;
};

export async function insertDeployment(sql: SqlStore, d: Deployment): Promise<void> {
  await sql.run(
    'INSERT INTO control_deployments (deployment_id, app_id, env_name, change_set_id, kind, status, initiated_by, principal, started_at, ended_at, error) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)',
    [
      d.deploymentId,
      d.appId,
      d.envName,
      d.changeSetId ?? null,
      d.kind,
      d.status,
      d.initiatedBy,
      d.principal ?? null,
      d.startedAt,
      d.endedAt ?? null,
      d.error ?? null,
    ],
  );
}

export async function readDeployment(sql: SqlStore, deploymentId: string): Promise<Deployment | undefined> {
  const row = await sql.get('SELECT * FROM control_deployments WHERE deployment_id = ?', [deploymentId]);
  return row ? toDeployment(row) : undefined;
}

export async function setDeploymentStatus(sql: SqlStore, deploymentId: string, status: DeploymentStatus, error?: string): Promise<void> {
  const ended = status === 'IN_PROGRESS' || status === 'ROLLING_BACK' ? null : nowIso();
  await sql.run('UPDATE control_deployments SET status = ?, ended_at = ?, error = COALESCE(?, error) WHERE deployment_id = ?', [
    status,
    ended,
    error ?? null,
    deploymentId,
  ]);
}

/** The environment's deployments, newest first. */
export async function listDeployments(sql: SqlStore, appId: string, envName: string, limit: number): Promise<Deployment[]> {
  return (
    await sql.all('SELECT * FROM control_deployments WHERE app_id = ? AND env_name = ? ORDER BY started_at DESC, deployment_id DESC LIMIT ?', [
      appId,
      envName,
      limit,
    ])
  ).map(toDeployment);
}

/** Deployments a crash left unfinished. */
export async function listUnfinishedDeployments(sql: SqlStore): Promise<Deployment[]> {
  return (await sql.all("SELECT * FROM control_deployments WHERE status IN ('IN_PROGRESS', 'ROLLING_BACK') ORDER BY started_at")).map(toDeployment);
}

/**
 * The environments' latest deployments that stand (SUCCEEDED) without their last event, DEPLOYMENT_COMPLETE: the
 * cloud stopped between a deployment's commit and the end of its clean-up. Each one's latest stack event tells.
 */
export async function listStandingWithoutEnd(sql: SqlStore, stackType: string): Promise<Deployment[]> {
  const standing = (
    await sql.all(
      "SELECT d.* FROM control_environments v JOIN control_deployments d ON d.deployment_id = v.last_deployment_id WHERE d.kind = 'deploy' AND d.status = 'SUCCEEDED' ORDER BY d.started_at",
    )
  ).map(toDeployment);
  const unended: Deployment[] = [];
  for (const deployment of standing) {
    const last = await sql.get(
      'SELECT status FROM control_events WHERE app_id = ? AND env_name = ? AND deployment_id = ? AND resource_type = ? ORDER BY seq DESC LIMIT 1',
      [deployment.appId, deployment.envName, deployment.deploymentId, stackType],
    );
    if (last && text(last, 'status') !== 'DEPLOYMENT_COMPLETE') unended.push(deployment);
  }
  return unended;
}

// ---- events ----

export async function appendEvent(
  sql: SqlStore,
  event: { deploymentId: string; appId: string; envName: string; logicalId: string; resourceType: string; status: string; reason?: string | undefined },
): Promise<void> {
  // Seq is taken and used in one transaction, so events become visible in seq order and a reader
  // polling after the last seq it saw misses none (a sequence's numbers may commit out of order). On a
  // shared database the transactions of two instances conflict and one runs again; one instance
  // appends one event at a time, so it never conflicts with itself.
  await inTurn(sql, () =>
    sql.transaction(async (tx) => {
      const row = await tx.get<{ seq: number | null }>('SELECT MAX(seq) AS seq FROM control_events');
      const seq = (row?.seq ?? 0) + 1;
      await tx.run(
        'INSERT INTO control_events (seq, deployment_id, app_id, env_name, at, logical_id, resource_type, status, reason) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?)',
        [seq, event.deploymentId, event.appId, event.envName, nowIso(), event.logicalId, event.resourceType, event.status, event.reason ?? null],
      );
      await tx.run(
        `INSERT INTO control_resource_status (app_id, env_name, logical_id, seq, status, reason) VALUES (?, ?, ?, ?, ?, ?)
         ON CONFLICT (app_id, env_name, logical_id) DO UPDATE SET seq = excluded.seq, status = excluded.status, reason = excluded.reason`,
        [event.appId, event.envName, event.logicalId, seq, event.status, event.reason ?? null],
      );
    }),
  );
}

/** The last event append of each store: the next one waits for it. */
const appending = new WeakMap<SqlStore, Promise<unknown>>();

/** Runs `fn` after the store's previous `inTurn` call has settled. */
function inTurn<T>(sql: SqlStore, fn: () => Promise<T>): Promise<T> {
  const previous = appending.get(sql) ?? Promise.resolve();
  const run = previous.then(fn, fn);
  appending.set(
    sql,
    run.catch(() => undefined),
  );
  return run;
}

export async function listEvents(
  sql: SqlStore,
  args: { appId: string; envName: string; afterSeq: number; deploymentId?: string | undefined; limit: number },
): Promise<StackEvent[]> {
  const rows = args.deploymentId
    ? await sql.all('SELECT * FROM control_events WHERE app_id = ? AND env_name = ? AND deployment_id = ? AND seq > ? ORDER BY seq LIMIT ?', [
        args.appId,
        args.envName,
        args.deploymentId,
        args.afterSeq,
        args.limit,
      ])
    : await sql.all('SELECT * FROM control_events WHERE app_id = ? AND env_name = ? AND seq > ? ORDER BY seq LIMIT ?', [
        args.appId,
        args.envName,
        args.afterSeq,
        args.limit,
      ]);
  return rows.map((row) => {
    const event: StackEvent = {
      seq: Number(row['seq']),
      deploymentId: text(row, 'deployment_id'),
      timestamp: text(row, 'at'),
      logicalId: text(row, 'logical_id'),
      resourceType: text(row, 'resource_type'),
      status: text(row, 'status'),
    };
    const reason = optional(row, 'reason');
    if (reason) event.reason = reason;
    return event;
  });
}

/** Each resource's last event in the environment: its status and reason, by logical id. */
export async function readResourceStatuses(
  sql: SqlStore,
  appId: string,
  envName: string,
): Promise<Map<string, { status: string; reason: string | undefined }>> {
  const rows = await sql.all('SELECT logical_id, status, reason FROM control_resource_status WHERE app_id = ? AND env_name = ?', [appId, envName]);
  return new Map(rows.map((row) => [text(row, 'logical_id'), { status: text(row, 'status'), reason: optional(row, 'reason') }]));
}

// ---- locks ----

export async function readLock(sql: SqlStore, appId: string, envName: string): Promise<LockRecord | undefined> {
  const row = await sql.get('SELECT * FROM control_locks WHERE app_id = ? AND env_name = ?', [appId, envName]);
  return row ? { deploymentId: text(row, 'deployment_id'), initiatedBy: text(row, 'initiated_by'), acquiredAt: text(row, 'acquired_at') } : undefined;
}

export async function insertLock(sql: SqlStore, appId: string, envName: string, lock: LockRecord): Promise<void> {
  await sql.run('INSERT INTO control_locks (app_id, env_name, deployment_id, initiated_by, acquired_at) VALUES (?, ?, ?, ?, ?)', [
    appId,
    envName,
    lock.deploymentId,
    lock.initiatedBy,
    lock.acquiredAt,
  ]);
}

export async function deleteLock(sql: SqlStore, appId: string, envName: string, deploymentId: string): Promise<void> {
  await sql.run('DELETE FROM control_locks WHERE app_id = ? AND env_name = ? AND deployment_id = ?', [appId, envName, deploymentId]);
}

// ---- journal ----

export async function appendJournal(sql: SqlStore, deploymentId: string, entry: Omit<JournalRecord, 'seq'>): Promise<void> {
  // Numbered like events (appendEvent): a deployment's steps running side by side append in turn.
  await inTurn(sql, () =>
    sql.transaction(async (tx) => {
      const row = await tx.get<{ seq: number | null }>('SELECT MAX(seq) AS seq FROM control_journal WHERE deployment_id = ?', [deploymentId]);
      await tx.run(
        'INSERT INTO control_journal (deployment_id, seq, logical_id, resource_type, operation, phase, physical_id, detail, at) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?)',
        [
          deploymentId,
          (row?.seq ?? 0) + 1,
          entry.logicalId,
          entry.resourceType,
          entry.operation,
          entry.phase,
          entry.physicalId ?? null,
          JSON.stringify(entry.detail),
          nowIso(),
        ],
      );
    }),
  );
}

export async function readJournal(sql: SqlStore, deploymentId: string): Promise<JournalRecord[]> {
  const rows = await sql.all('SELECT * FROM control_journal WHERE deployment_id = ? ORDER BY seq', [deploymentId]);
  return rows.map((row) => ({
    seq: Number(row['seq']),
    logicalId: text(row, 'logical_id'),
    resourceType: text(row, 'resource_type'),
    operation: text(row, 'operation') as JournalOperation,
    phase: text(row, 'phase') as JournalPhase,
    physicalId: optional(row, 'physical_id'),
    detail: json(row, 'detail'),
  }));
}

// ---- cleanup ----

export async function insertCleanup(sql: SqlStore, c: CleanupRecord): Promise<void> {
  await sql.run(
    'INSERT INTO control_cleanup (app_id, env_name, deployment_id, logical_id, resource_type, physical_id, resolved_properties, depends_on) VALUES (?, ?, ?, ?, ?, ?, ?, ?)',
    [c.appId, c.envName, c.deploymentId, c.logicalId, c.resourceType, c.physicalId, JSON.stringify(c.resolvedProperties), JSON.stringify(c.dependsOn)],
  );
}

export async function listCleanup(sql: SqlStore, filter?: { appId: string; envName: string }): Promise<CleanupRecord[]> {
  const rows = filter
    ? await sql.all('SELECT * FROM control_cleanup WHERE app_id = ? AND env_name = ?', [filter.appId, filter.envName])
    : await sql.all('SELECT * FROM control_cleanup');
  return rows.map((row) => ({
    appId: text(row, 'app_id'),
    envName: text(row, 'env_name'),
    deploymentId: text(row, 'deployment_id'),
    logicalId: text(row, 'logical_id'),
    resourceType: text(row, 'resource_type'),
    physicalId: text(row, 'physical_id'),
    resolvedProperties: json(row, 'resolved_properties'),
    dependsOn: json(row, 'depends_on'),
  }));
}

export async function deleteCleanup(sql: SqlStore, c: CleanupRecord): Promise<void> {
  await sql.run('DELETE FROM control_cleanup WHERE app_id = ? AND env_name = ? AND deployment_id = ? AND logical_id = ? AND physical_id = ?', [
    c.appId,
    c.envName,
    c.deploymentId,
    c.logicalId,
    c.physicalId,
  ]);
}
