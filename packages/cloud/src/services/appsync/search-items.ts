import type { GraphQLPlanModel } from '@forte/protocol';
import type { OperationAccess } from './auth-rules.js';
import { fieldRulesAllow, itemRuleAllows } from './auth-rules.js';
import type { ExecutionContext } from './execution-context.js';
import { AppSyncFieldError } from './field-error.js';
import { checkFieldUse, filterFields } from './field-visibility.js';
import { fromItem } from './item-values.js';
import { aggregate, type AggregateResult, type AggregationRequest } from './search-aggregates.js';
import { checkFilterSize } from './filter-limits.js';
import { compareScalars, compileSearchFilter, fieldValues, keywordOf } from './search-filter.js';

/** The page size when `limit` is not given: Amplify's `DEFAULT_SEARCHABLE_PAGE_LIMIT`. */
export const DEFAULT_SEARCH_LIMIT = 100;
/** OpenSearch's `index.max_result_window`: `from + limit` may not exceed it. */
export const MAX_RESULT_WINDOW = 10_000;
/** Most items one search reads; a bigger table needs the indexed search (see README). */
export const MAX_SEARCH_SCAN = 100_000;
const SCAN_PAGE = 1000;

type Item = Record<string, unknown>;
type SortValue = string | number | null;

/** A `Searchable<Model>Connection` as the resolver answers it. */
export interface SearchConnection {
  items: Item[];
  nextToken: string | null;
  total: number;
  aggregateItems: AggregateResult[];
}

export interface SearchRequest {
  model: GraphQLPlanModel;
  access: OperationAccess;
  filter?: Record<string, unknown> | null;
  sort?: Array<{ field?: string | null; direction?: 'asc' | 'desc' | null }> | null;
  limit?: number | null;
  nextToken?: string | null;
  from?: number | null;
  aggregates?: AggregationRequest[] | null;
}

interface SortKey {
  field: string;
  descending: boolean;
}

/**
 * The sort of a search as Amplify's request template builds it: the requested fields (the primary key
 * when a field is left out, `desc` when a direction is), then every key field not yet listed, descending,
 * so that the order is total and a page token is exact.
 */
function sortKeys(request: SearchRequest): SortKey[] {
  const { primaryKey } = request.model;
  const keys: SortKey[] = (request.sort ?? []).map((s) => ({ field: s.field ?? primaryKey.partitionField, descending: (s.direction ?? 'desc') === 'desc' }));
  for (const field of [primaryKey.partitionField, ...primaryKey.sortKeyFields]) if (!keys.some((k) => k.field === field)) keys.push({ field, descending: true });
  return keys;
}

/** The sort value of one item for one key: multi-valued fields sort by their least (asc) or greatest (desc) value. */
function sortValue(item: Item, key: SortKey): SortValue {
  let best: SortValue = null;
  for (const raw of fieldValues(item, key.field)) {
    const k = keywordOf(raw);
    if (k === undefined) continue;
    const value = typeof k === 'boolean' ? Number(k) : k;
    if (best === null || (key.descending ? compareScalars(value, best) > 0 : compareScalars(value, best) < 0)) best = value;
  }
  return best;
}

/** Compares two sort tuples; missing values sort last in either direction, as OpenSearch's `_last`. */
function compareTuples(keys: SortKey[], a: SortValue[], b: SortValue[]): number {
  for (let i = 0; i < keys.length; i++) {
    const x = a[i] ?? null;
    const y = b[i] ?? null;
    if (x === null || y === null) {
      if (x !== y) return x === null ? 1 : -1;
      continue;
    }
    const c = compareScalars(x, y);
    if (c !== 0) return keys[i]!.descending ? -c : c;
  }
  return 0;
}

/** `nextToken`: base64 of the JSON of the last item's sort values (OpenSearch's `search_after`), as Amplify's. */
const encodeToken = (values: SortValue[]): string => Buffer.from(JSON.stringify(values), 'utf8').toString('base64');

function decodeToken(token: string | null | undefined, length: number): SortValue[] | undefined {
  if (token === null || token === undefined || token === '') return undefined;
  let parsed: unknown;
  try {
    parsed = JSON.parse(Buffer.from(token, 'base64').toString('utf8'));
  } catch {
    parsed = undefined;
  }
  if (!Array.isArray(parsed) || parsed.length !== length || !parsed.every((v) => v === null || typeof v === 'string' || typeof v === 'number')) {
    throw new AppSyncFieldError('InvalidNextTokenException', 'Invalid pagination token given (a search token only continues the same sort).');
  }
  return parsed as SortValue[];
}

const validCount = (name: string, value: number): number => {
  if (!Number.isInteger(value) || value < 0) throw new AppSyncFieldError('ValidationError', `${name} must be a non-negative integer.`);
  return value;
};

/** An item as the search sees it, and as it is answered (the field resolvers apply field-level rules to it). */
interface Candidate {
  item: Item;
  /** The item without the fields the caller may not read: filters, sorts and aggregations see only this. */
  view: Item;
}

/**
 * Every item of the model's table that the caller may read and `matches`, read in pages; refuses past MAX_SEARCH_SCAN
 * items. Owner and dynamic group rules filter, as Amplify's `authFilter` does: other items are never
 * seen, not in items, total or aggregates. Fields under field-level rules that the caller may not read
 * are left out of the view, so no filter, multiMatch or sort can probe them.
 */
async function candidates(ctx: ExecutionContext, request: SearchRequest, matches: (view: Item) => boolean): Promise<Candidate[]> {
  const { model, access } = request;
  const table = ctx.tableNames[model.name]!;
  const guarded = Object.keys(model.fieldAuthRules);
  const out: Candidate[] = [];
  let scanned = 0;
  let exclusiveStartKey;
  do {
    const page = await ctx.tables.scan({ table, limit: SCAN_PAGE, ...(exclusiveStartKey ? { exclusiveStartKey } : {}) });
    scanned += page.scannedCount;
    if (scanned > MAX_SEARCH_SCAN) {
      throw new AppSyncFieldError('LimitExceededException', `${model.name} holds more than ${MAX_SEARCH_SCAN} items, more than this cloud searches per query.`);
    }
    for (const raw of page.items) {
      const item = fromItem(raw);
      if (access.kind === 'items' && !access.rules.some((r) => itemRuleAllows(ctx.caller, r, item))) continue;
      const hidden = guarded.filter((field) => field in item && !fieldRulesAllow(ctx.caller, model, field, item, 'search'));
      const view = hidden.length === 0 ? item : Object.fromEntries(Object.entries(item).filter(([field]) => !hidden.includes(field)));
      // Filtered page by page: between pages the table calls let other requests in.
      if (matches(view)) out.push({ item, view });
    }
    exclusiveStartKey = page.lastEvaluatedKey;
  } while (exclusiveStartKey);
  return out;
}

/**
 * Runs `search<Models>`: filter, sort, `nextToken` (search_after) and `from`, `limit` (default 100, 0 for
 * aggregations alone), `total` and `aggregates` over every match the caller may read.
 */
export async function searchItems(ctx: ExecutionContext, request: SearchRequest): Promise<SearchConnection> {
  checkFilterSize(request.filter, ctx.limits);
  // A field the caller may never read is refused; one readable on some items is left out of the others' views.
  checkFieldUse({ caller: ctx.caller, model: request.model, fields: filterFields(request.filter) });
  const predicate = compileSearchFilter(request.model, request.filter);
  const limit = validCount('limit', request.limit ?? DEFAULT_SEARCH_LIMIT);
  const from = validCount('from', request.from ?? 0);
  const keys = sortKeys(request);
  const after = decodeToken(request.nextToken, keys.length);
  if (after && from > 0) throw new AppSyncFieldError('ValidationError', '`from` must be 0 when `nextToken` is given (a token already says where the page starts).');
  if (from + limit > MAX_RESULT_WINDOW) {
    throw new AppSyncFieldError('ValidationError', `Result window is too large: from + limit must be at most ${MAX_RESULT_WINDOW}; page with nextToken instead.`);
  }
  const matches = await candidates(ctx, request, predicate);
  const sorted = matches.map((c) => ({ item: c.item, values: keys.map((k) => sortValue(c.view, k)) })).sort((a, b) => compareTuples(keys, a.values, b.values));
  let start = after ? sorted.findIndex((e) => compareTuples(keys, e.values, after) > 0) : 0;
  if (start < 0) start = sorted.length;
  start += from;
  const page = sorted.slice(start, start + limit);
  const more = start + page.length < sorted.length;
  return {
    items: page.map((e) => e.item),
    nextToken: more && page.length > 0 ? encodeToken(page[page.length - 1]!.values) : null,
    total: matches.length,
    aggregateItems: aggregate(ctx.caller, request.model, matches.map((c) => c.view), request.aggregates ?? []),
  };
}
