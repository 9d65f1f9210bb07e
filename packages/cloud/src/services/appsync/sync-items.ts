import type { GraphQLPlanModel } from '@forte/protocol';
import type { TableItem } from '../../kernel/types.js';
import { authFilterText } from './auth-filter.js';
import type { OperationAccess } from './auth-rules.js';
import type { ExecutionContext } from './execution-context.js';
import { ExpressionBuilder } from './expression-builder.js';
import { AppSyncFieldError } from './field-error.js';
import { checkFieldUse, filterFields } from './field-visibility.js';
import { checkFilterSize } from './filter-limits.js';
import { fromItem } from './item-values.js';
import type { Connection } from './list-items.js';
import { keyAttributes, sortAttribute } from './model-keys.js';
import { checkedKey } from './next-token.js';
import { BASE_TABLE_TTL_MS, liveItemCondition } from './tombstones.js';

/** The Sync operation's default page size (the transformer's `$util.defaultIfNull($args.limit, 100)`). */
export const DEFAULT_SYNC_LIMIT = 100;
/** AppSync's largest Sync page: "The maximum value for this field is 1000 items". */
export const MAX_SYNC_LIMIT = 1000;
/**
 * How far before the moment a sync starts its `startedAt` is put. A write stamps `_lastChangedAt` and then
 * commits: one stamped just before the sync started may commit after the sync's read, unseen by it, and the
 * client's next delta sync (from `startedAt`) must still find it. Items changed within the margin are answered
 * again by the next delta sync: harmless, where a gap would last until the next full sync.
 */
export const IN_FLIGHT_WRITE_MARGIN_MS = 1000;
/**
 * Items a base page's later table calls read (the first reads `limit`: without a filter that is the page). A
 * delta page reads the whole table in calls of up to DELTA_READ_CHUNK items (the engine also ends each call
 * at 1 MB of items): fewer calls, fewer turns of the event loop between them.
 */
const BASE_READ_CHUNK = 1000;
const DELTA_READ_CHUNK = 10_000;
/**
 * Items one page may read before it is answered short (with a token): a filter that matches little of a
 * large table costs bounded work per request.
 */
const MAX_READ_PER_PAGE = 50_000;

export interface SyncRequest {
  model: GraphQLPlanModel;
  access: OperationAccess;
  filter?: Record<string, unknown> | null;
  limit?: number | null;
  nextToken?: string | null;
  lastSync?: number | null;
}

/** What a sync's `nextToken` carries: the sync's start, its kind, and where the next page starts. */
interface SyncPosition {
  startedAt: number;
  /** Set for a delta sync: items changed at or after it. */
  since?: number;
  /** Base: the key of the last item answered. */
  after?: TableItem;
  /** Delta: the last item answered, as `[_lastChangedAt, its key's order string]`. */
  at?: [number, string];
}

const invalidToken = (): AppSyncFieldError => new AppSyncFieldError('InvalidNextTokenException', 'Invalid pagination token given.');

/**
 * `sync<Models>` as AppSync's versioned data sources answer it: a **base** sync (every item, tombstones
 * included) when `lastSync` is absent, 0 or older than the tombstones' lifetime; otherwise a **delta** sync:
 * the items changed at or after `lastSync`, tombstones included, oldest change first. Unlike AppSync, the
 * delta is read from the model's own table (one row per item, its latest state) for any `lastSync` the
 * tombstones still cover, not only the last 30 minutes. `startedAt` is taken before the first read and carried
 * in `nextToken`, so every page of one sync answers the same. Pages hold `limit` items that match (the
 * client's filter and the caller's owner or group rules) whatever the table holds between them.
 */
export async function syncItems(ctx: ExecutionContext, request: SyncRequest): Promise<Connection> {
  const { model } = request;
  checkFilterSize(request.filter, ctx.limits);
  const limit = request.limit ?? DEFAULT_SYNC_LIMIT;
  if (!Number.isInteger(limit) || limit < 1 || limit > MAX_SYNC_LIMIT)
    throw new AppSyncFieldError('ValidationError', `limit must be an integer from 1 to ${MAX_SYNC_LIMIT} (the largest sync page); it was ${limit}.`);
  const lastSync = request.lastSync ?? null;
  if (lastSync !== null && (!Number.isSafeInteger(lastSync) || lastSync < 0))
    throw new AppSyncFieldError('ValidationError', `lastSync must be the startedAt of an earlier sync (epoch milliseconds); it was ${lastSync}.`);
  const now = ctx.clock?.() ?? Date.now();
  const scope = `${ctx.apiId}/${model.name}/sync`;
  const position = request.nextToken ? readPosition(ctx.nextTokens.open(request.nextToken, scope), keyAttributes(model)) : startPosition(lastSync, now);

  const keyFields = [model.primaryKey.partitionField, ...model.primaryKey.sortKeyFields];
  const readableIn = checkFieldUse({ caller: ctx.caller, model, fields: [...filterFields(request.filter), ...keyFields] });
  const b = new ExpressionBuilder('s');
  const readableWhen = readableIn(b);
  const parts = [
    b.filter(request.filter ?? undefined, readableWhen),
    ...keyFields.map(readableWhen),
    request.access.kind === 'items' ? authFilterText(b, ctx.caller, model, request.access.rules) : undefined,
    liveItemCondition(b, now),
  ];
  // A delta's condition on the change time, first in the chain (the store also tests it before reading).
  const from = position.at ? position.at[0] : position.since;
  if (from !== undefined) parts.unshift(`${b.name('_lastChangedAt')} >= ${b.value(from)}`);
  const filter = b.expression(parts.filter((p): p is string => p !== undefined).join(' AND '));
  const table = ctx.tableNames[model.name]!;
  const keyNames = [model.primaryKey.partitionField, sortAttribute(model.primaryKey)].filter((n): n is string => n !== undefined);
  const page =
    position.since === undefined
      ? await basePage(ctx, table, keyNames, filter, limit, position.after)
      : await deltaPage(ctx, { keyNames, table, filter, limit, from: from!, at: position.at });
  const next: SyncPosition | undefined = page.more ? { ...position, ...page.more } : undefined;
  return {
    items: page.items.map(fromItem),
    nextToken: next ? ctx.nextTokens.seal(next, scope) : null,
    startedAt: position.startedAt,
    totalCount: () => Promise.reject(new AppSyncFieldError('ValidationError', 'totalCount is not answered by sync queries.')),
  };
}

/** A new sync: delta when `lastSync` is one the tombstones still cover, base otherwise. */
function startPosition(lastSync: number | null, now: number): SyncPosition {
  const startedAt = Date.now() - IN_FLIGHT_WRITE_MARGIN_MS;
  const delta = lastSync !== null && lastSync !== 0 && lastSync >= now - BASE_TABLE_TTL_MS;
  return delta ? { startedAt, since: lastSync } : { startedAt };
}

function readPosition(value: unknown, keyNames: readonly string[]): SyncPosition {
  if (typeof value !== 'object' || value === null) throw invalidToken();
  const { startedAt, since, after, at } = value as Record<string, unknown>;
  if (!Number.isSafeInteger(startedAt)) throw invalidToken();
  const position: SyncPosition = { startedAt: startedAt as number };
  if (since !== undefined) {
    if (!Number.isSafeInteger(since)) throw invalidToken();
    position.since = since as number;
  }
  if (after !== undefined) position.after = checkedKey(after, keyNames, invalidToken);
  if (at !== undefined) {
    if (!Array.isArray(at) || at.length !== 2 || !Number.isFinite(at[0]) || typeof at[1] !== 'string') throw invalidToken();
    position.at = [at[0] as number, at[1]];
  }
  if ((position.since === undefined) === (position.at !== undefined)) throw invalidToken();
  return position;
}

interface SyncPage {
  items: TableItem[];
  /** Where the next page starts; absent on the last page. */
  more?: Pick<SyncPosition, 'after' | 'at'>;
}

/** A base page: the table in key order from `after`, read on until `limit` items match. */
async function basePage(
  ctx: ExecutionContext,
  table: string,
  keyNames: readonly string[],
  filter: ReturnType<ExpressionBuilder['expression']>,
  limit: number,
  after: TableItem | undefined,
): Promise<SyncPage> {
  const items: TableItem[] = [];
  let start = after;
  for (let read = 0, chunk = limit; ; read += chunk, chunk = BASE_READ_CHUNK) {
    const page = await ctx.tables.scan({ table, filter, limit: chunk, ...(start ? { exclusiveStartKey: start } : {}) });
    const room = limit - items.length;
    items.push(...page.items.slice(0, room));
    start = page.lastEvaluatedKey;
    // Full: the next page starts after the last item answered (read past it or not).
    if (items.length === limit && (start || page.items.length > room)) return { items, more: { after: keyOf(items.at(-1)!, keyNames) } };
    if (!start) return { items };
    // Past the page's read bound, a short page: its token starts after the last item read.
    if (read + chunk >= MAX_READ_PER_PAGE) return { items, more: { after: start } };
  }
}

const keyOf = (item: TableItem, keyNames: readonly string[]): TableItem =>
  Object.fromEntries(keyNames.filter((n) => item[n] !== undefined).map((n) => [n, item[n]!]));

/**
 * A delta page: of the items changed at or after the position, the `limit` oldest changes (ties in key order).
 * The table is read in key order, so the whole table is read for each page, keeping only the oldest `limit`.
 */
async function deltaPage(
  ctx: ExecutionContext,
  read: {
    keyNames: readonly string[];
    table: string;
    filter: ReturnType<ExpressionBuilder['expression']>;
    limit: number;
    /** The oldest change the page may answer. */
    from: number;
    at: [number, string] | undefined;
  },
): Promise<SyncPage> {
  const { keyNames, table, filter, limit, at } = read;
  const orderOf = (item: TableItem): [number, string] => [
    Number((item._lastChangedAt as { N?: string } | undefined)?.N ?? 0),
    JSON.stringify(keyNames.map((n) => item[n] ?? null)),
  ];
  const before = (x: [number, string], y: [number, string]): boolean => x[0] < y[0] || (x[0] === y[0] && x[1] < y[1]);
  let kept: Array<{ item: TableItem; order: [number, string] }> = [];
  let matching = 0;
  const trim = (): void => {
    kept.sort((x, y) => (before(x.order, y.order) ? -1 : before(y.order, x.order) ? 1 : 0));
    kept = kept.slice(0, limit);
  };
  let start: TableItem | undefined;
  do {
    // The store skips unchanged items before reading them (numberAtLeast); the filter tests the same again.
    const page = await ctx.tables.scan({
      table,
      filter,
      limit: DELTA_READ_CHUNK,
      numberAtLeast: { attribute: '_lastChangedAt', value: read.from },
      ...(start ? { exclusiveStartKey: start } : {}),
    });
    for (const item of page.items) {
      const order = orderOf(item);
      if (at && !before(at, order)) continue;
      matching += 1;
      kept.push({ item, order });
    }
    if (kept.length > 2 * limit) trim();
    start = page.lastEvaluatedKey;
    // Yields between chunks so that a long delta never holds the event loop.
    await new Promise((resolve) => setImmediate(resolve));
  } while (start);
  trim();
  const last = kept.at(-1);
  return { items: kept.map((k) => k.item), ...(matching > limit && last ? { more: { at: last.order } } : {}) };
}
