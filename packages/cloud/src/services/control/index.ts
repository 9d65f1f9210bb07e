import {
  CONTROL_PATH,
  CONTROL_TARGET_PREFIX,
  SIGNING_SERVICE,
  CONTROL_ERRORS,
  controlApi,
  type ControlOperation,
  type ControlOperations,
  type Deployment,
} from '@forte/protocol';
import type { z } from 'zod';
import { CONSOLE_LOGIN_LINKS, ENVIRONMENT_CLEANUPS, OUTPUT_URL_REWRITES, REQUEST_LOG } from '../../kernel/capabilities.js';
import { defineOperation, jsonApiRoute, type JsonOperation } from '../../kernel/json-api.js';
import type { Kernel, Principal, ResourceHandler, Service } from '../../kernel/types.js';
import { createClusterLeases, type ClusterLeases } from '../../kernel/cluster-leases.js';
import { controlError } from './control-errors.js';
import { listDeployments, publicEnvironment, readDeployed, readEnvironment } from './control-store.js';
import { baseDeploymentOf, diffStacks } from './deployment-template-diff.js';
import { publicStacks, readDeploymentStacks } from './deployment-templates.js';
import { listRequestLog } from './list-request-log.js';
import { createEnvironmentCleanups } from './environment-cleanups.js';
import { createStackEngine } from './stack-engine.js';
import { TEST_RESOURCE_TYPE, createTestResourceHandler } from './test-resource.js';

/** How long stop() waits for running deployments before the process goes (recovery handles the rest). */
const STOP_GRACE_MS = 5000;
/** How often one instance finishes the environment cleanups other instances left (also at every start). */
const ENVIRONMENT_CLEANUP_INTERVAL_MS = 60_000;
/** The cleanup sweep's lease outlives a few of its ticks, so its holder keeps it. */
const MIN_CLEANUP_LEASE_MS = 15_000;
/** How often expired copies of deleted data are dropped while the cloud runs (also at every start). */
const PURGE_INTERVAL_MS = 3_600_000;

/** Handles one control operation: its input as the contract validated it, its answer as the contract declares it. */
type ControlHandler<Op extends ControlOperation> = (input: ControlOperations[Op]['handled'], principal: Principal) => Promise<ControlOperations[Op]['output']>;

/** The route's operation table: each handler behind its contract's input schema. */
function jsonOperations(handlers: { [Op in ControlOperation]: ControlHandler<Op> }): Record<ControlOperation, JsonOperation> {
  const entry = <Op extends ControlOperation>(name: Op): JsonOperation =>
    defineOperation({
      input: controlApi[name].input as unknown as z.ZodType<ControlOperations[Op]['handled']>,
      handler: (value, call) => handlers[name](value, call.principal),
    });
  return Object.fromEntries((Object.keys(controlApi) as ControlOperation[]).map((name) => [name, entry(name)])) as Record<ControlOperation, JsonOperation>;
}

function describePrincipal(principal: Principal): string {
  return principal.kind === 'role' ? `role ${principal.roleArn}` : principal.kind;
}

/** The authenticated caller as a deployment records it: the access key id too (never the secret). */
function principalOf(principal: Principal): string {
  if (principal.kind === 'admin') return `admin ${principal.accessKeyId}`;
  if (principal.kind === 'role') return `role ${principal.roleArn} (${principal.accessKeyId})`;
  return principal.kind;
}

/** The control plane's settings. */
export interface ControlOptions {
  /** Test-only fault switches: the Forte::Test::* resource types (FORTE_TEST_FAULTS=1). Default off. */
  testFaults?: boolean | undefined;
  /** How long copies of data deleted by deployments are kept; default in services/control/deleted-data.ts (7 days). */
  deletedDataRetentionMs?: number | undefined;
  /** On a shared database, how long a deployment's instance may go without renewing its lease (default 15 s). */
  deploymentLeaseMs?: number | undefined;
  /** How often pending environment cleanups are looked for (default 60 s; also at every start). */
  environmentCleanupIntervalMs?: number | undefined;
}

/**
 * The control plane: apps, environments, change sets and deployments over the admin API
 * (`POST /control/`, `X-Amz-Target: ForteControl.<Operation>`, SigV4 service `forte`).
 */
export function createControlService(kernel: Kernel, options: ControlOptions = {}): Service {
  const log = kernel.log.child({ service: 'control' });
  const resourceTypes: Record<string, ResourceHandler> = {};
  if (options.testFaults === true) resourceTypes[TEST_RESOURCE_TYPE] = createTestResourceHandler(kernel.sql);
  const engine = createStackEngine({
    sql: kernel.sql,
    log,
    handlerFor: (type) => (Object.hasOwn(resourceTypes, type) ? resourceTypes[type] : kernel.resourceHandler(type)),
    region: kernel.config.region,
    accountId: kernel.config.accountId,
    secrets: kernel.secrets,
    rewriteOutput: (value) => {
      for (const rewrite of kernel.capability(OUTPUT_URL_REWRITES)) {
        const rewritten = rewrite(value);
        if (rewritten !== undefined) return rewritten;
      }
      return value;
    },
    ...(options.deletedDataRetentionMs === undefined ? {} : { deletedDataRetentionMs: options.deletedDataRetentionMs }),
    ...(kernel.config.instance === undefined ? {} : { instance: kernel.config.instance }),
    sharedDatabase: kernel.sql.dialect !== 'sqlite',
    ...(options.deploymentLeaseMs === undefined ? {} : { deploymentLeaseMs: options.deploymentLeaseMs }),
  });
  const { registry, deletedData } = engine;
  let purgeTimer: NodeJS.Timeout | undefined;

  // What other services keep for the environment outside its resources (its SSM parameters), recorded as
  // pending when the environment's rows went: the environment is gone either way, so a failure is logged and
  // retried rather than answered, and a cleanup an instance did not live to run is finished by another.
  let leases: ClusterLeases | undefined;
  const environmentCleanups = createEnvironmentCleanups({
    sql: kernel.sql,
    log,
    cleanups: () => kernel.capability(ENVIRONMENT_CLEANUPS),
    leases: () => {
      if (!leases) throw new Error('the control service has not started');
      return leases;
    },
    intervalMs: options.environmentCleanupIntervalMs ?? ENVIRONMENT_CLEANUP_INTERVAL_MS,
  });

  /** The root stack's name for people: the environment's, or `root` once the environment is gone. */
  const rootStackName = async (deployment: Deployment): Promise<string> =>
    (await readEnvironment(kernel.sql, deployment.appId, deployment.envName))?.stackName ?? 'root';

  const operations = jsonOperations({
    CreateApp: async ({ name }) => ({ app: await registry.createApp(name) }),
    GetApp: async ({ appId }) => ({ app: await registry.getApp(appId) }),
    ListApps: async () => ({ apps: await registry.listApps() }),
    DeleteApp: async ({ appId }) => {
      await registry.deleteApp(appId);
      return {};
    },
    CreateEnvironment: async ({ appId, envName }) => {
      // A predecessor of the same name whose cleanup is still pending: drop its data first, not the new one's later.
      await environmentCleanups.finish(appId, envName);
      return { environment: await registry.createEnvironment(appId, envName) };
    },
    GetEnvironment: async ({ appId, envName }) => ({ environment: publicEnvironment(await registry.getEnvironment(appId, envName)) }),
    ListEnvironments: async ({ appId }) => ({ environments: await registry.listEnvironments(appId) }),
    DeleteEnvironment: async ({ appId, envName }, principal) => {
      const deployment = await engine.deleteEnvironment(appId, envName, `DeleteEnvironment by ${describePrincipal(principal)}`, principalOf(principal));
      if (deployment.status === 'SUCCEEDED') await environmentCleanups.finish(appId, envName);
      return { deployment };
    },
    CreateChangeSet: async (input) => ({ changeSet: await engine.createChangeSet(input) }),
    DescribeChangeSet: async ({ changeSetId }) => ({ changeSet: await engine.describeChangeSet(changeSetId) }),
    ExecuteChangeSet: async ({ changeSetId }, principal) => ({ deployment: await engine.executeChangeSet(changeSetId, principalOf(principal)) }),
    GetDeployment: async ({ deploymentId }) => ({ deployment: await engine.getDeployment(deploymentId) }),
    DescribeStackEvents: async (input) => ({ events: await engine.describeStackEvents(input) }),
    DescribeStack: async ({ appId, envName }) => engine.describeStack(appId, envName),
    ListDeletedData: async ({ appId, envName }) => {
      await registry.getEnvironment(appId, envName);
      return { copies: await deletedData.list(appId, envName) };
    },
    RestoreDeletedData: async ({ appId, envName, resource }) => {
      await registry.getEnvironment(appId, envName);
      return deletedData.restore(appId, envName, resource);
    },
    ListDeployments: async ({ appId, envName, limit }) => {
      await registry.getEnvironment(appId, envName);
      return { deployments: await listDeployments(kernel.sql, appId, envName, limit) };
    },
    DescribeStoredData: async ({ appId, envName }) => {
      await registry.getEnvironment(appId, envName);
      const counted = await Promise.all(
        (await readDeployed(kernel.sql, appId, envName)).map(async (r) => {
          const hooks = kernel.resourceHandler(r.resourceType)?.storedData;
          const count = hooks ? await hooks.count(r.physicalId, r.resolvedProperties) : 0;
          return hooks && count > 0 ? [{ logicalId: r.logicalId, resourceType: r.resourceType, physicalId: r.physicalId, kind: hooks.kind, count }] : [];
        }),
      );
      return { resources: counted.flat() };
    },
    GetDeploymentTemplates: async ({ deploymentId }) => {
      const deployment = await engine.getDeployment(deploymentId);
      const stacks = await readDeploymentStacks(kernel.sql, deployment);
      return { stacks: publicStacks(stacks, await rootStackName(deployment)) };
    },
    DescribeTemplateDiff: async ({ deploymentId }) => {
      const deployment = await engine.getDeployment(deploymentId);
      const base = await baseDeploymentOf(kernel.sql, deployment);
      const [before, after] = await Promise.all([base ? readDeploymentStacks(kernel.sql, base) : [], readDeploymentStacks(kernel.sql, deployment)]);
      return {
        deploymentId,
        ...(base ? { baseDeploymentId: base.deploymentId } : {}),
        stacks: diffStacks(before, after, await rootStackName(deployment)),
      };
    },
    CreateConsoleLoginLink: async (_input, principal) => {
      const [links] = kernel.capability(CONSOLE_LOGIN_LINKS);
      if (!links) throw controlError('ResourceNotFoundException', 'This cloud runs without its web console (the console service is not started).');
      // A link signs in as the admin: only the admin keys may ask for one.
      if (principal.kind !== 'admin') throw controlError('AccessDeniedException', 'Only the admin keys of the cloud may create console login links.');
      return links.create(principal.accessKeyId);
    },
    ListRequestLog: async (input, principal) => {
      // The log names every caller's keys and addresses: only the admin keys may read it.
      if (principal.kind !== 'admin') throw controlError('AccessDeniedException', 'Only the admin keys of the cloud may read the request log.');
      const [requestLog] = kernel.capability(REQUEST_LOG);
      if (!requestLog) throw controlError('ResourceNotFoundException', 'This cloud runs without its request log (the request-log service is not started).');
      return listRequestLog(requestLog, input);
    },
  });

  return {
    name: 'control',
    routes: [
      jsonApiRoute({
        name: 'control',
        path: CONTROL_PATH,
        targetPrefix: CONTROL_TARGET_PREFIX,
        signingService: SIGNING_SERVICE,
        actionPrefix: 'forte',
        operations,
        errors: CONTROL_ERRORS,
        validationErrorCode: 'ValidationException',
        browserAccess: 'same-origin',
      }),
    ],
    resourceTypes,
    async start() {
      await engine.start();
      leases = await createClusterLeases({
        sql: kernel.sql,
        instance: kernel.config.instance,
        leaseMs: Math.max(3 * (options.environmentCleanupIntervalMs ?? ENVIRONMENT_CLEANUP_INTERVAL_MS), MIN_CLEANUP_LEASE_MS),
        shared: kernel.sql.dialect !== 'sqlite',
      });
      environmentCleanups.start();
      purgeTimer = setInterval(() => {
        deletedData.purgeExpired().catch((error: unknown) => log.error('dropping expired copies of deleted data failed', { error }));
      }, PURGE_INTERVAL_MS);
      purgeTimer.unref();
    },
    async stop() {
      clearInterval(purgeTimer);
      if (leases) await environmentCleanups.stop();
      await engine.idle(STOP_GRACE_MS);
      engine.stop();
    },
  };
}
