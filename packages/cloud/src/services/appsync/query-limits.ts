import {
  Kind,
  Lexer,
  parse,
  Source,
  specifiedRules,
  TokenKind,
  validate,
  type DocumentNode,
  type FragmentDefinitionNode,
  type GraphQLError,
  type GraphQLSchema,
  type SelectionSetNode,
} from 'graphql';
import type { GraphQLLimits } from './graphql-limits.js';
import { jsonDepthOver } from '../../kernel/json-depth.js';

/** Default largest query text accepted, in bytes (AppSync documents a 1 MB request; a query over this is abuse). */
export const MAX_QUERY_BYTES = 100 * 1024;
/** Default deepest field nesting accepted (a field inside a field inside … counts each level). */
export const MAX_QUERY_DEPTH = 15;

/**
 * Every GraphQL request limit at its default. The document limits are checked before graphql-js validates
 * the document: its OverlappingFieldsCanBeMerged rule compares every pair of selections that share a
 * response name, so its work grows with the square of the repeats; `maxQueryFields` × `maxFieldRepeats`
 * bounds those comparisons (125 000 at the defaults); validating the largest document the defaults accept
 * took 70–150 ms on a busy 2-core machine, a 3 200-field codegen statement 65 ms. The execution limits are
 * a budget per request and per subscription event's render. aws-amplify's codegen statements fit: at its
 * default depth 2 a statement of a model with 45 fields and five relations has about 100 fields; statements
 * deep enough to pass 5 000 fields (depth 9 and more of such a schema) are over 100 KB, refused by size first.
 */
export const DEFAULT_GRAPHQL_LIMITS: GraphQLLimits = {
  maxQueryBytes: MAX_QUERY_BYTES,
  maxQueryDepth: MAX_QUERY_DEPTH,
  maxQueryTokens: 15_000,
  maxQueryFields: 5_000,
  maxFieldRepeats: 25,
  maxResolverCalls: 1_000,
  maxItemsRead: 100_000,
  maxResultFields: 200_000,
  maxFilterTerms: 500,
  maxFilterDepth: 16,
  // AppSync's default quota (adjustable there): DataStore's three subscriptions a model fit 33 models.
  maxSubscriptionsPerConnection: 100,
};

/** Every limit, each from `limits` when given there, else its default. */
export function graphqlLimitsWithDefaults(limits: Partial<GraphQLLimits> | undefined): GraphQLLimits {
  return { ...DEFAULT_GRAPHQL_LIMITS, ...Object.fromEntries(Object.entries(limits ?? {}).filter(([, v]) => v !== undefined)) };
}

/**
 * Brackets (`{`, `[`, `(`) and variable values nested deeper than this are refused before they are parsed or
 * coerced: graphql-js parses and coerces recursively, and a document of nothing but `{a` would exhaust the
 * stack. Field nesting is bounded more tightly by `maxQueryDepth`; the rest leaves room for filters.
 */
export const nestingLimit = (limits: GraphQLLimits): number => limits.maxQueryDepth + 128;

/** A document or its variables exceed one of the limits; the message names the setting. */
export class QueryLimitError extends Error {
  override readonly name = 'QueryLimitError';
}

const setting = (name: keyof GraphQLLimits): string => `graphql.${name} of the cloud's config.json`;

/**
 * Parses a query after checking, in linear time, everything that would make parsing or validating it
 * expensive: its size, its tokens, its nesting, its field depth, and its field selections with fragments
 * expanded. Throws QueryLimitError naming the limit, or graphql's syntax error.
 */
export function parseWithinLimits(query: string, limits: GraphQLLimits): DocumentNode {
  if (Buffer.byteLength(query) > limits.maxQueryBytes)
    throw new QueryLimitError(`The query is larger than ${limits.maxQueryBytes} bytes (${setting('maxQueryBytes')}).`);
  countTokens(query, limits);
  const document = parse(query);
  if (queryDepth(document, limits.maxQueryDepth) > limits.maxQueryDepth)
    throw new QueryLimitError(`The query is nested deeper than ${limits.maxQueryDepth} levels (${setting('maxQueryDepth')}).`);
  checkFieldSelections(document, limits);
  return document;
}

/**
 * Most validation errors reported for one document (graphql-js 16's default). graphql 15 reports every one,
 * and each unknown field costs a "Did you mean" search over every field of its type: thousands of unknown
 * fields held the event loop for seconds. Validation stops at this many.
 */
export const MAX_VALIDATION_ERRORS = 100;

/** graphql's validation of a document that passed parseWithinLimits, stopping at MAX_VALIDATION_ERRORS errors. */
export function validateWithinLimits(schema: GraphQLSchema, document: DocumentNode): readonly GraphQLError[] {
  return validate(schema, document, specifiedRules, undefined, { maxErrors: MAX_VALIDATION_ERRORS });
}

function countTokens(query: string, limits: GraphQLLimits): void {
  const lexer = new Lexer(new Source(query));
  const maxNesting = nestingLimit(limits);
  let tokens = 0;
  let nesting = 0;
  for (let token = lexer.advance(); token.kind !== TokenKind.EOF; token = lexer.advance()) {
    if (++tokens > limits.maxQueryTokens) throw new QueryLimitError(`The query has more than ${limits.maxQueryTokens} tokens (${setting('maxQueryTokens')}).`);
    if (token.kind === TokenKind.BRACE_L || token.kind === TokenKind.BRACKET_L || token.kind === TokenKind.PAREN_L) {
      if (++nesting > maxNesting)
        throw new QueryLimitError(`The query nests brackets deeper than ${maxNesting} levels (${setting('maxQueryDepth')}, plus 128).`);
    } else if (token.kind === TokenKind.BRACE_R || token.kind === TokenKind.BRACKET_R || token.kind === TokenKind.PAREN_R) {
      nesting--;
    }
  }
}

/**
 * Counts field selections as execution would meet them: fragments expanded where they are spread, and the
 * selections that land on one place of the result (one response name under one parent, fragments merged)
 * counted together. Stops at the first limit passed, so it never does more than `maxQueryFields` steps of
 * fields (plus one per fragment spread met).
 */
function checkFieldSelections(document: DocumentNode, limits: GraphQLLimits): void {
  const fragments = new Map<string, FragmentDefinitionNode>();
  for (const d of document.definitions) if (d.kind === Kind.FRAGMENT_DEFINITION) fragments.set(d.name.value, d);
  let fields = 0;
  // Each entry: the selection sets merged at one place of the result, and how deep that place is.
  const places: Array<{ sets: SelectionSetNode[]; depth: number }> = [];
  for (const d of document.definitions) if (d.kind === Kind.OPERATION_DEFINITION) places.push({ sets: [d.selectionSet], depth: 0 });
  for (let place = places.pop(); place; place = places.pop()) {
    // A fragment cycle (refused by validation) is cut here: its fields would be deeper than any query may be.
    if (place.depth > limits.maxQueryDepth) continue;
    const repeats = new Map<string, number>();
    const children = new Map<string, SelectionSetNode[]>();
    const expanded = new Set<string>();
    const pending = [...place.sets];
    for (let set = pending.pop(); set; set = pending.pop()) {
      for (const selection of set.selections) {
        if (selection.kind === Kind.INLINE_FRAGMENT) {
          pending.push(selection.selectionSet);
        } else if (selection.kind === Kind.FRAGMENT_SPREAD) {
          const fragment = fragments.get(selection.name.value);
          if (fragment && !expanded.has(fragment.name.value)) {
            expanded.add(fragment.name.value);
            pending.push(fragment.selectionSet);
          }
        } else {
          if (++fields > limits.maxQueryFields) {
            throw new QueryLimitError(
              `The query selects more than ${limits.maxQueryFields} fields, counting a fragment's fields wherever it is spread (${setting('maxQueryFields')}).`,
            );
          }
          const key = selection.alias?.value ?? selection.name.value;
          const count = (repeats.get(key) ?? 0) + 1;
          if (count > limits.maxFieldRepeats)
            throw new QueryLimitError(`The query selects ${key} more than ${limits.maxFieldRepeats} times at one place (${setting('maxFieldRepeats')}).`);
          repeats.set(key, count);
          if (selection.selectionSet) {
            const merged = children.get(key);
            if (merged) merged.push(selection.selectionSet);
            else children.set(key, [selection.selectionSet]);
          }
        }
      }
    }
    for (const sets of children.values()) places.push({ sets, depth: place.depth + 1 });
  }
}

/**
 * Refuses, before JSON.parse, a request body nested deeper than its variables may be (the body's object and its
 * `variables` are one level more): parsing `[[[…` costs far more than its bytes (1 MB took some 200 ms).
 */
export function checkBodyNesting(text: string, limits: GraphQLLimits): void {
  const maxNesting = nestingLimit(limits);
  if (jsonDepthOver(text, maxNesting + 1))
    throw new QueryLimitError(
      `The request body is nested deeper than ${maxNesting + 1} levels: its variables may nest ${maxNesting} (${setting('maxQueryDepth')}, plus 128).`,
    );
}

/**
 * Refuses variables nested deeper than the documents may be (graphql-js coerces them recursively). Walks
 * them without recursion; every value of a parsed JSON body is visited at most once.
 */
export function checkVariablesNesting(variables: Record<string, unknown> | undefined, limits: GraphQLLimits): void {
  if (!variables) return;
  const maxNesting = nestingLimit(limits);
  const pending: Array<{ value: unknown; depth: number }> = [{ value: variables, depth: 1 }];
  for (let next = pending.pop(); next; next = pending.pop()) {
    if (typeof next.value !== 'object' || next.value === null) continue;
    if (next.depth > maxNesting)
      throw new QueryLimitError(`The variables are nested deeper than ${maxNesting} levels (${setting('maxQueryDepth')}, plus 128).`);
    for (const child of Object.values(next.value)) if (typeof child === 'object' && child !== null) pending.push({ value: child, depth: next.depth + 1 });
  }
}

/**
 * The deepest field nesting of any operation of the document, following fragment spreads. Each fragment's
 * depth is computed once, so a chain of fragments that each spread the next several times costs no more
 * than the document's size; a fragment cycle (which validation refuses) counts no further.
 */
export function queryDepth(document: DocumentNode, stopAbove: number = MAX_QUERY_DEPTH): number {
  const fragments = new Map<string, FragmentDefinitionNode>();
  for (const d of document.definitions) if (d.kind === Kind.FRAGMENT_DEFINITION) fragments.set(d.name.value, d);
  const fragmentDepths = new Map<string, number>();
  const depthOf = (set: SelectionSetNode | undefined): number => {
    if (!set) return 0;
    let max = 0;
    for (const selection of set.selections) {
      if (selection.kind === Kind.FIELD) {
        max = Math.max(max, selection.selectionSet ? 1 + depthOf(selection.selectionSet) : 1);
      } else if (selection.kind === Kind.INLINE_FRAGMENT) {
        max = Math.max(max, depthOf(selection.selectionSet));
      } else {
        const name = selection.name.value;
        let depth = fragmentDepths.get(name);
        if (depth === undefined) {
          fragmentDepths.set(name, 0); // while it is being measured: a cycle adds nothing
          depth = depthOf(fragments.get(name)?.selectionSet);
          fragmentDepths.set(name, depth);
        }
        max = Math.max(max, depth);
      }
      if (max > stopAbove) return max; // deep enough to refuse: stop walking
    }
    return max;
  };
  let deepest = 0;
  for (const d of document.definitions) if (d.kind === Kind.OPERATION_DEFINITION) deepest = Math.max(deepest, depthOf(d.selectionSet));
  return deepest;
}
