import { isDeepStrictEqual } from 'node:util';
import type { GraphQLPlanModel } from '@forte/protocol';
import type { OperationAccess } from './auth-rules.js';
import { itemRuleAllows } from './auth-rules.js';
import type { ExecutionContext } from './execution-context.js';
import { fromItem } from './item-values.js';
import type { TableItem } from '../../kernel/types.js';

type Plain = Record<string, unknown>;

/** Written by the server at each write, never by the client: a replay differs from the original in these alone. */
const SERVER_SET = new Set(['_version', '_lastChangedAt', '_deleted', '_ttl', '__typename']);

const absent = (value: unknown): boolean => value === undefined || value === null;

/**
 * The stored item, when a create refused because its key is taken is the replay of the create that stored
 * it (a client that lost the answer sends it again, as DataStore's outbox does): the item is live, the caller
 * may create it, and every field is the same but the version bookkeeping and the timestamps the server set
 * (those the input gave must be the same too). Otherwise undefined (the create fails its condition, as before).
 */
export async function replayedCreate(
  ctx: ExecutionContext,
  model: GraphQLPlanModel,
  access: OperationAccess,
  key: TableItem,
  item: Plain,
  input: Plain,
): Promise<Plain | undefined> {
  const found = await ctx.tables.get({ table: ctx.tableNames[model.name]!, key });
  if (!found) return undefined;
  const stored = fromItem(found);
  if (stored._deleted === true) return undefined;
  if (access.kind === 'items' && !access.rules.some((r) => itemRuleAllows(ctx.caller, r, stored))) return undefined;
  const timestamps = new Set([model.timestamps.createdAt, model.timestamps.updatedAt].filter((t): t is string => typeof t === 'string' && absent(input[t])));
  const compared = (name: string): boolean => !SERVER_SET.has(name) && !timestamps.has(name);
  for (const name of new Set([...Object.keys(item), ...Object.keys(stored)])) {
    if (!compared(name)) continue;
    const [mine, theirs] = [item[name], stored[name]];
    if (!(absent(mine) && absent(theirs)) && !isDeepStrictEqual(mine, theirs)) return undefined;
  }
  return stored;
}
