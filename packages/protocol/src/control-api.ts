import { z } from 'zod';
import { templateSchema } from './template.js';

/**
 * The control plane's admin API. Transport: `POST /control/` with `X-Amz-Target: ForteControl.<Operation>`,
 * `Content-Type: application/x-amz-json-1.1`, JSON body, SigV4-signed (service `forte`, region of the
 * cloud) with the admin credentials of a profile. Errors: HTTP 4xx/5xx with `{"__type","message"}`.
 */
export const CONTROL_API_VERSION = 1;
export const CONTROL_TARGET_PREFIX = 'ForteControl.';
export const CONTROL_PATH = '/control/';
export const SIGNING_SERVICE = 'forte';

export const appNameSchema = z.string().regex(/^[A-Za-z0-9]{3,20}$/, 'project names are 3 to 20 letters and digits');
export const envNameSchema = z.string().regex(/^[a-z]{2,10}$/, 'environment names are 2 to 10 lowercase letters');

export interface App {
  appId: string;
  name: string;
  /** Used in host names: `<slug>-<env>.localhost`. Unique within a cloud. */
  slug: string;
  createdAt: string;
}

export type StackStatus =
  | 'NEW' // created, never deployed
  | 'DEPLOYING'
  | 'ROLLING_BACK'
  | 'DEPLOYED'
  | 'DEPLOY_FAILED' // the last deployment failed and was rolled back: the stack is as before it
  | 'DELETING';

export interface Environment {
  appId: string;
  envName: string;
  stackName: string;
  status: StackStatus;
  createdAt: string;
  updatedAt: string;
  lastDeploymentId?: string;
  /** Root stack outputs of the last successful deployment. */
  outputs: Record<string, unknown>;
  /** Where the snapshot of the backend folder of the last successful push lives (deployment bucket). */
  currentCloudBackend?: { bucket: string; key: string };
}

export type ChangeAction = 'Add' | 'Modify' | 'Replace' | 'Remove';

export interface ResourceChange {
  /** Qualified logical id: nested resources are `<stackLogicalId>.<logicalId>`. */
  logicalId: string;
  resourceType: string;
  action: ChangeAction;
  /** Human readable reasons, e.g. `Properties.SiteName changed`, `new resource`, `not in the template`. For people only: never parse them. */
  reasons: string[];
  /** The change creates a new physical resource and deletes the old one after the commit (action `Replace`). */
  replacement?: boolean;
  /** Properties changed in place by moving the stored data (a table's new key schema), with what happens. */
  migrations?: PropertyMigration[];
  /**
   * What the old resource holds that the change deletes (a `Remove` or `Replace` of a table, user pool or
   * bucket holding data). A client must not apply such a change without the user's explicit approval.
   */
  destroysData?: DestroyedData;
}

/** What a change deletes, and whether the cloud keeps a copy `forte env restore-deleted` can bring back. */
export interface DestroyedData extends StoredDataCount {
  restorable: boolean;
}

/** A property whose change the cloud makes in place by migrating data (a table's `KeySchema`: every item moves to its new key). */
export interface PropertyMigration {
  property: string;
  /** What happens to the data, for people. */
  description: string;
}

/** How much data a resource holds: a table's items, a user pool's users, a bucket's objects. */
export interface StoredDataCount {
  kind: 'items' | 'users' | 'objects';
  count: number;
}

export interface ChangeSet {
  changeSetId: string;
  appId: string;
  envName: string;
  createdAt: string;
  status: 'CREATED' | 'EXECUTED' | 'OBSOLETE';
  changes: ResourceChange[];
}

export type DeploymentStatus = 'IN_PROGRESS' | 'ROLLING_BACK' | 'SUCCEEDED' | 'ROLLED_BACK' | 'FAILED';

export interface Deployment {
  deploymentId: string;
  appId: string;
  envName: string;
  changeSetId?: string;
  kind: 'deploy' | 'delete';
  status: DeploymentStatus;
  initiatedBy: string;
  startedAt: string;
  endedAt?: string;
  /** Why it failed, naming the failing resource. */
  error?: string;
}

export interface StackEvent {
  seq: number;
  deploymentId: string;
  timestamp: string;
  logicalId: string;
  resourceType: string;
  /**
   * Per resource: CREATE_IN_PROGRESS, CREATE_COMPLETE, CREATE_FAILED, UPDATE_*, DELETE_*, DELETE_SKIPPED
   * (reason says why). Per deployment (logicalId = the root stack name, resourceType `Forte::Stack`):
   * DEPLOYMENT_IN_PROGRESS, CLEANUP_IN_PROGRESS (after the commit, removed and replaced resources are
   * deleted), DEPLOYMENT_COMPLETE, ROLLBACK_IN_PROGRESS, ROLLBACK_COMPLETE, ROLLBACK_FAILED, and for
   * DeleteEnvironment DELETE_IN_PROGRESS, DELETE_COMPLETE, DELETE_FAILED. The last event of a deployment is
   * DEPLOYMENT_COMPLETE, ROLLBACK_COMPLETE, ROLLBACK_FAILED, DELETE_COMPLETE or DELETE_FAILED.
   */
  status: string;
  reason?: string;
}

export interface DeployedResource {
  logicalId: string;
  resourceType: string;
  physicalId: string;
  attributes: Record<string, unknown>;
}

// ---- requests (validated by the cloud with these schemas) and responses ----

export const createAppRequest = z.object({ name: appNameSchema });
export const appIdRequest = z.object({ appId: z.string().min(1) });
export const envRequest = z.object({ appId: z.string().min(1), envName: envNameSchema });
export const createChangeSetRequest = z.object({
  appId: z.string().min(1),
  envName: envNameSchema,
  template: templateSchema,
  /** TemplateURL of each `Forte::Stack` → its template. */
  nestedTemplates: z.record(z.string(), templateSchema).default({}),
  parameters: z.record(z.string(), z.unknown()).default({}),
  /** Snapshot of the pushed backend folder, made current when the deployment succeeds. */
  currentCloudBackend: z.object({ bucket: z.string(), key: z.string() }).optional(),
  /** Who asks, shown to a second pusher: e.g. `alice@laptop (pid 1234)`. */
  initiatedBy: z.string().max(200).default('unknown'),
});
export const changeSetIdRequest = z.object({ changeSetId: z.string().min(1) });
export const deploymentIdRequest = z.object({ deploymentId: z.string().min(1) });
export const describeStackEventsRequest = z.object({
  appId: z.string().min(1),
  envName: envNameSchema,
  deploymentId: z.string().optional(),
  afterSeq: z.number().int().default(0),
});

export const restoreDeletedDataRequest = z.object({
  appId: z.string().min(1),
  envName: envNameSchema,
  /** One resource (its logical id, the last part of it, or its old physical id); all copies when absent. */
  resource: z.string().min(1).max(400).optional(),
});

/**
 * A copy of the data a deployment deleted with a resource (a removed model's table, a replaced user pool),
 * kept by the cloud for its retention period (`deletedData.retentionDays` of `<dataDir>/config.json`).
 */
export interface DeletedDataCopy {
  copyId: string;
  /** The resource's qualified logical id, into whose current resource the copy is restored. */
  logicalId: string;
  resourceType: string;
  /** The physical resource that was deleted (a table name, a user pool id). */
  physicalId: string;
  kind: StoredDataCount['kind'];
  count: number;
  deletedAt: string;
  expiresAt: string;
}

/** What restoring one copy did: `restored` entries put back, `skipped` ones already there or that no longer fit. */
export interface RestoredDataCopy {
  copy: DeletedDataCopy;
  restored: number;
  skipped: number;
  /** One example of a skip. */
  example?: string;
}

export interface ControlOperations {
  CreateApp: { input: z.input<typeof createAppRequest>; output: { app: App } };
  GetApp: { input: z.input<typeof appIdRequest>; output: { app: App } };
  ListApps: { input: Record<string, never>; output: { apps: App[] } };
  DeleteApp: { input: z.input<typeof appIdRequest>; output: Record<string, never> };
  CreateEnvironment: { input: z.input<typeof envRequest>; output: { environment: Environment } };
  GetEnvironment: { input: z.input<typeof envRequest>; output: { environment: Environment } };
  ListEnvironments: { input: z.input<typeof appIdRequest>; output: { environments: Environment[] } };
  /** Deletes every resource of the environment's stack, then the environment. Waits until done. */
  DeleteEnvironment: { input: z.input<typeof envRequest>; output: { deployment: Deployment } };
  CreateChangeSet: { input: z.input<typeof createChangeSetRequest>; output: { changeSet: ChangeSet } };
  DescribeChangeSet: { input: z.input<typeof changeSetIdRequest>; output: { changeSet: ChangeSet } };
  /** Starts applying; returns at once. Refused with DeploymentInProgressException naming the holder. */
  ExecuteChangeSet: { input: z.input<typeof changeSetIdRequest>; output: { deployment: Deployment } };
  GetDeployment: { input: z.input<typeof deploymentIdRequest>; output: { deployment: Deployment } };
  DescribeStackEvents: { input: z.input<typeof describeStackEventsRequest>; output: { events: StackEvent[] } };
  DescribeStack: { input: z.input<typeof envRequest>; output: { environment: Environment; resources: DeployedResource[] } };
  /** The copies of deleted data the environment can still restore, newest first. */
  ListDeletedData: { input: z.input<typeof envRequest>; output: { copies: DeletedDataCopy[] } };
  /**
   * Puts copies back into the resources as they exist now (the same logical id, deployed again), newest
   * copy first; a restored copy is dropped. `waiting` lists the copies whose resource is not deployed now
   * (refused with ResourceNotFoundException when one resource was named, or when nothing could be restored).
   */
  RestoreDeletedData: { input: z.input<typeof restoreDeletedDataRequest>; output: { restored: RestoredDataCopy[]; waiting: DeletedDataCopy[] } };
}

export type ControlOperation = keyof ControlOperations;
