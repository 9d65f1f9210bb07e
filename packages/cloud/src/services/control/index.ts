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
  CONTROL_ERRORS,
  type ControlOperation,
} from '@forte/protocol';
import { z } from 'zod';
import { defineOperation, jsonApiRoute, type JsonOperation } from '../../kernel/json-api.js';
import type { Kernel, Principal, ResourceHandler, Service } from '../../kernel/types.js';
import { publicEnvironment } from './control-store.js';
import { createStackEngine } from './stack-engine.js';
import { TEST_RESOURCE_TYPE, createTestResourceHandler } from './test-resource.js';

/** How long stop() waits for running deployments before the process goes (recovery handles the rest). */
const STOP_GRACE_MS = 5000;

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
  });
  const { registry } = engine;

  const operations: Record<ControlOperation, JsonOperation> = {
    CreateApp: defineOperation({ input: createAppRequest, handler: async ({ name }) => ({ app: await registry.createApp(name) }) }),
    GetApp: defineOperation({ input: appIdRequest, handler: async ({ appId }) => ({ app: await registry.getApp(appId) }) }),
    ListApps: defineOperation({ input: z.object({}).passthrough(), handler: async () => ({ apps: await registry.listApps() }) }),
    DeleteApp: defineOperation({
      input: appIdRequest,
      handler: async ({ appId }) => {
        await registry.deleteApp(appId);
        return {};
      },
    }),
    CreateEnvironment: defineOperation({ input: envRequest, handler: async ({ appId, envName }) => ({ environment: await registry.createEnvironment(appId, envName) }) }),
    GetEnvironment: defineOperation({ input: envRequest, handler: async ({ appId, envName }) => ({ environment: publicEnvironment(await registry.getEnvironment(appId, envName)) }) }),
    ListEnvironments: defineOperation({ input: appIdRequest, handler: async ({ appId }) => ({ environments: await registry.listEnvironments(appId) }) }),
    DeleteEnvironment: defineOperation({
      input: envRequest,
      handler: async ({ appId, envName }, { principal }) => ({
        deployment: await engine.deleteEnvironment(appId, envName, `DeleteEnvironment by ${describePrincipal(principal)}`),
      }),
    }),
    CreateChangeSet: defineOperation({ input: createChangeSetRequest, handler: async (input) => ({ changeSet: await engine.createChangeSet(input) }) }),
    DescribeChangeSet: defineOperation({ input: changeSetIdRequest, handler: async ({ changeSetId }) => ({ changeSet: await engine.describeChangeSet(changeSetId) }) }),
    ExecuteChangeSet: defineOperation({ input: changeSetIdRequest, handler: async ({ changeSetId }) => ({ deployment: await engine.executeChangeSet(changeSetId) }) }),
    GetDeployment: defineOperation({ input: deploymentIdRequest, handler: async ({ deploymentId }) => ({ deployment: await engine.getDeployment(deploymentId) }) }),
    DescribeStackEvents: defineOperation({ input: describeStackEventsRequest, handler: async (input) => ({ events: await engine.describeStackEvents(input) }) }),
    DescribeStack: defineOperation({ input: envRequest, handler: async ({ appId, envName }) => engine.describeStack(appId, envName) }),
  };

  return {
    name: 'control',
    routes: [
      jsonApiRoute({ name: 'control', path: CONTROL_PATH, targetPrefix: CONTROL_TARGET_PREFIX, signingService: SIGNING_SERVICE, actionPrefix: 'forte', operations, errors: CONTROL_ERRORS, validationErrorCode: 'ValidationException', browserAccess: 'same-origin' }),
    ],
    resourceTypes,
    start: () => engine.start(),
    stop: () => engine.idle(STOP_GRACE_MS),
  };
}
