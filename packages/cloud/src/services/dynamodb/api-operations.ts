import { DYNAMODB_API_PATH } from '@forte/protocol';
import { defineOperation, type JsonOperation } from '../../kernel/json-api.js';
import type { TableItem } from '../../kernel/types.js';
import { checkTableName } from './table-definition.js';
import { capacityMode, createCapacityMeter } from './consumed-capacity.js';
import { validationError } from './errors.js';
import { itemSize } from './attribute-values.js';
import { mergeTags, parseTags } from './tags.js';
import { attributesOutput, optionalString, RequestExpressions, requiredItem, writeOptions, type Fields } from './request-fields.js';
import type { TableAdmin } from './table-admin.js';
import type { BatchWrite, ItemEngine, ReadRequest, TransactWrite } from './table-engine.js';
import type { TransactionTokens } from './transaction-tokens.js';

const MAX_BATCH_WRITES = 25;
const MAX_BATCH_GETS = 100;
const MAX_TRANSACTION_ITEMS = 100;
/** The items a TransactWriteItems puts may total at most 4 MB, as in DynamoDB. */
const MAX_TRANSACTION_BYTES = 4 * 1024 * 1024;

function record(value: unknown, what: string): Record<string, unknown> {
  if (typeof value !== 'object' || value === null || Array.isArray(value))
    throw validationError(`1 validation error detected: Value null at '${what}' failed to satisfy constraint: Member must not be null`);
  return value as Record<string, unknown>;
}

const notNull = (what: string): string => `Value null at '${what}' failed to satisfy constraint: Member must not be null`;

function list(value: unknown, what: string): unknown[] {
  if (!Array.isArray(value))
    throw validationError(`1 validation error detected: Value null at '${what}' failed to satisfy constraint: Member must not be null`);
  return value;
}

/** A meter for the request's ReturnConsumedCapacity (none for NONE), and how to answer what it counted. */
function capacity(input: Fields, options: { consistent?: (table: string) => boolean; factor?: number } = {}) {
  const mode = capacityMode(input.ReturnConsumedCapacity);
  return mode ? createCapacityMeter(mode, options) : undefined;
}

const consistentRead = (input: Fields) => () => input.ConsistentRead === true;

function positiveInteger(value: unknown, what: string): number | undefined {
  if (value === undefined || value === null) return undefined;
  if (typeof value !== 'number' || !Number.isInteger(value) || value < 1) {
    throw validationError(
      `1 validation error detected: Value '${String(value)}' at '${what}' failed to satisfy constraint: Member must have value greater than or equal to 1`,
    );
  }
  return value;
}

/**
 * The DynamoDB JSON API (`DynamoDB_20120810.*`): each operation checks its request like DynamoDB, parses
 * its expressions and calls the table engine or table admin. Calls are authorized per table ARN (and
 * index ARN for a Query or Scan of an index), so IAM policies naming tables apply.
 */
export function createDynamoDbOperations(deps: { items: ItemEngine; admin: TableAdmin; tokens: TransactionTokens }): Record<string, JsonOperation> {
  const { items, admin, tokens } = deps;
  const arn = (table: unknown): string => admin.tableArn(String(table));
  const tableResource = (input: Fields): string[] => [arn(input.TableName)];
  const readResource = (input: Fields): string[] => [
    input.IndexName === undefined ? arn(input.TableName) : `${arn(input.TableName)}/index/${String(input.IndexName)}`,
  ];

  async function read(input: Fields, query: boolean): Promise<unknown> {
    const expressions = new RequestExpressions(input);
    const request: ReadRequest = { table: checkTableName(input.TableName), checkFilterKeys: true };
    const consumed = capacity(input, { consistent: consistentRead(input) });
    if (consumed) request.meter = consumed.meter;
    const index = optionalString(input, 'IndexName');
    if (index !== undefined) request.index = index;
    if (index !== undefined && input.ConsistentRead === true) request.consistentIndexRead = true;
    if (query) {
      if (input.KeyConditionExpression === undefined)
        throw validationError('Either the KeyConditions or KeyConditionExpression parameter must be specified in the request.');
      request.keyCondition = expressions.condition(input, 'KeyConditionExpression');
      if (input.ScanIndexForward !== undefined) request.forward = input.ScanIndexForward !== false;
    }
    request.filter = expressions.condition(input, 'FilterExpression');
    request.projection = expressions.projection(input);
    expressions.done();
    request.limit = positiveInteger(input.Limit, 'limit');
    if (input.ExclusiveStartKey !== undefined) request.exclusiveStartKey = requiredItem(input, 'ExclusiveStartKey');
    const select = optionalString(input, 'Select');
    if (select !== undefined && !['ALL_ATTRIBUTES', 'ALL_PROJECTED_ATTRIBUTES', 'SPECIFIC_ATTRIBUTES', 'COUNT'].includes(select)) {
      throw validationError(
        `1 validation error detected: Value '${select}' at 'select' failed to satisfy constraint: Member must satisfy enum value set: [SPECIFIC_ATTRIBUTES, COUNT, ALL_ATTRIBUTES, ALL_PROJECTED_ATTRIBUTES]`,
      );
    }
    if (select === 'COUNT' && request.projection) throw validationError('Cannot specify the ProjectionExpression when choosing to get only the COUNT');
    request.countOnly = select === 'COUNT';
    if (!query && (input.Segment !== undefined || input.TotalSegments !== undefined)) {
      // A parallel scan: segment 0 reads the whole table and the others nothing, which is a valid split.
      const total = positiveInteger(input.TotalSegments, 'totalSegments');
      if (total !== undefined && total > 1_000_000)
        throw validationError(
          `1 validation error detected: Value '${total}' at 'totalSegments' failed to satisfy constraint: Member must have value less than or equal to 1000000`,
        );
      const segment = input.Segment;
      if (total === undefined || typeof segment !== 'number' || !Number.isInteger(segment) || segment < 0 || segment >= total) {
        throw validationError('The Segment parameter is required and must be less than TotalSegments in a parallel scan.');
      }
      if (segment > 0) {
        await items.requireTable(request.table);
        request.meter?.read(request.table, 0, request.index);
        return { Items: [], Count: 0, ScannedCount: 0, ...(consumed ? { ConsumedCapacity: consumed.one(request.table) } : {}) };
      }
    }
    const page = query ? await items.query(request) : await items.scan(request);
    return {
      ...(request.countOnly ? {} : { Items: page.items }),
      Count: page.count,
      ScannedCount: page.scannedCount,
      ...(page.lastEvaluatedKey ? { LastEvaluatedKey: page.lastEvaluatedKey } : {}),
      ...(consumed ? { ConsumedCapacity: consumed.one(request.table) } : {}),
    };
  }

  function transactWrite(element: unknown, at: number): TransactWrite {
    const fields = record(element, `transactItems.${at + 1}.member`);
    const kinds = ['Put', 'Update', 'Delete', 'ConditionCheck'].filter((k) => fields[k] !== undefined && fields[k] !== null);
    if (kinds.length !== 1) throw validationError('TransactItems can only contain one of Check, Put, Update or Delete');
    const kind = kinds[0] as TransactWrite['kind'];
    const body = record(fields[kind], kind);
    const expressions = new RequestExpressions(body);
    const table = checkTableName(body.TableName);
    const condition = expressions.condition(body, 'ConditionExpression');
    const onFailure = optionalString(body, 'ReturnValuesOnConditionCheckFailure') === 'ALL_OLD';
    const options = { ...(condition ? { condition } : {}), returnItemOnConditionFailure: onFailure };
    let op: TransactWrite;
    if (kind === 'Put') op = { kind, table, item: requiredItem(body, 'Item'), options };
    else if (kind === 'Delete') op = { kind, table, key: requiredItem(body, 'Key'), options };
    else if (kind === 'Update') {
      const actions = expressions.update(body);
      if (!actions)
        throw validationError("1 validation error detected: Value null at 'updateExpression' failed to satisfy constraint: Member must not be null");
      op = { kind, table, key: requiredItem(body, 'Key'), actions, options };
    } else {
      if (!condition)
        throw validationError("1 validation error detected: Value null at 'conditionExpression' failed to satisfy constraint: Member must not be null");
      op = { kind, table, key: requiredItem(body, 'Key'), options: { ...options, condition } };
    }
    expressions.done();
    return op;
  }

  const transactTables = (input: Fields): string[] =>
    (Array.isArray(input.TransactItems) ? input.TransactItems : []).map((element) => {
      const fields = (element ?? {}) as Record<string, { TableName?: unknown } | undefined>;
      const body = fields.Put ?? fields.Update ?? fields.Delete ?? fields.ConditionCheck ?? fields.Get;
      return arn(body?.TableName);
    });
  const requestTables = (input: Fields): string[] => Object.keys((input.RequestItems ?? {}) as object).map(arn);

  return {
    CreateTable: defineOperation({
      raw: true,
      resources: tableResource,
      handler: async (input) => {
        const tags = input.Tags === undefined || input.Tags === null ? undefined : mergeTags(undefined, parseTags(input.Tags));
        return { TableDescription: await admin.describe(await admin.create(input, tags)) };
      },
    }),
    UpdateTable: defineOperation({
      raw: true,
      resources: tableResource,
      handler: async (input) => {
        const name = checkTableName(input.TableName);
        const updates = input.GlobalSecondaryIndexUpdates;
        const changes = Object.keys(input).filter((k) => !['TableName', 'AttributeDefinitions', 'GlobalSecondaryIndexUpdates'].includes(k));
        if (changes.length === 0 && (!Array.isArray(updates) || updates.length === 0))
          throw validationError(
            'UpdateTable needs at least one change: ProvisionedThroughput, BillingMode, StreamSpecification, GlobalSecondaryIndexUpdates (not empty)...',
          );
        return { TableDescription: await admin.describe(await admin.update(name, input, { transitionsOnly: true })) };
      },
    }),
    DeleteTable: defineOperation({
      raw: true,
      resources: tableResource,
      handler: async (input) => {
        // A deleted table's description leaves out its creation time and key schema, as DynamoDB's does.
        const {
          CreationDateTime: _created,
          KeySchema: _key,
          AttributeDefinitions: _attributes,
          GlobalSecondaryIndexes: _global,
          LocalSecondaryIndexes: _local,
          ...description
        } = await admin.describe(await admin.delete(checkTableName(input.TableName)), 'DELETING');
        return { TableDescription: description };
      },
    }),
    DescribeTable: defineOperation({
      raw: true,
      resources: tableResource,
      handler: async (input) => ({ Table: await admin.describe(await items.requireTable(checkTableName(input.TableName))) }),
    }),
    ListTables: defineOperation({
      raw: true,
      handler: async (input) => {
        const limit = positiveInteger(input.Limit, 'limit') ?? 100;
        if (limit > 100)
          throw validationError(
            `1 validation error detected: Value '${limit}' at 'limit' failed to satisfy constraint: Member must have value less than or equal to 100`,
          );
        const names = await admin.names(optionalString(input, 'ExclusiveStartTableName'), limit + 1);
        const page = names.slice(0, limit);
        return { TableNames: page, ...(names.length > limit ? { LastEvaluatedTableName: page[page.length - 1] } : {}) };
      },
    }),
    DescribeTimeToLive: defineOperation({
      raw: true,
      resources: tableResource,
      handler: async (input) => {
        const table = await items.requireTable(checkTableName(input.TableName));
        return {
          TimeToLiveDescription: table.ttl?.Enabled
            ? { TimeToLiveStatus: 'ENABLED', AttributeName: table.ttl.AttributeName }
            : { TimeToLiveStatus: 'DISABLED' },
        };
      },
    }),
    UpdateTimeToLive: defineOperation({
      raw: true,
      resources: tableResource,
      handler: async (input) => {
        const table = checkTableName(input.TableName);
        const spec = record(input.TimeToLiveSpecification, 'timeToLiveSpecification');
        const problems: string[] = [];
        if (spec.AttributeName === undefined || spec.AttributeName === null) problems.push(notNull('timeToLiveSpecification.attributeName'));
        else if (typeof spec.AttributeName === 'string' && (spec.AttributeName.length < 1 || spec.AttributeName.length > 255))
          problems.push(
            `Value '${spec.AttributeName}' at 'timeToLiveSpecification.attributeName' failed to satisfy constraint: Member must have length ${
              spec.AttributeName.length < 1 ? 'greater than or equal to 1' : 'less than or equal to 255'
            }`,
          );
        if (spec.Enabled === undefined || spec.Enabled === null) problems.push(notNull('timeToLiveSpecification.enabled'));
        if (problems.length > 0) throw validationError(`${problems.length} validation error${problems.length > 1 ? 's' : ''} detected: ${problems.join('; ')}`);
        await admin.update(table, { TimeToLiveSpecification: spec }, { transitionsOnly: true });
        return { TimeToLiveSpecification: input.TimeToLiveSpecification };
      },
    }),

    TagResource: defineOperation({
      raw: true,
      resources: (input) => [String(input.ResourceArn)],
      handler: async (input) => {
        const added = parseTags(input.Tags);
        await admin.changeTags(input.ResourceArn, (tags) => mergeTags(tags, added));
        return {};
      },
    }),
    UntagResource: defineOperation({
      raw: true,
      resources: (input) => [String(input.ResourceArn)],
      handler: async (input) => {
        const keys = list(input.TagKeys, 'tagKeys');
        if (keys.length === 0 || keys.some((k) => typeof k !== 'string'))
          throw validationError('One or more parameter values were invalid: TagKeys must be a non-empty list of tag keys');
        await admin.changeTags(input.ResourceArn, (tags) => Object.fromEntries(Object.entries(tags).filter(([k]) => !keys.includes(k))));
        return {};
      },
    }),
    ListTagsOfResource: defineOperation({
      raw: true,
      resources: (input) => [String(input.ResourceArn)],
      handler: async (input) => ({ Tags: Object.entries(await admin.changeTags(input.ResourceArn)).map(([Key, Value]) => ({ Key, Value })) }),
    }),

    // The one endpoint this API answers on: the Host the caller used and the API's path.
    DescribeEndpoints: defineOperation({
      raw: true,
      handler: async (_input, { ctx }) => ({
        Endpoints: [{ Address: `${String(ctx.req.headers.host ?? '')}${DYNAMODB_API_PATH.replace(/\/$/, '')}`, CachePeriodInMinutes: 1440 }],
      }),
    }),

    PutItem: defineOperation({
      raw: true,
      resources: tableResource,
      handler: async (input) => {
        const expressions = new RequestExpressions(input);
        const options = writeOptions(input, expressions);
        expressions.done();
        const table = checkTableName(input.TableName);
        const consumed = capacity(input);
        if (consumed) options.meter = consumed.meter;
        const out = attributesOutput(await items.put(table, requiredItem(input, 'Item'), options));
        return consumed ? { ...out, ConsumedCapacity: consumed.one(table) } : out;
      },
    }),
    GetItem: defineOperation({
      raw: true,
      resources: tableResource,
      handler: async (input) => {
        const expressions = new RequestExpressions(input);
        const projection = expressions.projection(input);
        expressions.done();
        const table = checkTableName(input.TableName);
        const consumed = capacity(input, { consistent: consistentRead(input) });
        const item = await items.get(table, requiredItem(input, 'Key'), projection, consumed?.meter);
        const out = item ? { Item: item } : {};
        return consumed ? { ...out, ConsumedCapacity: consumed.one(table) } : out;
      },
    }),
    UpdateItem: defineOperation({
      raw: true,
      resources: tableResource,
      handler: async (input) => {
        const expressions = new RequestExpressions(input);
        const actions = expressions.update(input);
        const options = writeOptions(input, expressions);
        expressions.done();
        const key = requiredItem(input, 'Key');
        const table = checkTableName(input.TableName);
        const consumed = capacity(input);
        if (consumed) options.meter = consumed.meter;
        // Without an UpdateExpression, UpdateItem creates the item with just its key (when missing).
        const out = attributesOutput(await items.update(table, key, actions ?? { set: [], remove: [], add: [], delete: [] }, options));
        return consumed ? { ...out, ConsumedCapacity: consumed.one(table) } : out;
      },
    }),
    DeleteItem: defineOperation({
      raw: true,
      resources: tableResource,
      handler: async (input) => {
        const expressions = new RequestExpressions(input);
        const options = writeOptions(input, expressions);
        expressions.done();
        const table = checkTableName(input.TableName);
        const consumed = capacity(input);
        if (consumed) options.meter = consumed.meter;
        const out = attributesOutput(await items.delete(table, requiredItem(input, 'Key'), options));
        return consumed ? { ...out, ConsumedCapacity: consumed.one(table) } : out;
      },
    }),
    Query: defineOperation({ raw: true, resources: readResource, handler: (input) => read(input, true) }),
    Scan: defineOperation({ raw: true, resources: readResource, handler: (input) => read(input, false) }),

    BatchGetItem: defineOperation({
      raw: true,
      resources: requestTables,
      handler: async (input) => {
        const requests = record(input.RequestItems, 'requestItems');
        const consumed = capacity(input, { consistent: (table) => (requests[table] as Fields | undefined)?.ConsistentRead === true });
        let total = 0;
        const responses: Record<string, TableItem[]> = {};
        for (const [table, value] of Object.entries(requests)) {
          const fields = record(value, `requestItems.${table}.member`);
          const expressions = new RequestExpressions(fields);
          const projection = expressions.projection(fields);
          expressions.done();
          const keys = list(fields.Keys, `requestItems.${table}.member.keys`);
          total += keys.length;
          if (total > MAX_BATCH_GETS) throw validationError('Too many items requested for the BatchGetItem call');
          const seen = new Set<string>();
          const found: TableItem[] = [];
          for (const key of keys) {
            const normalized = requiredItem({ Key: key }, 'Key');
            const id = JSON.stringify(Object.entries(normalized).sort(([a], [b]) => (a < b ? -1 : 1)));
            if (seen.has(id)) throw validationError('Provided list of item keys contains duplicates');
            seen.add(id);
            const item = await items.get(table, normalized, projection, consumed?.meter);
            if (item) found.push(item);
          }
          responses[table] = found;
        }
        if (total === 0)
          throw validationError(
            "1 validation error detected: Value at 'requestItems' failed to satisfy constraint: Member must have length greater than or equal to 1",
          );
        return { Responses: responses, UnprocessedKeys: {}, ...(consumed ? { ConsumedCapacity: consumed.all() } : {}) };
      },
    }),
    BatchWriteItem: defineOperation({
      raw: true,
      resources: requestTables,
      handler: async (input) => {
        const requests = record(input.RequestItems, 'requestItems');
        const writes: BatchWrite[] = [];
        for (const [table, value] of Object.entries(requests)) {
          const elements = list(value, `requestItems.${table}.member`);
          if (elements.length === 0)
            throw validationError(
              `1 validation error detected: Value at 'requestItems' failed to satisfy constraint: Map value must satisfy constraint: [Member must have length less than or equal to ${MAX_BATCH_WRITES}, Member must have length greater than or equal to 1] (table ${table} has no requests)`,
            );
          for (const element of elements) {
            const fields = record(element, `requestItems.${table}.member`);
            // A member sent as null is a member not sent, as in every AWS JSON protocol.
            const put = fields.PutRequest ?? undefined;
            const del = fields.DeleteRequest ?? undefined;
            if ((put === undefined) === (del === undefined))
              throw validationError('Supplied AttributeValue has more than one datatypes set, must contain exactly one of PutRequest or DeleteRequest');
            writes.push(
              put !== undefined
                ? { table, put: requiredItem(record(put, `requestItems.${table}.member.putRequest`), 'Item') }
                : { table, delete: requiredItem(record(del, `requestItems.${table}.member.deleteRequest`), 'Key') },
            );
          }
        }
        if (writes.length === 0 || writes.length > MAX_BATCH_WRITES) {
          throw validationError(
            `1 validation error detected: Value at 'requestItems' failed to satisfy constraint: Map value must satisfy constraint: [Member must have length less than or equal to ${MAX_BATCH_WRITES}, Member must have length greater than or equal to 1]`,
          );
        }
        const consumed = capacity(input);
        await items.batchWrite(writes, consumed?.meter);
        return { UnprocessedItems: {}, ...(consumed ? { ConsumedCapacity: consumed.all() } : {}) };
      },
    }),
    TransactWriteItems: defineOperation({
      raw: true,
      resources: transactTables,
      handler: async (input) => {
        const elements = list(input.TransactItems, 'transactItems');
        if (elements.length === 0 || elements.length > MAX_TRANSACTION_ITEMS) {
          throw validationError(
            `1 validation error detected: Value at 'transactItems' failed to satisfy constraint: Member must have length less than or equal to ${MAX_TRANSACTION_ITEMS}, Member must have length greater than or equal to 1`,
          );
        }
        const token = input.ClientRequestToken;
        if (token !== undefined && (typeof token !== 'string' || token.length < 1 || token.length > 36))
          throw validationError(
            `1 validation error detected: Value '${String(token)}' at 'clientRequestToken' failed to satisfy constraint: Member must have length less than or equal to 36`,
          );
        const writes = elements.map(transactWrite);
        let bytes = 0;
        for (const write of writes) if (write.kind === 'Put') bytes += itemSize(write.item);
        if (bytes > MAX_TRANSACTION_BYTES) throw validationError(`Transaction request size cannot exceed 4 MB: the items it puts are ${bytes} bytes`);
        const consumed = capacity(input, { factor: 2, consistent: () => true });
        if (token === undefined) {
          await items.transactWrite(writes, consumed?.meter);
        } else {
          // A repeated token within 10 minutes answers success without writing again, as DynamoDB does.
          await tokens.sweep();
          const request = JSON.stringify(input.TransactItems);
          await items.transactWrite(writes, consumed?.meter, (tx) => tokens.claim(tx, token, request));
        }
        return consumed ? { ConsumedCapacity: consumed.all() } : {};
      },
    }),
    TransactGetItems: defineOperation({
      raw: true,
      resources: transactTables,
      handler: async (input) => {
        const elements = list(input.TransactItems, 'transactItems');
        if (elements.length === 0 || elements.length > MAX_TRANSACTION_ITEMS) {
          throw validationError(
            `1 validation error detected: Value at 'transactItems' failed to satisfy constraint: Member must have length less than or equal to ${MAX_TRANSACTION_ITEMS}, Member must have length greater than or equal to 1`,
          );
        }
        const gets = elements.map((element, i) => {
          const body = record(record(element, `transactItems.${i + 1}.member`).Get, `transactItems.${i + 1}.member.get`);
          const expressions = new RequestExpressions(body);
          const projection = expressions.projection(body);
          expressions.done();
          return { table: checkTableName(body.TableName), key: requiredItem(body, 'Key'), projection };
        });
        const consumed = capacity(input, { factor: 2, consistent: () => true });
        const found = await items.transactGet(gets, consumed?.meter);
        return { Responses: found.map((item) => (item ? { Item: item } : {})), ...(consumed ? { ConsumedCapacity: consumed.all() } : {}) };
      },
    }),
  };
}
