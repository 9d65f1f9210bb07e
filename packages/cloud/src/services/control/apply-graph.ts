import { isDeepStrictEqual } from 'node:util';
import { STACK_EVENT_WARNING, type ChangeAction } from '@forte/protocol';
import type { PendingValue, ResourceResult } from '../../kernel/types.js';
import type { DeployedRecord } from './control-store.js';
import { runInDependencyOrder } from './dependency-order.js';
import { emitEvent, journal, messageOf, resourceContextFor, type DeploymentTarget, type EngineContext } from './engine-context.js';
import { TemplateError, asStored, evaluate, type EvaluationContext } from './evaluate-intrinsics.js';
import { createPropertiesContext, deployedPropertiesContext, sealProperties } from './sealed-properties.js';
import type { GraphNode, StackGraph } from './stack-graph.js';

/** A resource as it stands during apply: deployed, created or updated by this deployment. */
export interface LiveResource {
  resourceType: string;
  physicalId: string;
  attributes: Record<string, unknown>;
  resolvedProperties: Record<string, unknown>;
  /** The resolved properties without masks, sealed, when masking hid a NoEcho value (sealed-properties.ts). */
  sealedProperties?: string;
}

export interface ApplyResult {
  live: Map<string, LiveResource>;
  /** Deployed records this deployment replaced (their old halves are deleted in cleanup). */
  replaced: DeployedRecord[];
  failure?: { logicalId: string; message: string };
}

/** A context that reads references from the live resources (an unresolvable one fails the resource). */
export function liveContext(graph: StackGraph, live: Map<string, LiveResource>): EvaluationContext {
  return {
    pseudo: graph.pseudo,
    rootStackName: graph.identity.stackName,
    exports: graph.exports,
    resource: (id, attribute) => {
      const resource = live.get(id);
      if (!resource) throw new TemplateError(`${id} does not exist yet`);
      if (attribute === undefined) return resource.physicalId;
      if (!Object.hasOwn(resource.attributes, attribute)) {
        throw new TemplateError(
          `Fn::GetAtt ${id}.${attribute}: ${resource.resourceType} has no attribute ${attribute} (it has ${Object.keys(resource.attributes).join(', ') || 'none'})`,
        );
      }
      return resource.attributes[attribute];
    },
  };
}

/**
 * Creates and updates resources in dependency order, independent ones in parallel. Each resource's
 * properties are resolved right before its handler runs. Resources the plan leaves alone are updated
 * only when a value they reference changed during this apply. Stops at the first failure (the ones
 * running finish) and reports it; the journal has a row before and after every handler call.
 */
export async function applyGraph(args: {
  engine: EngineContext;
  target: DeploymentTarget;
  graph: StackGraph;
  actions: Map<string, ChangeAction>;
  deployed: Map<string, DeployedRecord>;
}): Promise<ApplyResult> {
  const { engine, target, graph, actions, deployed } = args;
  const live = new Map<string, LiveResource>();
  for (const record of deployed.values()) live.set(record.logicalId, { ...record });
  const replaced: DeployedRecord[] = [];
  const ctx = liveContext(graph, live);
  /** Nodes applied (or found unchanged) by this run. */
  const applied = new Set<string>();
  /** One property of this deployment's resources of a type that are still to come, evaluated as far as it can be now. */
  const pendingValues = (type: string, property: string): PendingValue[] => {
    const out: PendingValue[] = [];
    for (const [id, node] of graph.nodes) {
      if (node.resourceType !== type || applied.has(id)) continue;
      try {
        out.push({ known: true, value: asStored(evaluate(node.properties[property], node.scope, ctx)) });
      } catch (error) {
        // A value not known yet (an attribute of a resource still to come).
        if (!(error instanceof TemplateError)) throw error;
        out.push({ known: false });
      }
    }
    return out;
  };
  const contextFor = (node: GraphNode) => resourceContextFor(engine, target, node.qualifiedId, pendingValues);
  /** A handler's warnings as its COMPLETE event's reason, one a line (masked, as every reason is). */
  const warningsOf = (result: ResourceResult): string | undefined =>
    result.warnings?.length ? graph.mask(result.warnings.map((warning) => STACK_EVENT_WARNING + warning).join('\n')) : undefined;
  /** The resource as it stands after its handler answered, with its unmasked properties sealed where masks hid a value. */
  const liveAfter = (node: GraphNode, result: ResourceResult, props: Record<string, unknown>, masked: Record<string, unknown>): LiveResource => {
    const sealed = sealProperties(engine.secrets, deployedPropertiesContext(target.appId, target.envName, node.qualifiedId, result.physicalId), props, masked);
    return {
      resourceType: node.resourceType,
      physicalId: result.physicalId,
      attributes: graph.mask(result.attributes),
      resolvedProperties: masked,
      ...(sealed === undefined ? {} : { sealedProperties: sealed }),
    };
  };

  const create = async (node: GraphNode, props: Record<string, unknown>, replacing: DeployedRecord | undefined): Promise<void> => {
    const handler = engine.handlerFor(node.resourceType);
    if (!handler) throw new Error(`no service provides ${node.resourceType}`);
    await emitEvent(engine, target, node.qualifiedId, node.resourceType, 'CREATE_IN_PROGRESS', replacing ? `replacing ${replacing.physicalId}` : undefined);
    const masked = graph.mask(props);
    // A create cut off by a restart is run again by the rollback (to learn what to delete): with these properties.
    const sealedProps = sealProperties(engine.secrets, createPropertiesContext(target.deploymentId, node.qualifiedId), props, masked);
    await journal(engine, target, {
      logicalId: node.qualifiedId,
      resourceType: node.resourceType,
      operation: 'create',
      phase: 'started',
      physicalId: undefined,
      detail: { props: masked, ...(sealedProps === undefined ? {} : { sealedProps }) },
    });
    let result: ResourceResult;
    try {
      result = await handler.create(props, contextFor(node));
    } catch (error) {
      await journal(engine, target, {
        logicalId: node.qualifiedId,
        resourceType: node.resourceType,
        operation: 'create',
        phase: 'failed',
        physicalId: undefined,
        detail: { message: graph.mask(messageOf(error)) },
      });
      await emitEvent(engine, target, node.qualifiedId, node.resourceType, 'CREATE_FAILED', graph.mask(messageOf(error)));
      throw error;
    }
    await journal(engine, target, {
      logicalId: node.qualifiedId,
      resourceType: node.resourceType,
      operation: 'create',
      phase: 'done',
      physicalId: result.physicalId,
      detail: { props: masked },
    });
    await emitEvent(engine, target, node.qualifiedId, node.resourceType, 'CREATE_COMPLETE', warningsOf(result));
    if (replacing) replaced.push(replacing);
    live.set(node.qualifiedId, liveAfter(node, result, props, masked));
  };

  const update = async (node: GraphNode, props: Record<string, unknown>, old: DeployedRecord, reason: string | undefined): Promise<void> => {
    const handler = engine.handlerFor(node.resourceType);
    if (!handler) throw new Error(`no service provides ${node.resourceType}`);
    await emitEvent(engine, target, node.qualifiedId, node.resourceType, 'UPDATE_IN_PROGRESS', reason);
    const entry = { logicalId: node.qualifiedId, resourceType: node.resourceType, operation: 'update' as const, physicalId: old.physicalId };
    // The old properties' sealed copy (bound to the deployed resource) is what a rollback restores.
    const sealedOld = old.sealedProperties === undefined ? {} : { sealedOldProps: old.sealedProperties };
    await journal(engine, target, { ...entry, phase: 'started', detail: { props: graph.mask(props), oldProps: old.resolvedProperties, ...sealedOld } });
    let result: ResourceResult | 'replace';
    try {
      result = await handler.update(old.physicalId, props, old.resolvedProperties, contextFor(node));
    } catch (error) {
      await journal(engine, target, {
        ...entry,
        phase: 'failed',
        detail: { props: graph.mask(props), oldProps: old.resolvedProperties, message: graph.mask(messageOf(error)) },
      });
      await emitEvent(engine, target, node.qualifiedId, node.resourceType, 'UPDATE_FAILED', graph.mask(messageOf(error)));
      throw error;
    }
    if (result === 'replace') {
      await journal(engine, target, { ...entry, phase: 'done', detail: { replace: true } });
      await emitEvent(engine, target, node.qualifiedId, node.resourceType, 'UPDATE_COMPLETE', 'the change needs a new resource: replacing it');
      await create(node, props, old);
      return;
    }
    await journal(engine, target, {
      ...entry,
      physicalId: result.physicalId,
      phase: 'done',
      detail: { props: graph.mask(props), oldProps: old.resolvedProperties },
    });
    await emitEvent(engine, target, node.qualifiedId, node.resourceType, 'UPDATE_COMPLETE', warningsOf(result));
    live.set(node.qualifiedId, liveAfter(node, result, props, graph.mask(props)));
  };

  const run = async (id: string): Promise<void> => {
    const node = graph.nodes.get(id);
    if (!node) return;
    const action = actions.get(id);
    const old = deployed.get(id);
    let props: Record<string, unknown>;
    try {
      props = asStored(evaluate(node.properties, node.scope, ctx)) as Record<string, unknown>;
    } catch (error) {
      const verb = !old || action === 'Add' || action === 'Replace' ? 'CREATE' : 'UPDATE';
      await emitEvent(engine, target, id, node.resourceType, `${verb}_FAILED`, graph.mask(messageOf(error)));
      throw error;
    }
    try {
      if (!old) return await create(node, props, undefined);
      if (action === 'Replace') return await create(node, props, old);
      if (action === 'Modify') return await update(node, props, old, undefined);
      // Planned as unchanged, but a referenced attribute may have changed during this apply.
      if (!isDeepStrictEqual(graph.mask(props), old.resolvedProperties)) return await update(node, props, old, 'a value it references changed');
    } finally {
      applied.add(id);
    }
  };

  const { failures } = await runInDependencyOrder({
    ids: graph.nodes.keys(),
    dependenciesOf: (id) => graph.nodes.get(id)?.dependsOn ?? [],
    concurrency: engine.concurrency,
    run,
  });
  const first = failures[0];
  if (first) {
    // A handler refuses what the user wrote (a ManagedPolicyArn, a role name): say which file to fix.
    const file = graph.nodes.get(first.id)?.scope.sourceFile;
    return { live, replaced, failure: { logicalId: first.id, message: `${graph.mask(messageOf(first.error))}${file ? ` (declared in ${file})` : ''}` } };
  }
  return { live, replaced };
}
