import { isDeepStrictEqual } from 'node:util';
import type { ChangeAction, PropertyMigration, ResourceChange } from '@forte/protocol';
import type { ResourceHandler } from '../../kernel/types.js';
import type { DeployedRecord } from './control-store.js';
import { TemplateError, UNKNOWN, asStored, containsUnknown, declaredAt, evaluate, type EvaluationContext } from './evaluate-intrinsics.js';
import type { StackGraph } from './stack-graph.js';

/**
 * Compares the desired graph with the deployed resources. Properties are compared resolved as far as
 * they can be before apply (parameters, pseudo parameters, attributes of resources that stay); a
 * property that names a resource being created or replaced is compared as written instead, and the
 * resource is then modified because it "depends on Y, which is replaced". Unchanged resources produce
 * no change.
 */
export function planChanges(input: { graph: StackGraph; deployed: DeployedRecord[]; handlerFor(type: string): ResourceHandler | undefined }): ResourceChange[] {
  const deployed = new Map(input.deployed.filter((r) => r.resourceType !== 'Forte::Stack').map((r) => [r.logicalId, r]));
  const actions = new Map<string, ChangeAction>();
  const changes: ResourceChange[] = [];
  for (const node of input.graph.nodes.values()) {
    const old = deployed.get(node.qualifiedId);
    const change = (action: ChangeAction, reasons: string[], migrations: PropertyMigration[] = []): void => {
      actions.set(node.qualifiedId, action);
      changes.push({
        logicalId: node.qualifiedId,
        resourceType: node.resourceType,
        action,
        reasons,
        replacement: action === 'Replace',
        ...(migrations.length > 0 ? { migrations } : {}),
      });
    };
    if (!old) {
      change('Add', ['new resource']);
      continue;
    }
    if (old.resourceType !== node.resourceType) {
      change('Replace', [`Type changed from ${old.resourceType} to ${node.resourceType}`]);
      continue;
    }
    const pendingDeps = new Map<string, string>();
    const ctx: EvaluationContext = {
      pseudo: input.graph.pseudo,
      rootStackName: input.graph.identity.stackName,
      exports: input.graph.exports,
      resource: (id, attribute) => {
        const action = actions.get(id);
        if (action === 'Add' || action === 'Replace') {
          pendingDeps.set(id, action === 'Add' ? 'new' : 'replaced');
          return UNKNOWN;
        }
        const record = deployed.get(id);
        if (!record) return UNKNOWN;
        return attribute === undefined ? record.physicalId : (record.attributes[attribute] ?? UNKNOWN);
      },
    };
    let resolved: Record<string, unknown>;
    try {
      resolved = evaluate(node.properties, node.scope, ctx) as Record<string, unknown>;
    } catch (error) {
      throw new TemplateError(`${declaredAt(node.scope, node.logicalId)}: ${(error as Error).message}`);
    }
    const changed: string[] = [];
    let waitsOnDependency = false;
    for (const key of new Set([...Object.keys(resolved), ...Object.keys(old.resolvedProperties)])) {
      if (containsUnknown(resolved[key])) {
        if (!isDeepStrictEqual(node.properties[key], old.templateProperties[key])) changed.push(key);
        else waitsOnDependency = true;
      } else if (!isDeepStrictEqual(input.graph.mask(asStored(resolved[key])), old.resolvedProperties[key])) {
        changed.push(key);
      }
    }
    const handler = input.handlerFor(node.resourceType);
    const replaceOn = handler?.replaceOn ?? [];
    const migrateOn = handler?.migrateOn ?? {};
    const reasons = changed.map((key) =>
      replaceOn.includes(key)
        ? `Properties.${key} changed (requires replacement)`
        : Object.hasOwn(migrateOn, key)
          ? `Properties.${key} changed (migrated: ${migrateOn[key]})`
          : `Properties.${key} changed`,
    );
    if (waitsOnDependency) for (const [id, what] of pendingDeps) reasons.push(`depends on ${id}, which is ${what}`);
    const migrations = changed
      .filter((key) => !replaceOn.includes(key) && Object.hasOwn(migrateOn, key))
      .map((key) => ({ property: key, description: migrateOn[key] ?? '' }));
    if (changed.some((key) => replaceOn.includes(key))) change('Replace', reasons);
    else if (reasons.length > 0) change('Modify', reasons, migrations);
  }
  for (const old of deployed.values()) {
    if (!input.graph.nodes.has(old.logicalId))
      changes.push({ logicalId: old.logicalId, resourceType: old.resourceType, action: 'Remove', reasons: ['not in the template'], replacement: false });
  }
  return changes;
}
