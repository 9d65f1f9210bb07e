import type { GraphQLPlanModel } from '@forte/protocol';
import { unreadableFields } from './authorize-model.js';
import type { ExecutionContext } from './execution-context.js';
import { AppSyncFieldError } from './field-error.js';
import { fromItem } from './item-values.js';
import type { primaryKeyOf } from './model-keys.js';

type Plain = Record<string, unknown>;

/** The key of the item a write changes. */
export type WriteKey = NonNullable<ReturnType<typeof primaryKeyOf>>;

/** The stored `_version` changed between the read and the write of an AUTOMERGE or LAMBDA update. */
export class VersionMoved extends Error {}

/** A mutation's arguments as AppSync hands them on: `input`, and `condition` when the request gave one. */
export const mutationArguments = (input: Plain, condition: Plain | undefined): Plain => ({ input, ...(condition ? { condition } : {}) });

/** Fields only the server writes: a conflict handler's item does not set them. */
const SERVER_FIELDS = new Set(['_version', '_lastChangedAt', '_deleted', '_ttl', '__typename']);

/**
 * The changes that replace the stored item with a LAMBDA handler's RESOLVE item, as AppSync does: its fields
 * are written and the stored fields it lacks removed; the key and the server's version bookkeeping (the
 * handler's values for them ignored) stay as they are.
 */
export function replacingChanges(key: WriteKey, existing: Plain, item: Plain): Plain {
  const changes: Plain = {};
  const kept = (name: string): boolean => name in key || SERVER_FIELDS.has(name);
  for (const name of Object.keys(existing)) if (!kept(name) && item[name] === undefined) changes[name] = null;
  for (const [name, value] of Object.entries(item)) if (!kept(name) && value !== undefined) changes[name] = value;
  return changes;
}

/**
 * A write to a versioned model names the `_version` it read; a missing one counts as 0, as Amplify's
 * templates send it. On a mismatch OPTIMISTIC_CONCURRENCY refuses with the server's item, AUTOMERGE merges
 * an update (a stale delete is refused as under OPTIMISTIC_CONCURRENCY, so the client's conflict handler
 * decides), LAMBDA asks the model's handler function.
 */
export function checkVersion(
  ctx: ExecutionContext,
  model: GraphQLPlanModel,
  input: Plain,
  existing: Plain,
  operation: 'update' | 'delete',
): 'current' | 'merge' | 'lambda' {
  if (Number(input._version ?? 0) === Number(existing._version ?? 0)) return 'current';
  const handler = model.versioned?.conflictHandler;
  if (handler === 'AUTOMERGE' && operation === 'update') return 'merge';
  if (handler === 'LAMBDA') return 'lambda';
  throw conflictUnhandled(ctx, model, existing);
}

/**
 * `ConflictUnhandled` with the server's item in errors[].data. It goes back outside the field resolvers:
 * without the fields the caller may not read on it (the mutation's selection set is applied where the
 * mutation field is resolved).
 */
export function conflictUnhandled(ctx: ExecutionContext, model: GraphQLPlanModel, existing: Plain): AppSyncFieldError {
  const hidden = new Set(unreadableFields(ctx.caller, model, existing));
  const data = Object.fromEntries(Object.entries(existing).filter(([name]) => !hidden.has(name)));
  return new AppSyncFieldError('ConflictUnhandled', 'Conflict resolver rejects mutation.', { data });
}

/**
 * A versioned write's condition failed: if another write moved the version since the read, that is a
 * conflict (an AUTOMERGE update merges again, a LAMBDA update asks its handler again), not a failed client
 * condition.
 */
export async function versionRace(
  ctx: ExecutionContext,
  model: GraphQLPlanModel,
  key: WriteKey,
  existing: Plain,
  operation: 'update' | 'delete',
  cause: unknown,
): Promise<void> {
  const found = await ctx.tables.get({ table: ctx.tableNames[model.name]!, key });
  const now = found && fromItem(found);
  if (!now || Number(now._version ?? 0) === Number(existing._version ?? 0)) return;
  const handler = model.versioned?.conflictHandler;
  if ((handler === 'AUTOMERGE' || handler === 'LAMBDA') && operation === 'update') throw new VersionMoved('version moved', { cause });
  throw conflictUnhandled(ctx, model, now);
}
