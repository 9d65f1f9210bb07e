import { DYNAMODB_RESOURCE_TYPES, isForteError } from '@forte/protocol';
import { RESOURCE_ERRORS } from '../../kernel/resource-errors.js';
import type { ResourceHandler, ResourceResult, TableItem } from '../../kernel/types.js';
import { parseCompositeKeyAttributes } from './composite-key-attributes.js';
import { keySchemaElements, parseTableSpec, type IndexDefinition, type TableDefinition } from './table-definition.js';
import type { ItemMigrationOptions, TableAdmin } from './table-admin.js';

/** The shape of a table's copy: `data` is the items as stored (DynamoDB attribute values). */
const ITEMS_SNAPSHOT_VERSION = 1;

const sameIndex = (a: IndexDefinition, b: IndexDefinition): boolean => JSON.stringify([a.key, a.projection]) === JSON.stringify([b.key, b.projection]);
const globalIndexes = (t: { indexes: IndexDefinition[] }): IndexDefinition[] => t.indexes.filter((i) => !i.local);
/** Local secondary indexes are made with the table only: a change of them replaces it, as in CloudFormation. */
const localIndexes = (t: { indexes: IndexDefinition[] }): string => JSON.stringify(t.indexes.filter((i) => i.local));

function parseProps(props: Record<string, unknown>, typeName: string): ReturnType<typeof parseTableSpec> & { migration: ItemMigrationOptions } {
  try {
    return { ...parseTableSpec(props), migration: { compositeKeyAttributes: parseCompositeKeyAttributes(props.CompositeKeyAttributes) } };
  } catch (error) {
    if (isForteError(error)) {
      const code = RESOURCE_ERRORS.has(error.code) ? error.code : 'ValidationException';
      throw RESOURCE_ERRORS.error(code, `${typeName} ${String(props.TableName)}: ${error.message}`, { cause: error });
    }
    throw error;
  }
}

/**
 * `Forte::DynamoDB::Table` (and `AWS::DynamoDB::Table`, `typeName`): physical id = TableName; attributes `TableName`, `Arn`, `StreamArn` (when a
 * stream is specified). Create adopts an existing table of that name and brings it to the properties;
 * update changes GSIs (removed, added with backfill, a changed one re-created), billing, stream and TTL in
 * place; a new KeySchema moves every item to its new key in place (Amplify drops and re-creates the table);
 * a new TableName asks for replacement. Delete of a missing table succeeds. `CompositeKeyAttributes`
 * (Forte's own: `[{ AttributeName: 'a#b', SourceAttributes: ['a', 'b'] }]`) names the attributes a key
 * change or a new index computes for items that lack them.
 */
export function createTableResourceHandler(admin: TableAdmin, typeName: string = DYNAMODB_RESOURCE_TYPES.table): ResourceHandler {
  const result = (table: TableDefinition): ResourceResult => {
    const arn = admin.tableArn(table.name);
    const attributes: Record<string, unknown> = { TableName: table.name, Arn: arn };
    if (table.stream?.StreamEnabled && table.streamLabel) attributes.StreamArn = `${arn}/stream/${table.streamLabel}`;
    return { physicalId: table.name, attributes };
  };

  /** Brings an existing table to the properties (its key schema already matches). */
  async function reconcile(current: TableDefinition, props: Record<string, unknown>): Promise<TableDefinition> {
    const desired = parseProps(props, typeName);
    const updates: unknown[] = [];
    for (const index of globalIndexes(current)) {
      const wanted = globalIndexes(desired).find((i) => i.name === index.name);
      if (!wanted || !sameIndex(index, wanted)) updates.push({ Delete: { IndexName: index.name } });
    }
    for (const wanted of globalIndexes(desired)) {
      const existing = globalIndexes(current).find((i) => i.name === wanted.name);
      if (!existing || !sameIndex(existing, wanted)) {
        updates.push({
          Create: { IndexName: wanted.name, KeySchema: keySchemaElements(wanted.key), Projection: wanted.projection, ProvisionedThroughput: wanted.throughput },
        });
      }
    }
    return admin.update(
      current.name,
      {
        AttributeDefinitions: props.AttributeDefinitions,
        BillingMode: desired.billingMode,
        ProvisionedThroughput: desired.throughput,
        StreamSpecification: desired.stream ?? { StreamEnabled: false },
        TimeToLiveSpecification: desired.ttl ?? (current.ttl ? { ...current.ttl, Enabled: false } : undefined),
        GlobalSecondaryIndexUpdates: updates,
      },
      desired.migration,
    );
  }

  return {
    replaceOn: ['TableName'],
    migrateOn: { KeySchema: 'every item moves to the new key in one transaction; the push stops, changing nothing, if an item cannot' },
    async create(props, ctx) {
      const desired = parseProps(props, typeName);
      const existing = await admin.find(desired.name);
      if (existing && JSON.stringify(existing.key) !== JSON.stringify(desired.key)) {
        throw RESOURCE_ERRORS.error(
          'ResourceInUseException',
          `${typeName}: a table named ${desired.name} already exists with another key schema; pick another TableName or delete that table.`,
        );
      }
      const table = existing ? await reconcile(existing, props) : await admin.create(props);
      ctx.log.info(existing ? 'table adopted' : 'table created', { tableName: table.name });
      return result(table);
    },
    async update(physicalId, props, _oldProps, ctx) {
      const desired = parseProps(props, typeName);
      const existing = await admin.find(physicalId);
      if (!existing || desired.name !== physicalId || localIndexes(existing) !== localIndexes(desired)) return 'replace';
      if (JSON.stringify(existing.key) !== JSON.stringify(desired.key)) {
        const { table, items } = await admin.rekey(physicalId, props, desired.migration);
        ctx.log.info('table re-keyed', { tableName: table.name, items });
        return result(await reconcile(table, props));
      }
      const table = await reconcile(existing, props);
      ctx.log.info('table updated', { tableName: table.name });
      return result(table);
    },
    async delete(physicalId, _props, ctx) {
      if (!(await admin.find(physicalId))) return;
      await admin.delete(physicalId);
      ctx.log.info('table deleted', { tableName: physicalId });
    },
    storedData: {
      kind: 'items',
      count: (physicalId) => admin.itemCount(physicalId),
      async snapshot(physicalId) {
        const items = await admin.exportItems(physicalId);
        return { version: ITEMS_SNAPSHOT_VERSION, count: items.length, data: items };
      },
      async restore(physicalId, _props, snapshot) {
        if (snapshot.version !== ITEMS_SNAPSHOT_VERSION || !Array.isArray(snapshot.data))
          throw RESOURCE_ERRORS.error('ValidationException', `A copy of table items in format ${snapshot.version} cannot be read by this cloud.`);
        const { imported, skipped, example } = await admin.importItems(physicalId, snapshot.data as TableItem[]);
        return { restored: imported, skipped, ...(example === undefined ? {} : { example }) };
      },
    },
  };
}
