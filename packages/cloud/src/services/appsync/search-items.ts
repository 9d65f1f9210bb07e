import { performance } from 'node:perf_hooks';
import type { GraphQLPlanModel } from '@forte/protocol';
import type { OperationAccess } from './auth-rules.js';
import { fieldRulesAllow, itemRuleAllows } from './auth-rules.js';
import type { ExecutionContext } from './execution-context.js';
import { AppSyncFieldError } from './field-error.js';
import { checkFieldUse, filterFields } from './field-visibility.js';
import { fromItem } from './item-values.js';
import { createAggregation, type AggregateResult, type AggregationRequest } from './search-aggregates.js';
import { checkFilterSize } from './filter-limits.js';
import { YIELD_AFTER_MS } from './request-budget.js';
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
  for (const field of [primaryKey.partitionField, ...primaryKey.sortKeyFields])
    if (!keys.some((k) => k.field === field)) keys.push({ field, descending: true });
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
 * Reads every item of the model's table in pages, refusing past MAX_SEARCH_SCAN items, and hands `visit` each
 * one the caller may read that `matches`. Owner and dynamic group rules filter, as Amplify's `authFilter`
 * does: other items are never seen, not in items, total or aggregates. Fields under field-level rules that
 * the caller may not read are left out of the view, so no filter, multiMatch or sort can probe them.
 */
async function forEachMatch(ctx: ExecutionContext, request: SearchRequest, matches: (view: Item) => boolean, visit: (match: Candidate) => void): Promise<void> {
  const { model, access } = request;
  const table = ctx.tableNames[model.name]!;
  const guarded = Object.keys(model.fieldAuthRules);
  let scanned = 0;
  let since = performance.now();
  let exclusiveStartKey;
  do {
    const page = await ctx.tables.scan({ table, limit: SCAN_PAGE, ...(exclusiveStartKey ? { exclusiveStartKey } : {}) });
    scanned += page.scannedCount;
    if (scanned > MAX_SEARCH_SCAN) {
      throw new AppSyncFieldError('LimitExceededException', `${model.name} holds more than ${MAX_SEARCH_SCAN} items, more than this cloud searches per query.`);
    }
    // Each page is filtered, sorted into the window and aggregated as it is read, and other requests get
    // their turn every YIELD_AFTER_MS within a page too: many aggregations make each item costly.
    for (let i = 0; i < page.items.length; i++) {
      // Every 8th item: one item's regexp filter may take some 20 ms on its own (three repetitions of variable length).
      if (i % 8 === 7 && performance.now() - since > YIELD_AFTER_MS) {
        await new Promise((resolve) => setImmediate(resolve));
        since = performance.now();
      }
      const raw = page.items[i]!;
      const item = fromItem(raw);
      if (access.kind === 'items' && !access.rules.some((r) => itemRuleAllows(ctx.caller, r, item))) continue;
      const hidden = guarded.filter((field) => field in item && !fieldRulesAllow(ctx.caller, model, field, item, 'search'));
      const view = hidden.length === 0 ? item : Object.fromEntries(Object.entries(item).filter(([field]) => !hidden.includes(field)));
      if (matches(view)) visit({ item, view });
    }
    exclusiveStartKey = page.lastEvaluatedKey;
  } while (exclusiveStartKey);
}

interface Ranked {
  item: Item;
  values: SortValue[];
  /** The order it was read in: equal sort values keep it, as a stable sort of every match would. */
  seq: number;
}

/**
 * The first `size` matches in sort order, kept while the matches stream by. A match that sorts after the
 * last kept one is dropped at once; the others wait in a batch of at most a page, which is sorted and merged
 * into the kept ones. Sorting every match at the end held the event loop for most of a search's time, and
 * sorting the whole window at each step for 100 ms at `from + limit` = 10 000: each step here sorts one
 * batch and merges in linear time.
 */
function createWindow(keys: SortKey[], size: number): { add(entry: Ranked): void; sorted(): Ranked[] } {
  let kept: Ranked[] = [];
  let batch: Ranked[] = [];
  const order = (a: Ranked, b: Ranked): number => compareTuples(keys, a.values, b.values) || a.seq - b.seq;
  const merge = (): void => {
    batch.sort(order);
    const merged: Ranked[] = [];
    let i = 0;
    let j = 0;
    while (merged.length < size && (i < kept.length || j < batch.length)) {
      if (j >= batch.length || (i < kept.length && order(kept[i]!, batch[j]!) <= 0)) merged.push(kept[i++]!);
      else merged.push(batch[j++]!);
    }
    kept = merged;
    batch = [];
  };
  return {
    add(entry) {
      if (size === 0) return;
      if (kept.length === size && order(entry, kept[size - 1]!) > 0) return;
      batch.push(entry);
      if (batch.length >= SCAN_PAGE) merge();
    },
    sorted() {
      if (batch.length > 0) merge();
      return kept;
    },
  };
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
  if (after && from > 0)
    throw new AppSyncFieldError('ValidationError', '`from` must be 0 when `nextToken` is given (a token already says where the page starts).');
  if (from + limit > MAX_RESULT_WINDOW) {
    throw new AppSyncFieldError(
      'ValidationError',
      `Result window is too large: from + limit must be at most ${MAX_RESULT_WINDOW}; page with nextToken instead.`,
    );
  }
  const aggregation = createAggregation(ctx.caller, request.model, request.aggregates ?? []);
  const window = createWindow(keys, from + limit);
  let total = 0;
  // Matches past the token (every match without one): the page is the window past `from`, and more follow
  // when the page ends before them.
  let following = 0;
  await forEachMatch(ctx, request, predicate, ({ item, view }) => {
    total++;
    aggregation.add(view);
    const values = keys.map((k) => sortValue(view, k));
    if (after && compareTuples(keys, values, after) <= 0) return;
    window.add({ item, values, seq: following++ });
  });
  const page = window.sorted().slice(from, from + limit);
  const more = from + page.length < following;
  return {
    items: page.map((e) => e.item),
    nextToken: more && page.length > 0 ? encodeToken(page[page.length - 1]!.values) : null,
    total,
    aggregateItems: await aggregation.results(),
  };
}
