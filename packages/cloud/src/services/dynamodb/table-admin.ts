import { randomUUID } from 'node:crypto';
import { isForteError } from '@forte/protocol';
import type { SqlStore } from '../../engines/types.js';
import type { TableItem } from '../../kernel/types.js';
import { itemSize } from './attribute-values.js';
import { tableNameOfArn } from './tags.js';
import { withCompositeKeyAttributes, type CompositeKeyAttribute } from './composite-key-attributes.js';
import { tableNotFound, validationError } from './errors.js';
import { encodeIndexKey, encodeItemKey, type EncodedKey } from './keys.js';
import {
  attributeDefinitions,
  keyAttributes,
  keySchemaElements,
  parseAttributeDefinitions,
  parseBillingMode,
  parseIndex,
  parseTableSpec,
  type IndexDefinition,
  type TableDefinition,
  type TableSpec,
} from './table-definition.js';
import type { TableStore } from './table-store.js';
import type { TableStreams } from './table-streams.js';
import { DYNAMODB_ERRORS } from './errors.js';

/** Changes UpdateTable (and a resource update) can make in place. */
export interface TableChanges {
  AttributeDefinitions?: unknown;
  BillingMode?: unknown;
  ProvisionedThroughput?: unknown;
  StreamSpecification?: unknown;
  /** Any number of `{Create}`, `{Delete}` and `{Update}` (throughput only) at once, applied in order. */
  GlobalSecondaryIndexUpdates?: unknown;
  TimeToLiveSpecification?: unknown;
}

/** How a resource update treats the items already in the table (not part of the DynamoDB API). */
export interface ItemMigrationOptions {
  /** Composite key attributes to compute for items that lack them, before they are keyed or indexed anew. */
  compositeKeyAttributes?: CompositeKeyAttribute[];
}

/** How `update` applies a change: a resource update's rules, or the API's (UpdateTable, UpdateTimeToLive). */
export interface TableUpdateOptions extends ItemMigrationOptions {
  /**
   * The API's rule for streams and TTL: each is turned on only where it is off and off only where it is on
   * (ValidationException), and TTL is turned off naming its attribute. A template's update says the whole
   * desired state instead: the same stream again changes nothing, another view type turns the old stream off
   * and a new one on, another TTL attribute replaces the old one.
   */
  transitionsOnly?: boolean;
}

const BACKFILL_ROWS = 500;

/** UpdateTimeToLive's rules, with DynamoDB's messages: TTL is turned on where it is off, and off naming its attribute. */
function checkTtlTransition(previous: TableDefinition['ttl'], next: NonNullable<TableDefinition['ttl']>): void {
  const current = previous?.Enabled ? previous.AttributeName : undefined;
  if (current === undefined) {
    if (!next.Enabled) throw validationError('TimeToLive is already disabled');
    return;
  }
  if (next.AttributeName !== current) throw validationError(`TimeToLive is active on a different AttributeName: current AttributeName is ${current}`);
  if (next.Enabled) throw validationError('TimeToLive is already enabled');
}

/** An existing item whose index key attribute has the wrong type stays out of a new index (DynamoDB reports it as a violation). */
function indexKeyOrSkip(index: IndexDefinition, item: TableItem): EncodedKey | undefined {
  try {
    return encodeIndexKey(index, item);
  } catch (error) {
    if (isForteError(error) && error.code === 'ValidationException') return undefined;
    throw error;
  }
}

/** The old key of an item, for naming it in an error. */
function keyOfItem(table: TableDefinition, item: TableItem): Record<string, unknown> {
  const out: Record<string, unknown> = {};
  for (const attribute of [table.key.hash, table.key.range])
    if (attribute && item[attribute.name]) out[attribute.name] = Object.values(item[attribute.name]!)[0];
  return out;
}

/** Table lifecycle: create, update (GSIs added with backfill, removed with their entries), delete, describe, list. */
export function createTableAdmin(sql: SqlStore, store: TableStore, arnPrefix: () => string, streams: TableStreams) {
  const tableArn = (name: string): string => `${arnPrefix()}table/${name}`;
  /** A transaction that writes table definitions: the store's definition cache forgets around it. */
  const changeTables = <T>(fn: (tx: SqlStore) => Promise<T>): Promise<T> => store.changeTables(() => sql.transaction(fn));

  async function backfill(tx: SqlStore, table: TableDefinition, index: IndexDefinition): Promise<void> {
    let after: Buffer[] | undefined;
    for (;;) {
      const rows = await store.rows(tx, { tableId: table.id, after, forward: true, limit: BACKFILL_ROWS });
      for (const row of rows) {
        const key = indexKeyOrSkip(index, row.item);
        if (key) await store.addIndexEntry(tx, table.id, { pk: row.position[0]!, sk: row.position[1]! }, { index: index.name, key });
        after = row.position;
      }
      if (rows.length < BACKFILL_ROWS) return;
    }
  }

  /**
   * Rewrites the items that lack one of `composites` (and have its parts) with it, their entries in
   * `indexes` recomputed; runs before the new indexes that use those attributes are backfilled.
   */
  async function fillCompositeAttributes(tx: SqlStore, table: TableDefinition, composites: CompositeKeyAttribute[], indexes: IndexDefinition[]): Promise<void> {
    let after: Buffer[] | undefined;
    for (;;) {
      const rows = await store.rows(tx, { tableId: table.id, after, forward: true, limit: BACKFILL_ROWS });
      for (const row of rows) {
        after = row.position;
        const item = withCompositeKeyAttributes(row.item, composites);
        if (item === row.item) continue;
        const entries = indexes.flatMap((index) => {
          const entry = indexKeyOrSkip(index, item);
          return entry ? [{ index: index.name, key: entry }] : [];
        });
        await store.writeItem(tx, table.id, { pk: row.position[0]!, sk: row.position[1]! }, item, itemSize(item), entries);
      }
      if (rows.length < BACKFILL_ROWS) return;
    }
  }

  function streamLabel(definition: TableDefinition, previous?: TableDefinition): string | undefined {
    if (!definition.stream?.StreamEnabled) return previous?.streamLabel;
    // A stream keeps its label (and ARN) while it stays on with the same view; DynamoDB cannot change the view
    // of an enabled stream, so a new view is a new stream.
    if (previous?.stream?.StreamEnabled && previous.streamLabel && previous.stream.StreamViewType === definition.stream.StreamViewType)
      return previous.streamLabel;
    // A new stream's label is its creation time; one made in the same millisecond as the stream it replaces
    // still gets a label (and ARN) of its own.
    const replaced = previous?.streamLabel ? Date.parse(`${previous.streamLabel}Z`) : Number.NaN;
    const at = Number.isNaN(replaced) ? Date.now() : Math.max(Date.now(), replaced + 1);
    return new Date(at).toISOString().replace(/Z$/, '');
  }

  return {
    tableArn,

    /** A table's tags, changed by `change` in one transaction (TagResource, UntagResource); answers them. */
    async changeTags(arn: unknown, change?: (tags: Record<string, string>) => Record<string, string>): Promise<Record<string, string>> {
      const name = tableNameOfArn(arn, arnPrefix());
      if (!change) {
        const table = await store.table(sql, name);
        if (!table) throw tableNotFound(name);
        return table.tags ?? {};
      }
      return changeTables(async (tx) => {
        const table = await store.table(tx, name);
        if (!table) throw tableNotFound(name);
        const next: TableDefinition = { ...table, tags: change(table.tags ?? {}) };
        await store.saveTable(tx, next);
        return next.tags ?? {};
      });
    },

    /** Creates a table; `tags` are CreateTable's (checked by the caller). */
    async create(spec: TableSpec, tags?: Record<string, string>): Promise<TableDefinition> {
      const parsed = parseTableSpec(spec);
      return changeTables(async (tx) => {
        if (await store.table(tx, parsed.name)) throw DYNAMODB_ERRORS.error('ResourceInUseException', `Table already exists: ${parsed.name}`);
        const definition: TableDefinition = { ...parsed, id: randomUUID(), createdAt: Date.now(), ...(tags ? { tags } : {}) };
        const label = streamLabel(definition);
        if (label) definition.streamLabel = label;
        await store.insertTable(tx, definition);
        await streams.sync(tx, undefined, definition);
        return definition;
      });
    },

    /**
     * Applies changes in one transaction: a new index is backfilled before the call answers (ACTIVE at once),
     * after the composite key attributes it uses are computed for the items that lack them.
     */
    async update(name: string, changes: TableChanges, options: TableUpdateOptions = {}): Promise<TableDefinition> {
      return changeTables(async (tx) => {
        const previous = await store.table(tx, name);
        if (!previous) throw tableNotFound(name);
        const next: TableDefinition = structuredClone(previous);
        if (changes.BillingMode !== undefined || changes.ProvisionedThroughput !== undefined) {
          next.billingMode = parseBillingMode(changes.BillingMode ?? previous.billingMode, changes.ProvisionedThroughput);
          const parsed = parseTableSpec({
            TableName: name,
            KeySchema: keySchemaElements(next.key),
            AttributeDefinitions: attributeDefinitions(next),
            BillingMode: next.billingMode,
            ProvisionedThroughput: next.billingMode === 'PROVISIONED' ? (changes.ProvisionedThroughput ?? previous.throughput) : undefined,
            GlobalSecondaryIndexes: next.indexes.map((i) => ({
              IndexName: i.name,
              KeySchema: keySchemaElements(i.key),
              Projection: i.projection,
              ProvisionedThroughput: i.throughput ?? previous.throughput,
            })),
          });
          next.throughput = parsed.throughput;
          next.indexes = parsed.indexes;
        }
        if (changes.StreamSpecification !== undefined && changes.StreamSpecification !== null) {
          const parsed = parseTableSpec({
            TableName: name,
            KeySchema: keySchemaElements(next.key),
            AttributeDefinitions: attributeDefinitions({ key: next.key, indexes: [] }),
            StreamSpecification: changes.StreamSpecification,
          });
          if (options.transitionsOnly && parsed.stream?.StreamEnabled && previous.stream?.StreamEnabled)
            throw validationError(`Table already has an enabled stream: TableName: ${name}`);
          if (options.transitionsOnly && !parsed.stream?.StreamEnabled && !previous.stream?.StreamEnabled)
            throw validationError(`Table has no stream to disable: TableName: ${name}`);
          next.stream = parsed.stream;
          const label = streamLabel(next, previous);
          if (label) next.streamLabel = label;
        }
        if (changes.TimeToLiveSpecification !== undefined) {
          next.ttl = parseTableSpec({
            TableName: name,
            KeySchema: keySchemaElements(next.key),
            AttributeDefinitions: attributeDefinitions({ key: next.key, indexes: [] }),
            TimeToLiveSpecification: changes.TimeToLiveSpecification,
          }).ttl;
          if (options.transitionsOnly && next.ttl) checkTtlTransition(previous.ttl, next.ttl);
        }
        const updates = changes.GlobalSecondaryIndexUpdates;
        if (updates !== undefined && !Array.isArray(updates))
          throw validationError('One or more parameter values were invalid: GlobalSecondaryIndexUpdates must be a list');
        const types = changes.AttributeDefinitions !== undefined ? parseAttributeDefinitions(changes.AttributeDefinitions) : new Map();
        for (const existing of attributeDefinitions(next)) {
          const given = types.get(existing.AttributeName);
          if (given !== undefined && given !== existing.AttributeType) {
            throw validationError(
              `One or more parameter values were invalid: Attribute ${existing.AttributeName} is redefined as ${given}: it is a key of type ${existing.AttributeType} already`,
            );
          }
          types.set(existing.AttributeName, existing.AttributeType);
        }
        const created: IndexDefinition[] = [];
        for (const update of (updates as Record<string, unknown>[] | undefined) ?? []) {
          const actions = Object.keys(update ?? {});
          if (actions.length !== 1)
            throw validationError('One or more parameter values were invalid: each GlobalSecondaryIndexUpdate has exactly one of Create, Update or Delete');
          const action = actions[0]!;
          const body = update[action] as { IndexName?: unknown; ProvisionedThroughput?: unknown } | undefined;
          if (action === 'Create') {
            const index = parseIndex(body, types, next.billingMode);
            if (next.indexes.some((i) => i.name === index.name))
              throw validationError(`One or more parameter values were invalid: Attempting to create an index which already exists: ${index.name}`);
            next.indexes.push(index);
            created.push(index);
          } else if (action === 'Delete' || action === 'Update') {
            const position = next.indexes.findIndex((i) => i.name === body?.IndexName && !i.local);
            if (position < 0)
              throw DYNAMODB_ERRORS.error('ResourceNotFoundException', `Requested resource not found: Index: ${String(body?.IndexName)} not found`);
            if (action === 'Delete') {
              next.indexes.splice(position, 1);
              await store.dropIndex(tx, next.id, String(body?.IndexName));
            } else if (next.billingMode === 'PROVISIONED') {
              next.indexes[position]!.throughput = parseIndex(
                { IndexName: body?.IndexName, KeySchema: keySchemaElements(next.indexes[position]!.key), ProvisionedThroughput: body?.ProvisionedThroughput },
                types,
                'PROVISIONED',
              ).throughput;
            }
          } else {
            throw validationError(`One or more parameter values were invalid: unknown GlobalSecondaryIndexUpdate action ${action}`);
          }
        }
        if (next.indexes.filter((i) => !i.local).length > 20)
          throw validationError('One or more parameter values were invalid: a table has at most 20 global secondary indexes');
        await store.saveTable(tx, next);
        await streams.sync(tx, previous, next);
        const indexed = new Set(created.flatMap((i) => keyAttributes(i.key).map((a) => a.name)));
        const composites = (options.compositeKeyAttributes ?? []).filter((c) => indexed.has(c.name));
        if (composites.length > 0)
          await fillCompositeAttributes(
            tx,
            next,
            composites,
            next.indexes.filter((i) => !created.includes(i)),
          );
        for (const index of created) await backfill(tx, next, index);
        return next;
      });
    },

    /**
     * Gives a table a new key schema (and the indexes of `spec`) and moves every item to its new key, in one
     * transaction: either every item is under the new key or the table is as it was. Refuses, naming how many
     * items and one example, when an item lacks a new key attribute (or holds the wrong type), or when two
     * items would share one key: a key change never drops an item. Composite key attributes an item lacks
     * are computed from their parts first (and kept on the item).
     */
    async rekey(name: string, spec: TableSpec, options: ItemMigrationOptions = {}): Promise<{ table: TableDefinition; items: number }> {
      const parsed = parseTableSpec(spec);
      if (parsed.name !== name) throw validationError(`A key change keeps the table's name: ${parsed.name} is not ${name}`);
      return changeTables(async (tx) => {
        const previous = await store.table(tx, name);
        if (!previous) throw tableNotFound(name);
        const next: TableDefinition = { ...parsed, id: randomUUID(), createdAt: previous.createdAt };
        const label = streamLabel(next, previous);
        if (label) next.streamLabel = label;
        const keyNames = [next.key.hash.name, ...(next.key.range ? [next.key.range.name] : [])].join(', ');
        let unkeyable = 0;
        let collisions = 0;
        let example: string | undefined;
        let moved = 0;
        let after: Buffer[] | undefined;
        for (;;) {
          const rows = await store.rows(tx, { tableId: previous.id, after, forward: true, limit: BACKFILL_ROWS });
          for (const row of rows) {
            after = row.position;
            const item = withCompositeKeyAttributes(row.item, options.compositeKeyAttributes ?? []);
            let key: EncodedKey;
            try {
              key = encodeItemKey(next.key, item);
            } catch (error) {
              if (!isForteError(error)) throw error;
              unkeyable += 1;
              example ??= `${JSON.stringify(keyOfItem(previous, row.item))}: ${error.message.replace(/^One or more parameter values (were|are not) (invalid|valid)[.:] ?/, '')}`;
              continue;
            }
            if (await store.item(tx, next.id, key)) {
              collisions += 1;
              example ??= `${JSON.stringify(keyOfItem(previous, row.item))} would share its new key with another item`;
              continue;
            }
            const entries = next.indexes.flatMap((index) => {
              const entry = indexKeyOrSkip(index, item);
              return entry ? [{ index: index.name, key: entry }] : [];
            });
            await store.writeItem(tx, next.id, key, item, item === row.item ? row.size : itemSize(item), entries);
            moved += 1;
          }
          if (rows.length < BACKFILL_ROWS) break;
        }
        if (unkeyable + collisions > 0) {
          const problems = [
            unkeyable > 0 ? `${unkeyable} item(s) cannot be keyed by (${keyNames})` : '',
            collisions > 0 ? `${collisions} item(s) would share a key with another item` : '',
          ].filter(Boolean);
          throw validationError(
            `The key of table ${name} cannot change to (${keyNames}): ${problems.join(' and ')}; for example ${example}. Nothing was changed: give those items unique values for the new key first, or keep the old key.`,
          );
        }
        await store.deleteTable(tx, previous.id);
        await store.insertTable(tx, next);
        await streams.sync(tx, previous, next);
        return { table: next, items: moved };
      });
    },

    /** Deletes the table with its items and index entries; answers its last definition. */
    async delete(name: string): Promise<TableDefinition> {
      return changeTables(async (tx) => {
        const table = await store.table(tx, name);
        if (!table) throw tableNotFound(name);
        await store.deleteTable(tx, table.id);
        await streams.sync(tx, table, undefined);
        return table;
      });
    },

    /** How many items the table holds (0 when it does not exist). */
    async itemCount(name: string): Promise<number> {
      const table = await store.table(sql, name);
      return table ? (await store.tableStats(table.id)).count : 0;
    },

    /** Every item of the table, in key order (none when it does not exist), read in one transaction. */
    async exportItems(name: string): Promise<TableItem[]> {
      return sql.transaction(async (tx) => {
        const table = await store.table(tx, name);
        if (!table) return [];
        const items: TableItem[] = [];
        let after: Buffer[] | undefined;
        for (;;) {
          const rows = await store.rows(tx, { tableId: table.id, after, forward: true, limit: BACKFILL_ROWS });
          for (const row of rows) {
            items.push(row.item);
            after = row.position;
          }
          if (rows.length < BACKFILL_ROWS) return items;
        }
      });
    },

    /**
     * Writes items into the table as it is now, with their index entries, in one transaction. An item whose
     * key is already taken is skipped (what the table holds wins), as is one the table's key cannot hold.
     */
    async importItems(name: string, items: TableItem[]): Promise<{ imported: number; skipped: number; example?: string }> {
      return sql.transaction(async (tx) => {
        const table = await store.table(tx, name);
        if (!table) throw tableNotFound(name);
        let imported = 0;
        let skipped = 0;
        let example: string | undefined;
        for (const item of items) {
          let key: EncodedKey;
          try {
            key = encodeItemKey(table.key, item);
          } catch (error) {
            if (!isForteError(error)) throw error;
            skipped += 1;
            example ??= `an item lacks the table's key: ${error.message}`;
            continue;
          }
          if (await store.item(tx, table.id, key)) {
            skipped += 1;
            example ??= `${JSON.stringify(keyOfItem(table, item))} is already in the table`;
            continue;
          }
          const entries = table.indexes.flatMap((index) => {
            const entry = indexKeyOrSkip(index, item);
            return entry ? [{ index: index.name, key: entry }] : [];
          });
          await store.writeItem(tx, table.id, key, item, itemSize(item), entries);
          imported += 1;
        }
        return { imported, skipped, ...(example === undefined ? {} : { example }) };
      });
    },

    find: (name: string) => store.table(sql, name),
    names: (start: string | undefined, limit: number) => store.tableNames(start, limit),

    /** DynamoDB's TableDescription. */
    async describe(table: TableDefinition, status: 'ACTIVE' | 'DELETING' = 'ACTIVE'): Promise<Record<string, unknown>> {
      const stats = status === 'ACTIVE' ? await store.tableStats(table.id) : { count: 0, bytes: 0 };
      const arn = tableArn(table.name);
      const throughput = (t: TableDefinition['throughput']) => ({
        NumberOfDecreasesToday: 0,
        ReadCapacityUnits: t?.ReadCapacityUnits ?? 0,
        WriteCapacityUnits: t?.WriteCapacityUnits ?? 0,
      });
      const description: Record<string, unknown> = {
        TableName: table.name,
        TableId: table.id,
        TableArn: arn,
        TableStatus: status,
        CreationDateTime: table.createdAt / 1000,
        KeySchema: keySchemaElements(table.key),
        AttributeDefinitions: attributeDefinitions(table),
        ItemCount: stats.count,
        TableSizeBytes: stats.bytes,
        ProvisionedThroughput: throughput(table.throughput),
        BillingModeSummary: { BillingMode: table.billingMode, LastUpdateToPayPerRequestDateTime: table.createdAt / 1000 },
        DeletionProtectionEnabled: false,
      };
      const globals = table.indexes.filter((i) => !i.local);
      const locals = table.indexes.filter((i) => i.local);
      if (locals.length > 0) {
        description.LocalSecondaryIndexes = await Promise.all(
          locals.map(async (index) => {
            const indexStats = status === 'ACTIVE' ? await store.indexStats(table.id, index.name) : { count: 0, bytes: 0 };
            return {
              IndexName: index.name,
              IndexArn: `${arn}/index/${index.name}`,
              KeySchema: keySchemaElements(index.key),
              Projection: index.projection,
              ItemCount: indexStats.count,
              IndexSizeBytes: indexStats.bytes,
            };
          }),
        );
      }
      if (globals.length > 0) {
        description.GlobalSecondaryIndexes = await Promise.all(
          globals.map(async (index) => {
            const indexStats = status === 'ACTIVE' ? await store.indexStats(table.id, index.name) : { count: 0, bytes: 0 };
            return {
              IndexName: index.name,
              IndexArn: `${arn}/index/${index.name}`,
              KeySchema: keySchemaElements(index.key),
              Projection: index.projection,
              IndexStatus: 'ACTIVE',
              ProvisionedThroughput: throughput(index.throughput),
              ItemCount: indexStats.count,
              IndexSizeBytes: indexStats.bytes,
            };
          }),
        );
      }
      if (table.stream) description.StreamSpecification = table.stream;
      if (table.stream?.StreamEnabled && table.streamLabel) {
        description.LatestStreamLabel = table.streamLabel;
        description.LatestStreamArn = `${arn}/stream/${table.streamLabel}`;
      }
      return description;
    },
  };
}

export type TableAdmin = ReturnType<typeof createTableAdmin>;
