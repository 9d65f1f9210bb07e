import type { GraphQLPlanModel } from '@forte/protocol';
import { operationAccess } from './auth-rules.js';
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

type Item = Record<string, unknown>;

/**
 * Refuses an aggregation over a field whose field-level rules give the caller no access at all, with
 * Amplify's message. Where the rules depend on the item, the views already lack the values the caller
 * may not read.
 */
function checkFieldAccess(caller: Caller, model: GraphQLPlanModel, field: string): void {
  const rules = model.fieldAuthRules[field];
  if (!rules) return;
  let kind;
  try {
    kind = operationAccess(caller, rules, 'search').kind;
  } catch {
    kind = 'none';
  }
  if (kind === 'none') throw new AppSyncFieldError('Unauthorized', `Unauthorized to run aggregation on field: ${field}`);
}

/** A value as a metric aggregation reads it: numbers, and dates (AWSDate, AWSDateTime) as epoch milliseconds. */
function metricValue(model: GraphQLPlanModel, field: string, value: unknown): number {
  if (typeof value === 'number') return value;
  const type = model.fields.find((f) => f.name === field)?.type;
  if (typeof value === 'string' && (type === 'AWSDate' || type === 'AWSDateTime')) {
    const ms = Date.parse(value);
    if (Number.isFinite(ms)) return ms;
  }
  throw new AppSyncFieldError('ValidationError', `Field [${field}] of type [${type ?? typeof value}] is not supported for this aggregation: use a number or date field.`);
}

/**
 * Aggregations over every match (not one page; `views` hold only what the caller may read), as OpenSearch
 * computes them: terms (top TERMS_SIZE keys by doc_count, then key; strings by their keyword, booleans as
 * 1/0), avg, min, max and sum over numbers and dates (null for avg, min and max of no values), and
 * cardinality (distinct values).
 */
export function aggregate(caller: Caller, model: GraphQLPlanModel, views: Item[], requests: readonly AggregationRequest[]): AggregateResult[] {
  const names = new Set<string>();
  for (const r of requests) {
    if (names.has(r.name)) throw new AppSyncFieldError('ValidationError', `Two aggregations cannot have the same name: [${r.name}].`);
    names.add(r.name);
  }
  return requests.map((request) => {
    checkFieldAccess(caller, model, request.field);
    const perItem = views.map((item) => fieldValues(item, request.field));
    if (request.type === 'terms' || request.type === 'cardinality') {
      const counts = new Map<string, { key: string | number; count: number }>();
      for (const values of perItem) {
        const seen = new Set<string>();
        for (const value of values) {
          const k = keywordOf(value);
          if (k === undefined) continue;
          const key = typeof k === 'boolean' ? Number(k) : k;
          const id = `${typeof key}:${String(key)}`;
          if (seen.has(id)) continue;
          seen.add(id);
          const entry = counts.get(id) ?? { key, count: 0 };
          entry.count++;
          counts.set(id, entry);
        }
      }
      if (request.type === 'cardinality') return { name: request.name, result: { __typename: 'SearchableAggregateScalarResult', value: counts.size } };
      const buckets = [...counts.values()]
        .sort((a, b) => b.count - a.count || compareScalars(a.key, b.key))
        .slice(0, TERMS_SIZE)
        .map((e) => ({ key: String(e.key), doc_count: e.count }));
      return { name: request.name, result: { __typename: 'SearchableAggregateBucketResult', buckets } };
    }
    const numbers = perItem.flat().map((v) => metricValue(model, request.field, v));
    let value: number | null;
    switch (request.type) {
      case 'sum':
        value = numbers.reduce((s, n) => s + n, 0);
        break;
      case 'avg':
        value = numbers.length === 0 ? null : numbers.reduce((s, n) => s + n, 0) / numbers.length;
        break;
      case 'min':
        value = numbers.length === 0 ? null : numbers.reduce((m, n) => Math.min(m, n));
        break;
      case 'max':
        value = numbers.length === 0 ? null : numbers.reduce((m, n) => Math.max(m, n));
        break;
    }
    return { name: request.name, result: value === null ? null : { __typename: 'SearchableAggregateScalarResult', value } };
  });
}
