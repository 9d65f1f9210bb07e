import type { GraphQLPlanModel } from '@forte/protocol';
import { accessByRules } from './auth-rules.js';
import type { Caller } from './caller.js';
import { AppSyncFieldError } from './field-error.js';
import { compareScalars, fieldValues, keywordOf } from './search-filter.js';

/** One entry of `aggregates: [Searchable<Model>AggregationInput]`. */
export interface AggregationRequest {
  name: string;
  type: 'terms' | 'avg' | 'min' | 'max' | 'sum' | 'cardinality';
  field: string;
}

/** A `SearchableAggregateResult`; `result` carries `__typename` so the union resolves. */
export interface AggregateResult {
  name: string;
  result:
    | { __typename: 'SearchableAggregateScalarResult'; value: number }
    | { __typename: 'SearchableAggregateBucketResult'; buckets: Array<{ key: string; doc_count: number }> }
    | null;
}

/** OpenSearch's default `size` of a terms aggregation. */
export const TERMS_SIZE = 10;
/**
 * Most aggregations one search may ask for. Each costs work for every item read and may hold a key for each
 * of them (terms, cardinality); OpenSearch bounds buckets, not aggregations, but a search here reads the
 * whole table, so the count is bounded instead.
 */
export const MAX_SEARCH_AGGREGATIONS = 25;
/**
 * Most distinct values the terms and cardinality aggregations of one search may count, all fields together
 * (OpenSearch's `search.max_buckets` bounds its buckets alike). Each is held until the search answers, and
 * a Map of a million keys took 200 ms to grow at once.
 */
export const MAX_AGGREGATION_KEYS = 250_000;

type Item = Record<string, unknown>;

/**
 * Refuses an aggregation over a field whose field-level rules give the caller no access at all, with
 * Amplify's message. Where the rules depend on the item, the views already lack the values the caller
 * may not read.
 */
function checkFieldAccess(caller: Caller, model: GraphQLPlanModel, field: string): void {
  const rules = model.fieldAuthRules[field];
  if (!rules) return;
  if (accessByRules(caller, rules, 'search').kind === 'none') throw new AppSyncFieldError('Unauthorized', `Unauthorized to run aggregation on field: ${field}`);
}

/** A value as a metric aggregation reads it: numbers, and dates (AWSDate, AWSDateTime) as epoch milliseconds. */
function metricValue(model: GraphQLPlanModel, field: string, value: unknown): number {
  if (typeof value === 'number') return value;
  const type = model.fields.find((f) => f.name === field)?.type;
  if (typeof value === 'string' && (type === 'AWSDate' || type === 'AWSDateTime')) {
    const ms = Date.parse(value);
    if (Number.isFinite(ms)) return ms;
  }
  throw new AppSyncFieldError(
    'ValidationError',
    `Field [${field}] of type [${type ?? typeof value}] is not supported for this aggregation: use a number or date field.`,
  );
}

/** The running state of one aggregation: it takes each match's values as the match is read. */
interface Accumulator {
  add(values: unknown[]): void;
  result(): AggregateResult['result'];
}

interface KeyCount {
  key: string | number;
  count: number;
}

/**
 * The distinct keys of one field and how many matches hold each (each counted once per item; strings by
 * keyword, booleans as 1/0), shared by every terms and cardinality aggregation of that field. `onNewKey`
 * hears each key the first time it is met.
 */
function createKeyCounts(onNewKey: () => void): { add(values: unknown[]): void; counts: Map<string, KeyCount> } {
  const counts = new Map<string, KeyCount>();
  return {
    counts,
    add(values) {
      const seen = new Set<string>();
      for (const value of values) {
        const k = keywordOf(value);
        if (k === undefined) continue;
        const key = typeof k === 'boolean' ? Number(k) : k;
        const id = `${typeof key}:${String(key)}`;
        if (seen.has(id)) continue;
        seen.add(id);
        const entry = counts.get(id);
        if (entry) {
          entry.count++;
        } else {
          onNewKey();
          counts.set(id, { key, count: 1 });
        }
      }
    },
  };
}

/** terms: the top TERMS_SIZE keys by doc_count, then key; cardinality: how many distinct keys. */
function keyResult(type: 'terms' | 'cardinality', counts: Map<string, KeyCount>): AggregateResult['result'] {
  if (type === 'cardinality') return { __typename: 'SearchableAggregateScalarResult', value: counts.size };
  // The top TERMS_SIZE in one pass (a sort of every key held the event loop for as long as the search):
  // an entry goes after those it ties with, so the order is a stable sort's.
  const top: KeyCount[] = [];
  const before = (a: KeyCount, b: KeyCount): boolean => a.count > b.count || (a.count === b.count && compareScalars(a.key, b.key) < 0);
  for (const entry of counts.values()) {
    if (top.length === TERMS_SIZE && !before(entry, top[TERMS_SIZE - 1]!)) continue;
    let at = top.length;
    while (at > 0 && before(entry, top[at - 1]!)) at--;
    top.splice(at, 0, entry);
    if (top.length > TERMS_SIZE) top.pop();
  }
  return { __typename: 'SearchableAggregateBucketResult', buckets: top.map((e) => ({ key: String(e.key), doc_count: e.count })) };
}

/** avg, min, max and sum over numbers and dates, summed in the order the matches are read. */
function metricAccumulator(model: GraphQLPlanModel, request: AggregationRequest): Accumulator {
  let count = 0;
  let sum = 0;
  let min = Infinity;
  let max = -Infinity;
  return {
    add(values) {
      for (const raw of values) {
        const n = metricValue(model, request.field, raw);
        count++;
        sum += n;
        min = Math.min(min, n);
        max = Math.max(max, n);
      }
    },
    result() {
      let value: number | null;
      switch (request.type) {
        case 'sum':
          value = sum;
          break;
        case 'avg':
          value = count === 0 ? null : sum / count;
          break;
        case 'min':
          value = count === 0 ? null : min;
          break;
        default:
          value = count === 0 ? null : max;
      }
      return value === null ? null : { __typename: 'SearchableAggregateScalarResult', value };
    },
  };
}

/** Aggregations that take the matches one at a time, as the search reads them, and answer at the end. */
export interface Aggregation {
  /** One match (its view: only what the caller may read). */
  add(view: Item): void;
  /** The results, letting other requests in between aggregations (a terms result goes through every key). */
  results(): Promise<AggregateResult[]>;
}

/**
 * Aggregations over every match (not one page; views hold only what the caller may read), as OpenSearch
 * computes them: terms (top TERMS_SIZE keys by doc_count, then key; strings by their keyword, booleans as
 * 1/0), avg, min, max and sum over numbers and dates (null for avg, min and max of no values), and
 * cardinality (distinct values). The requests are checked before any match is read; each match is folded in
 * as it comes, so no step holds every match at once.
 */
export function createAggregation(caller: Caller, model: GraphQLPlanModel, requests: readonly AggregationRequest[]): Aggregation {
  if (requests.length > MAX_SEARCH_AGGREGATIONS)
    throw new AppSyncFieldError('ValidationError', `A search may ask for at most ${MAX_SEARCH_AGGREGATIONS} aggregations.`);
  const names = new Set<string>();
  for (const r of requests) {
    if (names.has(r.name)) throw new AppSyncFieldError('ValidationError', `Two aggregations cannot have the same name: [${r.name}].`);
    names.add(r.name);
  }
  for (const r of requests) checkFieldAccess(caller, model, r.field);
  let keys = 0;
  const onNewKey = (): void => {
    if (++keys > MAX_AGGREGATION_KEYS) {
      throw new AppSyncFieldError(
        'LimitExceededException',
        `The aggregations of this search meet more than ${MAX_AGGREGATION_KEYS} distinct values, more than this cloud counts per query.`,
      );
    }
  };
  const keyCounts = new Map<string, ReturnType<typeof createKeyCounts>>();
  const results: Array<() => AggregateResult['result']> = [];
  const metrics: Array<{ field: string; accumulator: Accumulator }> = [];
  for (const r of requests) {
    if (r.type === 'terms' || r.type === 'cardinality') {
      let counts = keyCounts.get(r.field);
      if (!counts) keyCounts.set(r.field, (counts = createKeyCounts(onNewKey)));
      const { type } = r;
      const shared = counts;
      results.push(() => keyResult(type, shared.counts));
    } else {
      const accumulator = metricAccumulator(model, r);
      metrics.push({ field: r.field, accumulator });
      results.push(() => accumulator.result());
    }
  }
  return {
    add(view) {
      for (const [field, counts] of keyCounts) counts.add(fieldValues(view, field));
      for (const m of metrics) m.accumulator.add(fieldValues(view, m.field));
    },
    async results() {
      const out: AggregateResult[] = [];
      for (let i = 0; i < requests.length; i++) {
        if (i > 0) await new Promise((resolve) => setImmediate(resolve));
        out.push({ name: requests[i]!.name, result: results[i]!() });
      }
      return out;
    },
  };
}
