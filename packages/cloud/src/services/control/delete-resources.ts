import { runInDependencyOrder } from './dependency-order.js';
import { emitEvent, journal, messageOf, resourceContextFor, withRetries, type DeploymentTarget, type EngineContext } from './engine-context.js';

export interface ResourceToDelete {
  /** Unique among the batch. */
  key: string;
  logicalId: string;
  resourceType: string;
  physicalId: string;
  props: Record<string, unknown>;
  /** Logical ids this one depends on: it is deleted before them. */
  dependsOn: string[];
}

/**
 * Deletes resources in reverse dependency order (a resource goes before the ones it depends on),
 * independent ones in parallel, each retried, with events and journal rows. `onDeleted` runs after each
 * success (to drop its record). A type no service provides any more is skipped with an event: there is
 * nothing in this cloud that could hold it. Answers the failures, each naming the resource.
 */
export async function deleteResources(args: {
  engine: EngineContext;
  target: DeploymentTarget;
  resources: ResourceToDelete[];
  onDeleted(resource: ResourceToDelete): Promise<void>;
  /** Runs right before each delete, in the same retried step (a copy of the data it holds): a failure keeps the resource. */
  beforeDelete?(resource: ResourceToDelete): Promise<void>;
}): Promise<string[]> {
  const { engine, target } = args;
  const byKey = new Map(args.resources.map((r) => [r.key, r]));
  const dependents = new Map<string, string[]>();
  for (const r of args.resources) {
    for (const dep of r.dependsOn) {
      for (const other of args.resources) if (other.logicalId === dep) dependents.set(other.key, [...(dependents.get(other.key) ?? []), r.key]);
    }
  }
  const problems: string[] = [];
  const run = async (key: string): Promise<void> => {
    const r = byKey.get(key);
    if (!r) return;
    const handler = engine.handlerFor(r.resourceType);
    if (!handler) {
      await emitEvent(engine, target, r.logicalId, r.resourceType, 'DELETE_SKIPPED', `no service of this cloud provides ${r.resourceType}`);
      await args.onDeleted(r);
      return;
    }
    await emitEvent(engine, target, r.logicalId, r.resourceType, 'DELETE_IN_PROGRESS');
    const entry = { logicalId: r.logicalId, resourceType: r.resourceType, operation: 'delete' as const, physicalId: r.physicalId };
    await journal(engine, target, { ...entry, phase: 'started', detail: {} });
    const error = await withRetries(engine.retryDelaysMs, async () => {
      await args.beforeDelete?.(r);
      await handler.delete(r.physicalId, r.props, resourceContextFor(engine, target, r.logicalId));
    });
    if (error !== undefined) {
      await journal(engine, target, { ...entry, phase: 'failed', detail: { message: messageOf(error) } });
      await emitEvent(engine, target, r.logicalId, r.resourceType, 'DELETE_FAILED', messageOf(error));
      problems.push(`${r.logicalId} (${r.resourceType}) could not be deleted: ${messageOf(error)}`);
      throw error;
    }
    await journal(engine, target, { ...entry, phase: 'done', detail: {} });
    await emitEvent(engine, target, r.logicalId, r.resourceType, 'DELETE_COMPLETE');
    await args.onDeleted(r);
  };
  const { failures, completed } = await runInDependencyOrder({
    ids: byKey.keys(),
    dependenciesOf: (key) => dependents.get(key) ?? [],
    concurrency: engine.concurrency,
    run,
  });
  for (const f of failures) if (!problems.some((p) => p.startsWith(`${byKey.get(f.id)?.logicalId ?? f.id} `))) problems.push(`${f.id}: ${messageOf(f.error)}`);
  if (failures.length === 0 && completed.length < byKey.size) problems.push('some resources depend on each other in a cycle and were not deleted');
  return problems;
}
