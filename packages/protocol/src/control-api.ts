import { z } from 'zod';
import { templateSchema } from './template.js';

/**
 * The control plane's admin API. Transport: `POST /control/` with `X-Amz-Target: ForteControl.<Operation>`,
 * `Content-Type: application/x-amz-json-1.1`, JSON body, SigV4-signed (service `forte`, region of the
 * cloud) with the admin credentials of a profile. Errors: HTTP 4xx/5xx with `{"__type","message"}`.
 */
export const CONTROL_API_VERSION = 1;

/** One request of the cloud's request log (`ListRequestLog`). Never a query string, header or body. */
export const requestLogEntrySchema = z.object({
  /** When the answer ended, ISO 8601. */
  at: z.string(),
  requestId: z.string(),
  method: z.string(),
  /** The path as sent, without its query string. */
  path: z.string(),
  status: z.number().int(),
  ms: z.number(),
  /** The route (service) that answered, e.g. `dynamodb`, `appsync`, `s3`; absent when none matched. */
  service: z.string().optional(),
  client: z.string(),
  /** The caller's kind: `anonymous`, `admin`, `role`, or what its service found (`user-pool`, `api-key`, `oidc`, …). */
  principal: z.string(),
  accessKeyId: z.string().optional(),
  /** The user, when the service knows it (a user pool's username, an identity pool's identity id). */
  user: z.string().optional(),
});
export type RequestLogEntry = z.infer<typeof requestLogEntrySchema>;

/** A status filter: an exact code or a class. */
export const requestStatusFilterSchema = z.string().regex(/^(?:[1-5][0-9][0-9]|[1-5]xx)$/, 'status is a code like 404 or a class like 4xx');

export const listRequestLogRequest = z.object({
  status: requestStatusFilterSchema.optional(),
  service: z.string().min(1).max(64).optional(),
  principal: z.string().min(1).max(64).optional(),
  accessKeyId: z.string().min(1).max(128).optional(),
  user: z.string().min(1).max(256).optional(),
  from: z.iso.datetime({ offset: true }).optional(),
  to: z.iso.datetime({ offset: true }).optional(),
  limit: z.number().int().min(1).max(500).default(50),
  nextToken: z.string().max(512).optional(),
});

export const CONTROL_TARGET_PREFIX = 'ForteControl.';
export const CONTROL_PATH = '/control/';
export const SIGNING_SERVICE = 'forte';

export const appNameSchema = z.string().regex(/^[A-Za-z0-9]{3,20}$/, 'project names are 3 to 20 letters and digits');
export const envNameSchema = z.string().regex(/^[a-z]{2,10}$/, 'environment names are 2 to 10 lowercase letters');

/** A project, as the cloud knows it. */
export const appSchema = z.object({
  appId: z.string(),
  name: z.string(),
  /** Used in host names: `<slug>-<env>.localhost`. Unique within a cloud. */
  slug: z.string(),
  createdAt: z.string(),
});
export type App = z.infer<typeof appSchema>;

export const stackStatusSchema = z.enum([
  'NEW', // created, never deployed
  'DEPLOYING',
  'ROLLING_BACK',
  'DEPLOYED',
  'DEPLOY_FAILED', // the last deployment failed and was rolled back: the stack is as before it
  'DELETING',
]);
export type StackStatus = z.infer<typeof stackStatusSchema>;

const bucketKeySchema = z.object({ bucket: z.string(), key: z.string() });

export const environmentSchema = z.object({
  appId: z.string(),
  envName: z.string(),
  stackName: z.string(),
  status: stackStatusSchema,
  createdAt: z.string(),
  updatedAt: z.string(),
  lastDeploymentId: z.string().optional(),
  /** Root stack outputs of the last successful deployment. */
  outputs: z.record(z.string(), z.unknown()),
  /** Where the snapshot of the backend folder of the last successful push lives (deployment bucket). */
  currentCloudBackend: bucketKeySchema.optional(),
});
export type Environment = z.infer<typeof environmentSchema>;

export const changeActionSchema = z.enum(['Add', 'Modify', 'Replace', 'Remove']);
export type ChangeAction = z.infer<typeof changeActionSchema>;

/** How much data a resource holds: a table's items, a user pool's users, a bucket's objects, a stream's records. */
export const storedDataCountSchema = z.object({
  kind: z.enum(['items', 'users', 'objects', 'records']),
  count: z.number().int().nonnegative(),
});
export type StoredDataCount = z.infer<typeof storedDataCountSchema>;

/** What a change deletes, and whether the cloud keeps a copy `forte env restore-deleted` can bring back. */
export const destroyedDataSchema = storedDataCountSchema.extend({ restorable: z.boolean() });
export type DestroyedData = z.infer<typeof destroyedDataSchema>;

/** A property whose change the cloud makes in place by migrating data (a table's `KeySchema`: every item moves to its new key). */
export const propertyMigrationSchema = z.object({
  property: z.string(),
  /** What happens to the data, for people. */
  description: z.string(),
});
export type PropertyMigration = z.infer<typeof propertyMigrationSchema>;

export const resourceChangeSchema = z.object({
  /** Qualified logical id: nested resources are `<stackLogicalId>.<logicalId>`. */
  logicalId: z.string(),
  resourceType: z.string(),
  action: changeActionSchema,
  /** Human readable reasons, e.g. `Properties.SiteName changed`, `new resource`, `not in the template`. For people only: never parse them. */
  reasons: z.array(z.string()),
  /** The change creates a new physical resource and deletes the old one after the commit (action `Replace`). */
  replacement: z.boolean().optional(),
  /** Properties changed in place by moving the stored data (a table's new key schema), with what happens. */
  migrations: z.array(propertyMigrationSchema).optional(),
  /**
   * What the old resource holds that the change deletes (a `Remove` or `Replace` of a table, user pool or
   * bucket holding data). A client must not apply such a change without the user's explicit approval.
   */
  destroysData: destroyedDataSchema.optional(),
});
export type ResourceChange = z.infer<typeof resourceChangeSchema>;

export const changeSetSchema = z.object({
  changeSetId: z.string(),
  appId: z.string(),
  envName: z.string(),
  createdAt: z.string(),
  status: z.enum(['CREATED', 'EXECUTED', 'OBSOLETE']),
  changes: z.array(resourceChangeSchema),
});
export type ChangeSet = z.infer<typeof changeSetSchema>;

export const deploymentStatusSchema = z.enum(['IN_PROGRESS', 'ROLLING_BACK', 'SUCCEEDED', 'ROLLED_BACK', 'FAILED']);
export type DeploymentStatus = z.infer<typeof deploymentStatusSchema>;

export const deploymentSchema = z.object({
  deploymentId: z.string(),
  appId: z.string(),
  envName: z.string(),
  changeSetId: z.string().optional(),
  kind: z.enum(['deploy', 'delete']),
  status: deploymentStatusSchema,
  /** Who the client says started it (`alice@laptop (pid 1234)`), as CreateChangeSet's `initiatedBy` carried it. */
  initiatedBy: z.string(),
  /**
   * The caller whose signed request started it, as the cloud authenticated it: `admin <access key id>` or
   * `role <role ARN> (<access key id>)`. Absent on deployments recorded before the cloud kept it.
   */
  principal: z.string().optional(),
  startedAt: z.string(),
  endedAt: z.string().optional(),
  /** Why it failed, naming the failing resource. */
  error: z.string().optional(),
});
export type Deployment = z.infer<typeof deploymentSchema>;

/**
 * How a COMPLETE event's reason begins, on each of its lines, for what the resource was deployed with that will
 * not work until something else changes (AWS deploys it too: a schema's `@function` naming no function).
 */
export const STACK_EVENT_WARNING = 'Warning: ';

export const stackEventSchema = z.object({
  seq: z.number().int(),
  deploymentId: z.string(),
  timestamp: z.string(),
  logicalId: z.string(),
  resourceType: z.string(),
  /**
   * Per resource: CREATE_IN_PROGRESS, CREATE_COMPLETE, CREATE_FAILED, UPDATE_*, DELETE_*, DELETE_SKIPPED
   * (reason says why). Per deployment (logicalId = the root stack name, resourceType `Forte::Stack`):
   * DEPLOYMENT_IN_PROGRESS, CLEANUP_IN_PROGRESS (after the commit, removed and replaced resources are
   * deleted), DEPLOYMENT_COMPLETE, ROLLBACK_IN_PROGRESS, ROLLBACK_COMPLETE, ROLLBACK_FAILED, and for
   * DeleteEnvironment DELETE_IN_PROGRESS, DELETE_COMPLETE, DELETE_FAILED. The last event of a deployment is
   * DEPLOYMENT_COMPLETE, ROLLBACK_COMPLETE, ROLLBACK_FAILED, DELETE_COMPLETE or DELETE_FAILED.
   */
  status: z.string(),
  reason: z.string().optional(),
});
export type StackEvent = z.infer<typeof stackEventSchema>;

export const deployedResourceSchema = z.object({
  logicalId: z.string(),
  resourceType: z.string(),
  physicalId: z.string(),
  attributes: z.record(z.string(), z.unknown()),
  /**
   * The resource's last stack event: CREATE_COMPLETE, UPDATE_COMPLETE, UPDATE_FAILED… (a rollback's steps
   * say `rollback` in `statusReason`). Absent for nested stacks, which have no events of their own.
   */
  status: z.string().optional(),
  statusReason: z.string().optional(),
});
export type DeployedResource = z.infer<typeof deployedResourceSchema>;

// ---- requests (validated by the cloud) ----

export const createAppRequest = z.object({ name: appNameSchema });
export const appIdRequest = z.object({ appId: z.string().min(1) });
export const envRequest = z.object({ appId: z.string().min(1), envName: envNameSchema });
export const createChangeSetRequest = z.object({
  appId: z.string().min(1),
  envName: envNameSchema,
  template: templateSchema,
  /** TemplateURL of each `Forte::Stack` → its template. */
  nestedTemplates: z.record(z.string(), templateSchema).default({}),
  /**
   * TemplateURL → the project-relative file a nested template was written from (e.g.
   * `amplify/backend/function/f/f-cloudformation-template.json`), named in the engine's messages.
   */
  nestedTemplateFiles: z.record(z.string(), z.string().max(1000)).optional(),
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
export const deletedDataCopySchema = z.object({
  copyId: z.string(),
  /** The resource's qualified logical id, into whose current resource the copy is restored. */
  logicalId: z.string(),
  resourceType: z.string(),
  /** The physical resource that was deleted (a table name, a user pool id). */
  physicalId: z.string(),
  kind: storedDataCountSchema.shape.kind,
  count: z.number().int().nonnegative(),
  deletedAt: z.string(),
  expiresAt: z.string(),
});
export type DeletedDataCopy = z.infer<typeof deletedDataCopySchema>;

/** Whether `name` designates the copy (`RestoreDeletedData`'s `resource`): its logical id, the last part of it, or the physical id it had. */
export const designatesDeletedData = (copy: DeletedDataCopy, name: string): boolean =>
  copy.logicalId === name || copy.logicalId.endsWith(`.${name}`) || copy.physicalId === name;

/** What restoring one copy did: `restored` entries put back, `skipped` ones already there or that no longer fit. */
export const restoredDataCopySchema = z.object({
  copy: deletedDataCopySchema,
  restored: z.number().int().nonnegative(),
  skipped: z.number().int().nonnegative(),
  /** One example of a skip. */
  example: z.string().optional(),
});
export type RestoredDataCopy = z.infer<typeof restoredDataCopySchema>;

/** How a stack, a resource or a property differs from the previous deployment's. */
export const templateChangeKindSchema = z.enum(['added', 'removed', 'changed']);

/** One stack's template as a deployment deployed it (`GetDeploymentTemplates`). */
export const deploymentStackTemplateSchema = z.object({
  /** The root stack's name, or a nested stack's qualified logical id (`apiforte`, `a.b`). */
  stack: z.string(),
  nested: z.boolean(),
  templateUrl: z.string().optional(),
  /** The project file the nested template was written from, when the push named one. */
  sourceFile: z.string().optional(),
  template: templateSchema,
});
export type DeploymentStackTemplate = z.infer<typeof deploymentStackTemplateSchema>;

/** How one stack's template differs from the previous deployment's (`DescribeTemplateDiff`). */
export const stackTemplateDiffSchema = z.object({
  stack: z.string(),
  nested: z.boolean(),
  sourceFile: z.string().optional(),
  change: templateChangeKindSchema,
  /** The resources that differ, with the properties that do. */
  resources: z.array(
    z.object({
      logicalId: z.string(),
      resourceType: z.string(),
      change: templateChangeKindSchema,
      properties: z.array(z.object({ name: z.string(), change: templateChangeKindSchema })),
    }),
  ),
  /** The differences as `forte status -v` prints them (`[+]`, `[-]`, `[~]`, long values as a unified line diff). */
  lines: z.array(z.string()),
});
export type StackTemplateDiff = z.infer<typeof stackTemplateDiffSchema>;

/** What one operation takes (validated by the cloud) and answers (validated by the client). */
export interface ControlOperationContract {
  input: z.ZodType;
  output: z.ZodType;
}

/**
 * The control API, one entry per operation: the cloud's control service validates each call's input with
 * `input` and answers `output`; the provider's client checks every answer against `output`, so a cloud of
 * another version that answers something else fails naming the operation and the field. A new operation
 * is one more entry here (the cloud then has to implement it: its operation table is typed by this one).
 */
export const controlApi = {
  CreateApp: { input: createAppRequest, output: z.object({ app: appSchema }) },
  GetApp: { input: appIdRequest, output: z.object({ app: appSchema }) },
  ListApps: { input: z.object({}), output: z.object({ apps: z.array(appSchema) }) },
  DeleteApp: { input: appIdRequest, output: z.object({}) },
  CreateEnvironment: { input: envRequest, output: z.object({ environment: environmentSchema }) },
  GetEnvironment: { input: envRequest, output: z.object({ environment: environmentSchema }) },
  ListEnvironments: { input: appIdRequest, output: z.object({ environments: z.array(environmentSchema) }) },
  /** Deletes every resource of the environment's stack, then the environment. Waits until done. */
  DeleteEnvironment: { input: envRequest, output: z.object({ deployment: deploymentSchema }) },
  CreateChangeSet: { input: createChangeSetRequest, output: z.object({ changeSet: changeSetSchema }) },
  DescribeChangeSet: { input: changeSetIdRequest, output: z.object({ changeSet: changeSetSchema }) },
  /** Starts applying; returns at once. Refused with DeploymentInProgressException naming the holder. */
  ExecuteChangeSet: { input: changeSetIdRequest, output: z.object({ deployment: deploymentSchema }) },
  GetDeployment: { input: deploymentIdRequest, output: z.object({ deployment: deploymentSchema }) },
  DescribeStackEvents: { input: describeStackEventsRequest, output: z.object({ events: z.array(stackEventSchema) }) },
  DescribeStack: { input: envRequest, output: z.object({ environment: environmentSchema, resources: z.array(deployedResourceSchema) }) },
  /** The copies of deleted data the environment can still restore, newest first. */
  ListDeletedData: { input: envRequest, output: z.object({ copies: z.array(deletedDataCopySchema) }) },
  /**
   * Puts copies back into the resources as they exist now (the same logical id, deployed again), newest
   * copy first; a restored copy is dropped. `waiting` lists the copies whose resource is not deployed now
   * (refused with ResourceNotFoundException when one resource was named, or when nothing could be restored).
   */
  RestoreDeletedData: {
    input: restoreDeletedDataRequest,
    output: z.object({ restored: z.array(restoredDataCopySchema), waiting: z.array(deletedDataCopySchema) }),
  },
  /** The environment's deployments (pushes and deletions), newest first, at most `limit`. */
  ListDeployments: {
    input: envRequest.extend({ limit: z.number().int().min(1).max(200).default(50) }),
    output: z.object({ deployments: z.array(deploymentSchema) }),
  },
  /**
   * What the environment's resources hold (a table's items, a pool's users, a bucket's objects): what
   * DeleteEnvironment would delete. Resources that hold nothing are left out.
   */
  DescribeStoredData: {
    input: envRequest,
    output: z.object({ resources: z.array(storedDataCountSchema.extend({ logicalId: z.string(), resourceType: z.string(), physicalId: z.string() })) }),
  },
  /**
   * A one-time link that signs a browser in to the web console (valid 10 minutes, used once). Admin
   * only; the link is a secret: print it to the admin, never log it.
   */
  CreateConsoleLoginLink: {
    input: z.object({}),
    output: z.object({ url: z.string(), expiresAt: z.string() }),
  },
  /**
   * The templates (root and nested stacks) a deployment deployed, as the cloud keeps them for every
   * deployment. Empty for an environment's deletion and for deployments from before the cloud kept them
   * whose change set is gone.
   */
  GetDeploymentTemplates: {
    input: deploymentIdRequest,
    output: z.object({ stacks: z.array(deploymentStackTemplateSchema) }),
  },
  /**
   * What a deployment changed in the templates: per stack that differs, its resources added, removed or
   * changed (with their properties) and the lines of the diff, from the templates of the environment's
   * deployment that was running when it started (`baseDeploymentId`: its last successful one before,
   * absent for the first or after the environment was deleted) to its own. A deletion removes every stack.
   */
  DescribeTemplateDiff: {
    input: deploymentIdRequest,
    output: z.object({ deploymentId: z.string(), baseDeploymentId: z.string().optional(), stacks: z.array(stackTemplateDiffSchema) }),
  },
  /**
   * The cloud's request log, newest first (admin only): one row per request the cloud answered (method, path
   * without its query, status, milliseconds, request id, service, client address, caller), kept
   * `requestLog.keepHours` and at most `requestLog.maxRows` rows. Every filter given must match: `status` an
   * exact code (`404`) or a class (`4xx`); `principal` a caller kind (`admin`, `role`, `user-pool`, `api-key`,
   * `anonymous`, …); `from` / `to` ISO times (inclusive). `nextToken` continues a listing.
   */
  ListRequestLog: {
    input: listRequestLogRequest,
    output: z.object({ requests: z.array(requestLogEntrySchema), nextToken: z.string().optional() }),
  },
} satisfies Record<string, ControlOperationContract>;

export type ControlOperation = keyof typeof controlApi;

/**
 * Each operation's types: `input` as a caller writes it (defaults may be left out), `handled` as the cloud's
 * handler receives it (defaults applied), `output` as answered.
 */
export type ControlOperations = {
  [Op in ControlOperation]: {
    input: z.input<(typeof controlApi)[Op]['input']>;
    handled: z.output<(typeof controlApi)[Op]['input']>;
    output: z.output<(typeof controlApi)[Op]['output']>;
  };
};
