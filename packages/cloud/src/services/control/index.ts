import {
  CONTROL_PATH,
  CONTROL_TARGET_PREFIX,
  SIGNING_SERVICE,
  appIdRequest,
  changeSetIdRequest,
  createAppRequest,
  createChangeSetRequest,
  deploymentIdRequest,
  describeStackEventsRequest,
  envRequest,
  restoreDeletedDataRequest,
  type ControlOperation,
} from '@forte/protocol';
import { z } from 'zod';
import { jsonApiRoute, type JsonOperation } from '../../kernel/json-api.js';
import type { Kernel, Principal, ResourceHandler, Service } from '../../kernel/types.js';
import { publicEnvironment } from './control-store.js';
import { createStackEngine } from './stack-engine.js';
import { TEST_RESOURCE_TYPE, createTestResourceHandler } from './test-resource.js';

/** How long stop() waits for running deployments before the process goes (recovery handles the rest). */
const STOP_GRACE_MS = 5000;
/** How often expired copies of deleted data are dropped while the cloud runs (also at every start). */
const PURGE_INTERVAL_MS = 3_600_000;

function operation<S extends z.ZodType>(input: S, handle: (input: z.output<S>, principal: Principal) => Promise<unknown>): JsonOperation<z.output<S>> {
  return { input: input as unknown as z.ZodType<z.output<S>>, handle: (value, call) => handle(value, call.principal) };
}

function describePrincipal(principal: Principal): string {
  return principal.kind === 'role' ? `role ${principal.roleArn}` : principal.kind;
}

/**
 * The control plane: apps, environments, change sets and deployments over the admin API
 * (`POST /control/`, `X-Amz-Target: ForteControl.<Operation>`, SigV4 service `forte`).
 */
export function createControlService(kernel: Kernel): Service {
  const log = kernel.log.child({ service: 'control' });
  const resourceTypes: Record<string, ResourceHandler> = {};
  if (kernel.config.testFaults) resourceTypes[TEST_RESOURCE_TYPE] = createTestResourceHandler(kernel.sql);
  const engine = createStackEngine({
    sql: kernel.sql,
    log,
    handlerFor: (type) => (Object.hasOwn(resourceTypes, type) ? resourceTypes[type] : kernel.resourceHandler(type)),
    region: kernel.config.region,
    accountId: kernel.config.accountId,
    ...(kernel.config.deletedDataRetentionMs === undefined ? {} : { deletedDataRetentionMs: kernel.config.deletedDataRetentionMs }),
  });
  const { registry, deletedData } = engine;
  let purgeTimer: NodeJS.Timeout | undefined;

  const operations: Record<ControlOperation, JsonOperation<any>> = {
    CreateApp: operation(createAppRequest, async ({ name }) => ({ app: await registry.createApp(name) })),
    GetApp: operation(appIdRequest, async ({ appId }) => ({ app: await registry.getApp(appId) })),
    ListApps: operation(z.object({}).passthrough(), async () => ({ apps: await registry.listApps() })),
    DeleteApp: operation(appIdRequest, async ({ appId }) => {
      await registry.deleteApp(appId);
      return {};
    }),
    CreateEnvironment: operation(envRequest, async ({ appId, envName }) => ({ environment: await registry.createEnvironment(appId, envName) })),
    GetEnvironment: operation(envRequest, async ({ appId, envName }) => ({ environment: publicEnvironment(await registry.getEnvironment(appId, envName)) })),
    ListEnvironments: operation(appIdRequest, async ({ appId }) => ({ environments: await registry.listEnvironments(appId) })),
    DeleteEnvironment: operation(envRequest, async ({ appId, envName }, principal) => ({
      deployment: await engine.deleteEnvironment(appId, envName, `DeleteEnvironment by ${describePrincipal(principal)}`),
    })),
    CreateChangeSet: operation(createChangeSetRequest, async (input) => ({ changeSet: await engine.createChangeSet(input) })),
    DescribeChangeSet: operation(changeSetIdRequest, async ({ changeSetId }) => ({ changeSet: await engine.describeChangeSet(changeSetId) })),
    ExecuteChangeSet: operation(changeSetIdRequest, async ({ changeSetId }) => ({ deployment: await engine.executeChangeSet(changeSetId) })),
    GetDeployment: operation(deploymentIdRequest, async ({ deploymentId }) => ({ deployment: await engine.getDeployment(deploymentId) })),
    DescribeStackEvents: operation(describeStackEventsRequest, async (input) => ({ events: await engine.describeStackEvents(input) })),
    DescribeStack: operation(envRequest, async ({ appId, envName }) => engine.describeStack(appId, envName)),
    ListDeletedData: operation(envRequest, async ({ appId, envName }) => {
      await registry.getEnvironment(appId, envName);
      return { copies: await deletedData.list(appId, envName) };
    }),
    RestoreDeletedData: operation(restoreDeletedDataRequest, async ({ appId, envName, resource }) => {
      await registry.getEnvironment(appId, envName);
      return deletedData.restore(appId, envName, resource);
    }),
  };

  return {
    name: 'control',
    routes: [
      jsonApiRoute({ name: 'control', path: CONTROL_PATH, targetPrefix: CONTROL_TARGET_PREFIX, signingService: SIGNING_SERVICE, actionPrefix: 'forte', operations, browserAccess: 'same-origin' }),
    ],
    resourceTypes,
    async start() {
      await engine.start();
      purgeTimer = setInterval(() => {
        deletedData.purgeExpired().catch((error: unknown) => log.error('dropping expired copies of deleted data failed', { error }));
      }, PURGE_INTERVAL_MS);
      purgeTimer.unref();
    },
    async stop() {
      clearInterval(purgeTimer);
      await engine.idle(STOP_GRACE_MS);
    },
  };
}
