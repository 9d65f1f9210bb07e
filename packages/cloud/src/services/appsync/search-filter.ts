import type { GraphQLPlanModel } from '@forte/protocol';
import { AppSyncFieldError } from './field-error.js';
import { compileRegexp, compileWildcard } from './search-patterns.js';
import { analyze } from './search-tokenizer.js';

type Item = Record<string, unknown>;
/** A compiled `Searchable<Model>FilterInput`. */
export type SearchPredicate = (item: Item) => boolean;

/**
 * OpenSearch's dynamic mapping indexes a string's `.keyword` only up to 256 characters (`ignore_above`):
 * longer strings never match an exact, wildcard or regexp filter, a sort or a terms bucket.
 */
export const KEYWORD_IGNORE_ABOVE = 256;

/** The values of a field, one per list element; null, missing and empty lists give none. */
export function fieldValues(item: Item, field: string): unknown[] {
  const value = item[field];
  if (value === undefined || value === null) return [];
  return (Array.isArray(value) ? value : [value]).filter((v) => v !== undefined && v !== null);
}

/** A value as its `.keyword` (strings up to the ignore_above length), or as itself (numbers, booleans). */
export function keywordOf(value: unknown): string | number | boolean | undefined {
  if (typeof value === 'string') return value.length <= KEYWORD_IGNORE_ABOVE ? value : undefined;
  if (typeof value === 'number' || typeof value === 'boolean') return value;
  return undefined;
}

/** Orders two scalars as OpenSearch does within one field: numbers numerically, strings by code unit. */
export function compareScalars(a: unknown, b: unknown): number {
  const numeric = (v: unknown): number | undefined =>
    typeof v === 'number'
      ? v
      : typeof v === 'boolean'
        ? Number(v)
        : typeof v === 'string' && v.trim() !== '' && Number.isFinite(Number(v))
          ? Number(v)
          : undefined;
  if (typeof a === 'number' || typeof b === 'number' || typeof a === 'boolean' || typeof b === 'boolean') {
    const x = numeric(a);
    const y = numeric(b);
    if (x !== undefined && y !== undefined) return x - y;
  }
  const x = String(a);
  const y = String(b);
  return x < y ? -1 : x > y ? 1 : 0;
}

const equals = (value: unknown, wanted: unknown): boolean => {
  if (typeof wanted === 'string') return keywordOf(value) === wanted;
  if (typeof wanted === 'number') return compareScalars(value, wanted) === 0 && (typeof value === 'number' || typeof value === 'string');
  return value === wanted;
};

/** The words of each value of a field (list elements stay apart, so a phrase never spans two). */
const analyzed = (item: Item, field: string): string[][] =>
  fieldValues(item, field)
    .filter((v) => typeof v === 'string')
    .map((v) => analyze(v as string));

const containsPhrase = (words: string[], phrase: string[], lastIsPrefix: boolean): boolean => {
  if (phrase.length === 0) return false;
  for (let start = 0; start + phrase.length <= words.length; start++) {
    let ok = true;
    for (let k = 0; k < phrase.length && ok; k++) {
      const word = words[start + k]!;
      ok = lastIsPrefix && k === phrase.length - 1 ? word.startsWith(phrase[k]!) : word === phrase[k];
    }
    if (ok) return true;
  }
  return false;
};

/** Fields a multiMatch searches: every string-valued scalar or enum field of the model. */
const textFields = (model: GraphQLPlanModel): string[] =>
  model.fields.filter((f) => f.kind === 'enum' || (f.kind === 'scalar' && !['Int', 'Float', 'Boolean', 'AWSTimestamp'].includes(f.type))).map((f) => f.name);

const RANGE_OPS: Record<string, (c: number) => boolean> = { gt: (c) => c > 0, gte: (c) => c >= 0, lt: (c) => c < 0, lte: (c) => c <= 0 };

function fieldPredicate(model: GraphQLPlanModel, field: string, ops: Record<string, unknown>): SearchPredicate[] {
  if (typeof ops !== 'object' || ops === null || Array.isArray(ops))
    throw new AppSyncFieldError('ValidationError', `The filter on ${field} must be an object of operators (eq, match, …).`);
  const out: SearchPredicate[] = [];
  const any =
    (test: (value: unknown) => boolean): SearchPredicate =>
    (item) =>
      fieldValues(item, field).some(test);
  const text = (op: string, value: unknown): string => {
    if (typeof value !== 'string') throw new AppSyncFieldError('ValidationError', `${op} on ${field} needs a string.`);
    return value;
  };
  for (const [op, value] of Object.entries(ops)) {
    if (value === undefined || value === null) continue;
    if (op in RANGE_OPS) {
      const holds = RANGE_OPS[op]!;
      out.push(any((v) => holds(compareScalars(v, value))));
      continue;
    }
    switch (op) {
      case 'eq':
        out.push(any((v) => equals(v, value)));
        break;
      case 'ne':
        out.push((item) => !fieldValues(item, field).some((v) => equals(v, value)));
        break;
      case 'range': {
        if (!Array.isArray(value) || value.length !== 2) throw new AppSyncFieldError('ValidationError', `range on ${field} needs two values [from, to].`);
        const [from, to] = value as unknown[];
        out.push(
          any((v) => (from === null || from === undefined || compareScalars(v, from) >= 0) && (to === null || to === undefined || compareScalars(v, to) <= 0)),
        );
        break;
      }
      case 'match': {
        if (typeof value !== 'string') {
          out.push(any((v) => compareScalars(v, value) === 0));
          break;
        }
        const words = new Set(analyze(value));
        out.push((item) => analyzed(item, field).some((ws) => ws.some((w) => words.has(w))));
        break;
      }
      case 'matchPhrase':
      case 'matchPhrasePrefix': {
        const phrase = analyze(text(op, value));
        out.push((item) => analyzed(item, field).some((ws) => containsPhrase(ws, phrase, op === 'matchPhrasePrefix')));
        break;
      }
      case 'multiMatch': {
        const words = new Set(analyze(text(op, value)));
        const fields = textFields(model);
        out.push((item) => fields.some((f) => analyzed(item, f).some((ws) => ws.some((w) => words.has(w)))));
        break;
      }
      case 'exists':
        out.push((item) => fieldValues(item, field).length > 0 === Boolean(value));
        break;
      case 'wildcard': {
        const matches = compileWildcard(text(op, value));
        out.push(
          any((v) => {
            const k = keywordOf(v);
            return typeof k === 'string' && matches(k);
          }),
        );
        break;
      }
      case 'regexp': {
        const pattern = compileRegexp(field, text(op, value));
        out.push(
          any((v) => {
            const k = keywordOf(v);
            return typeof k === 'string' && pattern.test(k);
          }),
        );
        break;
      }
      default:
        throw new AppSyncFieldError('ValidationError', `Unknown search filter operator ${op} on ${field}.`);
    }
  }
  return out;
}

const all =
  (predicates: SearchPredicate[]): SearchPredicate =>
  (item) =>
    predicates.every((p) => p(item));

/**
 * `$util.transform.toElasticsearchQueryDSL` evaluated directly: a `Searchable<Model>FilterInput` as a
 * predicate over items. Fields and operators are ANDed; `and` / `or` take lists, `not` one filter.
 * Invalid operators and unsafe regexps throw a ValidationError before any item is read.
 */
export function compileSearchFilter(model: GraphQLPlanModel, filter: Record<string, unknown> | null | undefined): SearchPredicate {
  if (!filter) return () => true;
  const parts: SearchPredicate[] = [];
  for (const [key, value] of Object.entries(filter)) {
    if (value === undefined || value === null) continue;
    if (key === 'and' || key === 'or') {
      const subs = (Array.isArray(value) ? value : [value]).map((v) => compileSearchFilter(model, v as Record<string, unknown>));
      parts.push(key === 'and' ? all(subs) : (item) => subs.some((p) => p(item)));
    } else if (key === 'not') {
      const inner = compileSearchFilter(model, value as Record<string, unknown>);
      parts.push((item) => !inner(item));
    } else {
      parts.push(...fieldPredicate(model, key, value as Record<string, unknown>));
    }
  }
  return all(parts);
}
