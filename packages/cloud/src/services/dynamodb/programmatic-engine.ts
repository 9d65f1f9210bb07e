import type { TableEngine, TableExpression, TableItem, TableWriteOptions } from '../../kernel/types.js';
import { normalizeItem } from './attribute-values.js';
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
  function readRequest(input: Parameters<TableEngine['scan']>[0]): ReadRequest {
    const request: ReadRequest = { table: input.table };
    if (input.index !== undefined) request.index = input.index;
    if (input.filter) request.filter = condition('FilterExpression')(input.filter);
    if (input.projection) request.projection = projection(input.projection);
    if (input.limit !== undefined) request.limit = input.limit;
    if (input.exclusiveStartKey) request.exclusiveStartKey = normalizeItem(input.exclusiveStartKey);
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
          keyCondition: condition('KeyConditionExpression')(input.keyCondition),
          forward: input.scanIndexForward ?? true,
        }),
      ),
    scan: async (input) => page(await items.scan(readRequest(input))),
    async count(input) {
      const request: ReadRequest = { table: input.table, countOnly: true, unpaged: true };
      if (input.index !== undefined) request.index = input.index;
      if (input.filter) request.filter = condition('FilterExpression')(input.filter);
      if (input.keyCondition) request.keyCondition = condition('KeyConditionExpression')(input.keyCondition);
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
