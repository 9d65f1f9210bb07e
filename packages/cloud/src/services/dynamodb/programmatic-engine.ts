import type { TableEngine, TableExpression, TableItem, TableWriteOptions } from '../../kernel/types.js';
import { normalizeItem } from './attribute-values.js';
import type { Condition } from './expressions/ast.js';
import { ExpressionPlaceholders, parseCondition, parseProjection, parseUpdate } from './expressions/parser.js';
import type { ItemEngine, ReadRequest, WriteOptions } from './table-engine.js';
import { DYNAMODB_ERRORS } from './errors.js';

/** Parses one expression against its own placeholders, all of which must be used. */
function parsed<T>(expression: TableExpression, parse: (source: string, placeholders: ExpressionPlaceholders) => T): T {
  const placeholders = new ExpressionPlaceholders(expression.names, expression.values ? normalizeItem(expression.values) : undefined);
  const result = parse(expression.expression, placeholders);
  placeholders.assertAllUsed();
  return result;
}

const condition = (kind: string) => (e: TableExpression) => parsed(e, (source, p) => parseCondition(source, kind, p));

/**
 * Parsed read conditions remembered (the first remembered is dropped first), and the longest key remembered
 * (kind, text, names and values together): at most about 8 MB of keys, however large the values sent.
 */
const MAX_CACHED_CONDITIONS = 1000;
const MAX_CACHED_CONDITION_CHARACTERS = 8192;

/** Values a cache key tells apart exactly through JSON: strings, numbers, booleans and NULL. */
const plainValues = (values: TableItem | undefined): boolean => {
  if (!values) return true;
  for (const value of Object.values(values) as unknown[]) {
    // Anything else (malformed values too) takes the uncached path, which refuses what it must.
    if (typeof value !== 'object' || value === null) return false;
    const v = value as Record<string, unknown>;
    if (typeof v.S !== 'string' && typeof v.N !== 'string' && typeof v.BOOL !== 'boolean' && v.NULL !== true) return false;
    if (Object.keys(v).length !== 1) return false;
  }
  return true;
};

/**
 * The key conditions and filters of reads, parsed once per kind, expression text, names and values:
 * AppSync sends the same few (a list's key condition, an owner filter) again and again, and the parsed tree
 * depends on nothing else. Only expressions with plain values are remembered (their JSON tells them apart
 * exactly); trees are shared and never modified (evaluation and key ranges only read them); an expression
 * refused throws every time, as it is never remembered.
 */
function createReadConditionParser(): (kind: string) => (e: TableExpression) => Condition {
  const cache = new Map<string, Condition>();
  return (kind) => (e) => {
    if (e.expression.length > MAX_CACHED_CONDITION_CHARACTERS || !plainValues(e.values)) return condition(kind)(e);
    const key = `${kind}\0${e.expression}\0${e.names ? JSON.stringify(e.names) : ''}\0${e.values ? JSON.stringify(e.values) : ''}`;
    if (key.length > MAX_CACHED_CONDITION_CHARACTERS) return condition(kind)(e);
    const hit = cache.get(key);
    if (hit) return hit;
    const result = condition(kind)(e);
    if (cache.size >= MAX_CACHED_CONDITIONS) cache.delete(cache.keys().next().value!);
    cache.set(key, result);
    return result;
  };
}

const projection = (e: TableExpression) => parsed(e, parseProjection);

function writeOptions(input: TableWriteOptions): WriteOptions {
  const options: WriteOptions = {};
  if (input.condition) options.condition = condition('ConditionExpression')(input.condition);
  if (input.returnValues) options.returnValues = input.returnValues;
  if (input.returnItemOnConditionFailure) options.returnItemOnConditionFailure = true;
  return options;
}

const attributes = (item: TableItem | undefined): { attributes?: TableItem } => (item ? { attributes: item } : {});

/**
 * The kernel's TableEngine (for AppSync and other services): the same engine as the DynamoDB API, with
 * each expression carrying its own placeholders (AppSync's `expression` / `expressionNames` /
 * `expressionValues`). Items and keys are DynamoDB AttributeValue maps, normalised on the way in.
 */
export function createProgrammaticEngine(items: ItemEngine): TableEngine {
  const readCondition = createReadConditionParser();
  function readRequest(input: Parameters<TableEngine['scan']>[0]): ReadRequest {
    const request: ReadRequest = { table: input.table };
    if (input.index !== undefined) request.index = input.index;
    if (input.filter) request.filter = readCondition('FilterExpression')(input.filter);
    if (input.projection) request.projection = projection(input.projection);
    if (input.limit !== undefined) request.limit = input.limit;
    if (input.exclusiveStartKey) request.exclusiveStartKey = normalizeItem(input.exclusiveStartKey);
    if (input.numberAtLeast) request.numberAtLeast = input.numberAtLeast;
    return request;
  }
  const page = (result: Awaited<ReturnType<ItemEngine['query']>>) => ({
    items: result.items,
    scannedCount: result.scannedCount,
    ...(result.lastEvaluatedKey ? { lastEvaluatedKey: result.lastEvaluatedKey } : {}),
  });

  return {
    get: (input) => items.get(input.table, normalizeItem(input.key), input.projection ? projection(input.projection) : undefined),
    put: async (input) => attributes(await items.put(input.table, normalizeItem(input.item), writeOptions(input))),
    update: async (input) => attributes(await items.update(input.table, normalizeItem(input.key), parsed(input.update, parseUpdate), writeOptions(input))),
    delete: async (input) => attributes(await items.delete(input.table, normalizeItem(input.key), writeOptions(input))),
    query: async (input) =>
      page(
        await items.query({
          ...readRequest(input),
          keyCondition: readCondition('KeyConditionExpression')(input.keyCondition),
          forward: input.scanIndexForward ?? true,
        }),
      ),
    scan: async (input) => page(await items.scan(readRequest(input))),
    async count(input) {
      const request: ReadRequest = { table: input.table, countOnly: true, unpaged: true };
      if (input.index !== undefined) request.index = input.index;
      if (input.filter) request.filter = readCondition('FilterExpression')(input.filter);
      if (input.keyCondition) request.keyCondition = readCondition('KeyConditionExpression')(input.keyCondition);
      if (input.maxScanned !== undefined) request.limit = input.maxScanned;
      const result = input.keyCondition ? await items.query(request) : await items.scan(request);
      input.onScanned?.(result.scannedCount);
      // Stopped at the limit: the count would need more items than the caller may read.
      if (input.maxScanned !== undefined && result.lastEvaluatedKey)
        throw DYNAMODB_ERRORS.error('LimitExceededException', `Counting needs more than ${input.maxScanned} items read.`);
      return result.count;
    },
  };
}
