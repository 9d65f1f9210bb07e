import { createMissReadThrough } from '../../kernel/miss-read-through.js';
import type { FunctionStore } from './function-store.js';

/** What deciding who may invoke a function needs: its ARN (none: no such function) and its resource policy's statements. */
export interface FunctionPermissions {
  arn: string | undefined;
  /** The properties of each `AWS::Lambda::Permission` recorded on the function. */
  statements: ReadonlyArray<Record<string, unknown>>;
}

/**
 * The resource policy of each function ($LATEST, the only version Forte serves), kept in memory: API Gateway,
 * S3 notifications and AppSync authorizers ask whether a function lets them invoke it on every request, and
 * the answer only changes when a deployment writes the function or its permissions. The writer drops the
 * function's entry (`invalidate`) after the write, and tells the other instances, which drop theirs
 * (kernel/cache-invalidation.ts); everything is dropped when the bus was cut off (`invalidateAll`).
 */
export function createPermissionCache(store: Pick<FunctionStore, 'get' | 'policiesOf'>, maxFunctions = 1000) {
  const entries = new Map<string, FunctionPermissions>();
  // Bumped at each invalidation: a read that began before one may have seen the rows before the write, and
  // must not put them back.
  let generation = 0;
  const read = async (name: string, fresh: boolean): Promise<FunctionPermissions> => {
    const began = generation;
    const fn = await store.get(name, { fresh });
    const statements = fn ? (await store.policiesOf(name)).filter((p) => p.kind === 'permission').map((p) => p.properties) : [];
    const permissions: FunctionPermissions = { arn: fn?.arn, statements };
    if (generation === began) {
      if (entries.size >= maxFunctions) entries.clear();
      entries.set(name, permissions);
    }
    return permissions;
  };
  const misses = createMissReadThrough();
  return {
    async of(name: string): Promise<FunctionPermissions> {
      return entries.get(name) ?? read(name, false);
    },
    /**
     * The permissions read again from the database, when the ones held refuse a caller: the function or a
     * permission may have been created through another instance a moment ago, its bus message under way.
     * Once per function at a time and second (kernel/miss-read-through.ts); otherwise what is held.
     */
    async reread(name: string): Promise<FunctionPermissions> {
      let fresh: FunctionPermissions | undefined;
      await misses.check(name, async () => {
        generation += 1;
        entries.delete(name);
        fresh = await read(name, true);
      });
      return fresh ?? entries.get(name) ?? read(name, false);
    },
    /** The function or its permissions changed (here or on another instance): read them again at the next ask. */
    invalidate(name: string): void {
      generation += 1;
      entries.delete(name);
    },
    invalidateAll(): void {
      generation += 1;
      entries.clear();
    },
  };
}

export type PermissionCache = ReturnType<typeof createPermissionCache>;
