import type { Deployment } from '@forte/protocol';
import type { ApplyResult } from './apply-graph.js';
import {
  commitEnvironment,
  deleteLock,
  insertCleanup,
  setDeploymentStatus,
  setEnvironmentStatus,
  writeDeployed,
  type DeployedRecord,
} from './control-store.js';
import { emitStackEvent, messageOf, type DeploymentTarget, type EngineContext } from './engine-context.js';
import { rollBackJournal } from './roll-back-journal.js';
import type { StackGraph } from './stack-graph.js';
import { resolveStackOutputs } from './stack-outputs.js';

/**
 * The commit point of a deployment: ONE transaction writes the new deployed state, the resources left
 * for cleanup, the environment's outputs and snapshot, DEPLOYED, SUCCEEDED, and releases the lock.
 * Answers the resources cleanup must delete, or the error when the outputs cannot be resolved (nothing
 * is written then: the caller rolls back).
 */
export async function commitDeployment(
  engine: EngineContext,
  args: {
    deployment: Deployment;
    graph: StackGraph;
    applied: ApplyResult;
    deployed: Map<string, DeployedRecord>;
    currentCloudBackend: { bucket: string; key: string } | undefined;
  },
): Promise<{ cleanup: DeployedRecord[] } | { error: string }> {
  const { deployment, graph, applied } = args;
  let resolved: ReturnType<typeof resolveStackOutputs>;
  try {
    resolved = resolveStackOutputs(graph, applied.live, engine.rewriteOutput);
  } catch (error) {
    return { error: messageOf(error) };
  }
  const records: DeployedRecord[] = [];
  for (const node of graph.nodes.values()) {
    const live = applied.live.get(node.qualifiedId);
    if (!live) return { error: `${node.qualifiedId}: no state after apply` };
    records.push({
      logicalId: node.qualifiedId,
      resourceType: node.resourceType,
      physicalId: live.physicalId,
      templateProperties: node.properties,
      resolvedProperties: live.resolvedProperties,
      attributes: live.attributes,
      dependsOn: [...node.dependsOn],
      ...(live.sealedProperties === undefined ? {} : { sealedProperties: live.sealedProperties }),
    });
  }
  const byId = new Map(records.map((r) => [r.logicalId, r]));
  const cleanup = [...args.deployed.values()].filter((old) => !graph.nodes.has(old.logicalId));
  for (const old of applied.replaced) {
    const now = byId.get(old.logicalId);
    // A handler that adopted the same physical resource must not see it deleted afterwards.
    if (now && now.physicalId === old.physicalId && now.resourceType === old.resourceType) continue;
    cleanup.push(old);
  }
  const { appId, envName, deploymentId } = deployment;
  await engine.sql.transaction(async (tx) => {
    await writeDeployed(tx, appId, envName, [...records, ...resolved.stacks]);
    for (const old of cleanup) {
      await insertCleanup(tx, {
        appId,
        envName,
        deploymentId,
        logicalId: old.logicalId,
        resourceType: old.resourceType,
        physicalId: old.physicalId,
        resolvedProperties: old.resolvedProperties,
        dependsOn: old.dependsOn,
      });
    }
    await commitEnvironment(tx, { appId, envName, outputs: resolved.outputs, currentCloudBackend: args.currentCloudBackend, deploymentId });
    await setDeploymentStatus(tx, deploymentId, 'SUCCEEDED');
    await deleteLock(tx, appId, envName, deploymentId);
  });
  return { cleanup };
}

/**
 * Rolls a deployment back from its journal and ends it: ROLLED_BACK, or FAILED when a step could not be
 * undone (the error names the resources that may need attention). Either way the environment is
 * DEPLOY_FAILED and unlocked, in the same transaction.
 */
export async function rollBack(engine: EngineContext, deployment: Deployment, target: DeploymentTarget, error: string): Promise<void> {
  const { appId, envName, deploymentId } = deployment;
  await engine.sql.transaction(async (tx) => {
    await setDeploymentStatus(tx, deploymentId, 'ROLLING_BACK', error);
    await setEnvironmentStatus(tx, appId, envName, 'ROLLING_BACK');
  });
  await emitStackEvent(engine, target, 'ROLLBACK_IN_PROGRESS', error);
  const problems = await rollBackJournal(engine, target);
  const finalError =
    problems.length === 0 ? error : `${error}. Rollback incomplete: ${problems.join('; ')}. This may need attention; the environment is unlocked.`;
  await engine.sql.transaction(async (tx) => {
    await setDeploymentStatus(tx, deploymentId, problems.length === 0 ? 'ROLLED_BACK' : 'FAILED', finalError);
    await setEnvironmentStatus(tx, appId, envName, 'DEPLOY_FAILED', deploymentId);
    await deleteLock(tx, appId, envName, deploymentId);
  });
  await emitStackEvent(engine, target, problems.length === 0 ? 'ROLLBACK_COMPLETE' : 'ROLLBACK_FAILED', finalError);
  engine.log.warn('deployment rolled back', { deploymentId, appId, envName, error: finalError });
}
