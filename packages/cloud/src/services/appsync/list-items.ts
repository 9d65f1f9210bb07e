import type { GraphQLPlanKey, GraphQLPlanModel } from '@forte/protocol';
import type { TableExpression, TableItem } from '../../kernel/types.js';
import { authFilterText } from './auth-filter.js';
import type { OperationAccess } from './auth-rules.js';
import type { ExecutionContext } from './execution-context.js';
import { ExpressionBuilder } from './expression-builder.js';
import { AppSyncFieldError } from './field-error.js';
import { checkFilterSize } from './filter-limits.js';
import { checkFieldUse, EVERY_ITEM, filterFields } from './field-visibility.js';
import { fromItem } from './item-values.js';
import { keyAttributes, sortAttribute } from './model-keys.js';
import { liveItemCondition } from './tombstones.js';

/** AppSync's default page size of list queries. */
export const DEFAULT_LIST_LIMIT = 100;

export interface ListRequest {
  model: GraphQLPlanModel;
  /** The key queried: the primary key, or an index's. */
  key: GraphQLPlanKey;
  indexName?: string;
  /** When set: a Query on the key; otherwise a Scan. */
  partitionValue?: unknown;
  /** The sort key condition (`{eq|le|lt|ge|gt|between|beginsWith}`, values composite objects for several fields). */
  sortCondition?: Record<string, unknown> | null;
  /** The caller's filter. */
  filter?: Record<string, unknown> | null;
  limit?: number | null;
  nextToken?: string | null;
  sortDirection?: 'ASC' | 'DESC' | null;
  access: OperationAccess;
  /**
   * The service's own lookup (a belongsTo by a non-primary key): its key and filter come from a stored item,
   * not from the caller, so field-level rules do not restrict them.
   */
  lookup?: boolean;
}

/** A `Model<X>Connection` as resolvers return it; `totalCount` is computed only when selected. */
export interface Connection {
  items: Array<Record<string, unknown>>;
  nextToken: string | null;
  totalCount: () => Promise<number>;
  startedAt?: number;
}

const compositeValue = (key: GraphQLPlanKey, value: unknown): unknown => {
  if (key.sortKeyFields.length < 2 || typeof value !== 'object' || value === null) return value;
  const parts: string[] = [];
  for (const field of key.sortKeyFields) {
    const part = (value as Record<string, unknown>)[field];
    if (part === undefined || part === null) break;
    parts.push(String(part));
  }
  return parts.join('#');
};

/** The key condition of a key query (partition equality and the sort key condition). */
function keyCondition(request: ListRequest): TableExpression {
  const b = new ExpressionBuilder('k');
  const parts = [`${b.name(request.key.partitionField)} = ${b.value(request.partitionValue)}`];
  const sort = sortAttribute(request.key);
  const condition = request.sortCondition;
  if (sort && condition) {
    const path = b.name(sort);
    const composite = request.key.sortKeyFields.length > 1;
    for (const [op, raw] of Object.entries(condition)) {
      if (raw === undefined || raw === null) continue;
      if (op === 'between') {
        if (!Array.isArray(raw) || raw.length !== 2) throw new AppSyncFieldError('ValidationError', 'between needs two values.');
        parts.push(`${path} BETWEEN ${b.value(compositeValue(request.key, raw[0]))} AND ${b.value(compositeValue(request.key, raw[1]))}`);
        continue;
      }
      const value = compositeValue(request.key, raw);
      const partial =
        composite &&
        typeof raw === 'object' &&
        Object.values(raw as object).filter((v) => v !== undefined && v !== null).length < request.key.sortKeyFields.length;
      if (op === 'beginsWith' || (op === 'eq' && partial)) parts.push(`begins_with(${path}, ${b.value(op === 'eq' ? `${String(value)}#` : value)})`);
      else if (op === 'eq') parts.push(`${path} = ${b.value(value)}`);
      else if (op === 'le' || op === 'lt' || op === 'ge' || op === 'gt')
        parts.push(`${path} ${{ le: '<=', lt: '<', ge: '>=', gt: '>' }[op]} ${b.value(value)}`);
      else throw new AppSyncFieldError('ValidationError', `Unknown key condition operator ${op}.`);
    }
  }
  return b.expression(parts.join(' AND '));
}

/** Runs a list, an index query or a hasMany field: one page, with filters, auth filter and an opaque token. */
export async function listItems(ctx: ExecutionContext, request: ListRequest): Promise<Connection> {
  const { model } = request;
  const table = ctx.tableNames[model.name]!;
  checkFilterSize(request.filter, ctx.limits);
  // The key's fields order the answer (and a key condition tests them) as much as a filter tests its fields:
  // both must be fields the caller may read, and items hidden from the caller never match on them.
  const keyFields = [request.key.partitionField, ...request.key.sortKeyFields];
  const readableIn = request.lookup ? () => EVERY_ITEM : checkFieldUse({ caller: ctx.caller, model, fields: [...filterFields(request.filter), ...keyFields] });
  const b = new ExpressionBuilder('f');
  const readableWhen = readableIn(b);
  const keyGuards = keyFields.map(readableWhen).filter((p): p is string => p !== undefined);
  const query = request.partitionValue !== undefined && request.partitionValue !== null;
  // A key query reads only items whose partition field holds the value asked for: an owner or group rule
  // on that field that the value satisfies lets the caller at every one of them (see authFilterText).
  const partition = query && typeof request.partitionValue === 'string' ? { field: request.key.partitionField, value: request.partitionValue } : undefined;
  const parts = [
    b.filter(request.filter ?? undefined, readableWhen),
    ...keyGuards,
    request.access.kind === 'items' ? authFilterText(b, ctx.caller, model, request.access.rules, partition) : undefined,
    // Expired tombstones are gone, whether or not the TTL sweep has deleted them yet.
    model.versioned ? liveItemCondition(b, ctx.clock?.() ?? Date.now()) : undefined,
  ].filter((p): p is string => p !== undefined);
  const filter = parts.length > 0 ? b.expression(parts.join(' AND ')) : undefined;
  const limit = request.limit ?? DEFAULT_LIST_LIMIT;
  if (!Number.isInteger(limit) || limit < 1) throw new AppSyncFieldError('ValidationError', 'limit must be a positive integer.');
  const tokenScope = `${ctx.apiId}/${model.name}/${request.indexName ?? ''}`;
  const exclusiveStartKey = ctx.nextTokens.decode(request.nextToken, keyAttributes(model), tokenScope);
  const keyCond = query ? keyCondition(request) : undefined;
  const base = {
    table,
    ...(request.indexName ? { index: request.indexName } : {}),
    ...(filter ? { filter } : {}),
    limit,
  };
  const read = (start: TableItem | undefined): Promise<TablePage> => {
    const from = { ...base, ...(start ? { exclusiveStartKey: start } : {}) };
    return keyCond ? ctx.tables.query({ ...from, keyCondition: keyCond, scanIndexForward: request.sortDirection !== 'DESC' }) : ctx.tables.scan(from);
  };
  // Items the caller may not see are read and dropped by the filter: when they are (the model's owner or
  // group rules, or a key field hidden on some items), pages count only the items answered.
  const hiding = keyGuards.length > 0 || request.access.kind === 'items';
  const page = hiding ? await visiblePage(read, limit, exclusiveStartKey, tokenKeyAttributes(model, request.key)) : await read(exclusiveStartKey);
  return {
    items: page.items.map(fromItem),
    nextToken: ctx.nextTokens.encode(page.lastEvaluatedKey, tokenScope),
    totalCount: () =>
      ctx.tables.count({
        table,
        ...(request.indexName ? { index: request.indexName } : {}),
        ...(keyCond ? { keyCondition: keyCond } : {}),
        ...(filter ? { filter } : {}),
      }),
  };
}

interface TablePage {
  items: TableItem[];
  lastEvaluatedKey?: TableItem;
}

/** The attributes a start key of this key's query holds: the table's key and the key read. */
function tokenKeyAttributes(model: GraphQLPlanModel, key: GraphQLPlanKey): string[] {
  const names = [model.primaryKey.partitionField, sortAttribute(model.primaryKey), key.partitionField, sortAttribute(key)];
  return [...new Set(names.filter((n): n is string => n !== undefined))];
}

/** Table pages one list page may read past hidden items: past them a short page is answered (see visiblePage). */
export const MAX_HIDDEN_READS = 10;

/**
 * A page when some items the key reads are hidden from the caller (another owner's, or one whose key field
 * the caller may not read): the table's own paging (`limit` items read, the last one read as the start of
 * the next page) would say how many hidden items a key condition matched and where they stand in the order,
 * so that another owner's value could be found by planting items on either side. So the page is `limit`
 * items the caller may see, read on past the hidden ones, and the next page starts after the last item
 * answered; a full page always answers a token, even when no more follow (as AppSync's last page may), so
 * neither the items nor the token depend on the hidden items. Reading on is bounded (`MAX_HIDDEN_READS` table
 * pages): past that the page is answered short, as AppSync's pages are, with a token (sealed, so it shows
 * nothing of the hidden item it starts after) — one caller's sparse items in a large table cost bounded work
 * per request instead of the request's whole budget.
 */
async function visiblePage(
  read: (start: TableItem | undefined) => Promise<TablePage>,
  limit: number,
  start: TableItem | undefined,
  keyAttributeNames: string[],
): Promise<TablePage> {
  const items: TableItem[] = [];
  let reads = 0;
  let next = start;
  do {
    const page = await read(next);
    reads += 1;
    items.push(...page.items);
    next = page.lastEvaluatedKey;
  } while (next && items.length < limit && reads < MAX_HIDDEN_READS);
  const answered = items.slice(0, limit);
  const last = answered[answered.length - 1];
  if (answered.length < limit && next) return { items: answered, lastEvaluatedKey: next };
  if (answered.length < limit || !last) return { items: answered };
  return { items: answered, lastEvaluatedKey: Object.fromEntries(keyAttributeNames.filter((n) => last[n] !== undefined).map((n) => [n, last[n]!])) };
}
