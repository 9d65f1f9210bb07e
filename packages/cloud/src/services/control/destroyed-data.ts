import type { ResourceChange } from '@forte/protocol';
import type { ResourceHandler } from '../../kernel/types.js';
import type { DeployedRecord } from './control-store.js';

/**
 * Adds to each `Remove` and `Replace` change how much data the deployed resource holds (`destroysData`),
 * asked of the service that owns it through its handler's `storedData.count`, so the client can refuse to
 * apply a change that loses data without the user's explicit approval. Resources that hold nothing get no field.
 * `restorable`: the cloud will keep a copy (the type can copy and restore, and the retention is not 0).
 */
export async function withDestroyedData(
  changes: ResourceChange[],
  deployed: DeployedRecord[],
  options: { handlerFor(type: string): ResourceHandler | undefined; keepsCopies: boolean },
): Promise<ResourceChange[]> {
  const { handlerFor } = options;
  const byId = new Map(deployed.map((r) => [r.logicalId, r]));
  return Promise.all(
    changes.map(async (change) => {
      if (change.action !== 'Remove' && change.action !== 'Replace') return change;
      const old = byId.get(change.logicalId);
      const hooks = old ? handlerFor(old.resourceType)?.storedData : undefined;
      if (!old || !hooks) return change;
      const count = await hooks.count(old.physicalId, old.resolvedProperties);
      const restorable = options.keepsCopies && hooks.snapshot !== undefined && hooks.restore !== undefined;
      return count > 0 ? { ...change, destroysData: { kind: hooks.kind, count, restorable } } : change;
    }),
  );
}
