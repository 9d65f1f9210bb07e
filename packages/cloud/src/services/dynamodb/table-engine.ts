import { isForteError } from '@forte/protocol';
import type { SqlStore } from '../../engines/types.js';
import { TableItem, TableReturnValues } from '../../kernel/types.js';
import { itemSize, MAX_ITEM_BYTES } from './attribute-values.js';
import { conditionFailed, tableNotFound, validationError } from './errors.js';
import type { Condition, Path, UpdateActions } from './expressions/ast.js';
import { compiledCondition } from './expressions/compile.js';
import { conditionAttributeNames, evaluateCondition, projectItem } from './expressions/evaluate.js';
import { applyUpdate } from './expressions/update.js';
import { keyRange } from './key-condition.js';
import { checkKeyParameter, encodeIndexKey, encodeItemKey, keyOf, projectToIndex, type EncodedKey } from './keys.js';
import { keyAttributes, type IndexDefinition, type TableDefinition } from './table-definition.js';
import type { IndexEntry, TableStore } from './table-store.js';
import { TTL_IDENTITY, type TableStreams } from './table-streams.js';
import { DYNAMODB_ERRORS } from './errors.js';
import type { CapacityMeter } from './consumed-capacity.js';

/** DynamoDB's TTL process leaves items whose expiry time is more than five years past. */
const TTL_MAX_AGE_SECONDS = 5 * 365 * 86_400;
/** Pages of a query or scan end after this many bytes of items evaluated, as DynamoDB's do. */
const PAGE_BYTES = 1024 * 1024;
/** Rows fetched from SQL at a time while filling a page. */
const BATCH_ROWS = 100;
/** Rows an unpaged read goes through between two turns of the event loop (a multiple of BATCH_ROWS). */
const UNPAGED_YIELD_ROWS = 20 * BATCH_ROWS;

export interface ReadRequest {
  table: string;
  index?: string;
  /** Query only; a scan has none. */
  keyCondition?: Condition;
  filter?: Condition;
  projection?: Path[];
  limit?: number;
  exclusiveStartKey?: TableItem;
  forward?: boolean;
  /** Count matching items instead of returning them (Select COUNT). */
  countOnly?: boolean;
  /** Counts the bytes read, for ReturnConsumedCapacity. */
  meter?: CapacityMeter;
  /** ConsistentRead on an index: local secondary indexes allow it, global ones refuse it. */
  consistentIndexRead?: boolean;
  /** Refuse a Query filter naming a key attribute of the queried key, as the DynamoDB API does. */
  checkFilterKeys?: boolean;
  /** Read to the end, ignoring the 1 MB page cut (the programmatic `count`). */
  unpaged?: boolean;
  /** TableReadOptions.numberAtLeast: items below it (or without it) are skipped by the store, unread. */
  numberAtLeast?: { attribute: string; value: number };
}

export interface ReadResult {
  items: TableItem[];
  count: number;
  scannedCount: number;
  lastEvaluatedKey?: TableItem;
}

/** Which attributes a write answers (ReturnValues) and whether a failed condition answers the item. */
export interface WriteOptions {
  condition?: Condition;
  returnValues?: TableReturnValues;
  returnItemOnConditionFailure?: boolean;
  /** Counts what the write consumed, for ReturnConsumedCapacity. */
  meter?: CapacityMeter;
}

/** One element of TransactWriteItems. */
export type TransactWrite =
  | { kind: 'Put'; table: string; item: TableItem; options: WriteOptions }
  | { kind: 'Update'; table: string; key: TableItem; actions: UpdateActions; options: WriteOptions }
  | { kind: 'Delete'; table: string; key: TableItem; options: WriteOptions }
  | { kind: 'ConditionCheck'; table: string; key: TableItem; options: WriteOptions & { condition: Condition } };

/** One element of BatchWriteItem. */
export type BatchWrite = { table: string; put: TableItem } | { table: string; delete: TableItem };

function isValidationError(error: unknown): error is Error {
  return isForteError(error) && error.code === 'ValidationException';
}

function checkItemSize(item: TableItem): number {
  const size = itemSize(item);
  if (size > MAX_ITEM_BYTES) throw validationError('Item size has exceeded the maximum allowed size');
  return size;
}

/** UPDATED_OLD / UPDATED_NEW: what the update's paths hold in `item` (nested paths as a projection would). */
function updatedPaths(item: TableItem | undefined, actions: UpdateActions): TableItem | undefined {
  if (!item) return undefined;
  const paths = [...actions.set.map((a) => a.path), ...actions.remove, ...actions.add.map((a) => a.path), ...actions.delete.map((a) => a.path)];
  const out = projectItem(item, paths);
  return Object.keys(out).length > 0 ? out : undefined;
}

/**
 * The table engine over the table store: item writes (each one SQL transaction, conditions checked inside
 * it), reads in DynamoDB's page semantics, transactions and batches. Takes parsed expressions; the
 * DynamoDB API and the kernel's TableEngine parse them first.
 */
export function createTableEngine(sql: SqlStore, store: TableStore, streams: TableStreams) {
  /**
   * Every item write runs in one of these: the write's stream record is written in the same transaction
   * (`streams.append`), and the stream's readers are told once it has ended.
   */
  const transaction = <T>(fn: (tx: SqlStore) => Promise<T>): Promise<T> => sql.transaction(fn).finally(() => streams.flush());

  async function requireTable(db: SqlStore, name: string): Promise<TableDefinition> {
    const table = await store.table(db, name);
    if (!table) throw tableNotFound(name);
    return table;
  }

  function indexEntries(table: TableDefinition, item: TableItem): IndexEntry[] {
    const entries: IndexEntry[] = [];
    for (const index of table.indexes) {
      const key = encodeIndexKey(index, item);
      if (key) entries.push({ index: index.name, key });
    }
    return entries;
  }

  function failure(options: WriteOptions, current: TableItem | undefined): Error {
    return conditionFailed(options.returnItemOnConditionFailure ? current : undefined);
  }

  function checkCondition(options: WriteOptions, current: TableItem | undefined): void {
    if (options.condition && !evaluateCondition(current ?? {}, options.condition)) throw failure(options, current);
  }

  function onlyOld(returnValues: TableReturnValues | undefined): void {
    if (returnValues !== undefined && returnValues !== 'NONE' && returnValues !== 'ALL_OLD') throw validationError('ReturnValues can only be ALL_OLD or NONE');
  }

  /** Computes an update's new item; keys cannot change. */
  function updated(table: TableDefinition, key: TableItem, current: TableItem | undefined, actions: UpdateActions): { item: TableItem; touched: string[] } {
    const keyNames = [table.key.hash.name, table.key.range?.name];
    for (const path of [...actions.set.map((a) => a.path), ...actions.remove, ...actions.add.map((a) => a.path), ...actions.delete.map((a) => a.path)]) {
      const first = path[0]!;
      if ('name' in first && keyNames.includes(first.name)) {
        throw validationError(`One or more parameter values were invalid: Cannot update attribute ${first.name}. This attribute is part of the key`);
      }
    }
    return applyUpdate(current ?? key, actions, current !== undefined);
  }

  /** Counts one item write and the index entries it writes (an entry before or after it). */
  function meterWrite(meter: CapacityMeter | undefined, table: TableDefinition, current: TableItem | undefined, next: TableItem | undefined): void {
    if (!meter) return;
    meter.write(table.name, Math.max(current ? itemSize(current) : 0, next ? itemSize(next) : 0));
    for (const index of table.indexes) {
      const indexed = (item: TableItem | undefined): TableItem | undefined => {
        try {
          return item && encodeIndexKey(index, item) ? projectToIndex(item, table, index) : undefined;
        } catch {
          return undefined;
        }
      };
      const before = indexed(current);
      const after = indexed(next);
      if (before || after) meter.write(table.name, Math.max(before ? itemSize(before) : 0, after ? itemSize(after) : 0), index.name, index.local);
    }
  }

  /** Writes `item` over `current` (what the key held, if anything) with its index entries and stream record. */
  async function write(db: SqlStore, table: TableDefinition, key: EncodedKey, item: TableItem, current: TableItem | undefined): Promise<void> {
    await store.writeItem(db, table.id, key, item, checkItemSize(item), indexEntries(table, item));
    await streams.append(db, table, current, item);
  }

  /** Deletes the item `current` under `key` (nothing when there is none) and records the removal. */
  async function remove(db: SqlStore, table: TableDefinition, key: EncodedKey, current: TableItem | undefined, identity?: typeof TTL_IDENTITY): Promise<void> {
    if (!current) return;
    await store.deleteItem(db, table.id, key);
    await streams.append(db, table, current, undefined, identity);
  }

  async function read(request: ReadRequest): Promise<ReadResult> {
    const table = await requireTable(sql, request.table);
    let index: IndexDefinition | undefined;
    if (request.index !== undefined) {
      index = table.indexes.find((i) => i.name === request.index);
      if (!index) throw validationError(`The table does not have the specified index: ${request.index}`);
      if (request.consistentIndexRead && !index.local) throw validationError('Consistent reads are not supported on global secondary indexes');
    }
    const key = index?.key ?? table.key;
    const range = request.keyCondition ? keyRange(request.keyCondition, key) : undefined;
    if (request.keyCondition && request.filter && request.checkFilterKeys) {
      // A Query's filter cannot name the key attributes it queries by (they belong in the key condition).
      const keyNames = new Set(keyAttributes(key).map((a) => a.name));
      const named = conditionAttributeNames(request.filter).find((name) => keyNames.has(name));
      if (named !== undefined) throw validationError(`Filter Expression can only contain non-primary key attributes: Primary key attribute: ${named}`);
    }
    if (request.limit !== undefined && (!Number.isInteger(request.limit) || request.limit < 1)) {
      throw validationError(
        `1 validation error detected: Value '${request.limit}' at 'limit' failed to satisfy constraint: Member must have value greater than or equal to 1`,
      );
    }
    /** The row position of an item (or a start key) in the table or the index read: where a next batch begins. */
    const positionOf = (item: TableItem): Buffer[] => {
      const tableKey = encodeItemKey(table.key, item);
      const indexKey = index ? encodeItemKey(index.key, item) : undefined;
      return indexKey ? [indexKey.pk, indexKey.sk, tableKey.pk, tableKey.sk] : [tableKey.pk, tableKey.sk];
    };
    let after: Buffer[] | undefined;
    if (request.exclusiveStartKey) {
      const allowed = new Set([...keyAttributes(table.key), ...(index ? keyAttributes(index.key) : [])].map((a) => a.name));
      const extra = Object.keys(request.exclusiveStartKey).find((name) => !allowed.has(name));
      if (extra !== undefined) throw validationError(`The provided starting key is invalid: ${extra} is not a key attribute of the table or index`);
      try {
        after = positionOf(request.exclusiveStartKey);
      } catch (error) {
        throw validationError('The provided starting key is invalid: The provided key element does not match the schema', error);
      }
    }
    const forward = request.forward ?? true;
    // The filter runs on every item read: compiled once per parsed filter (the kernel's engine keeps those).
    const filter = request.filter && compiledCondition(request.filter);
    const result: ReadResult = { items: [], count: 0, scannedCount: 0 };
    let bytes = 0;
    for (;;) {
      const wanted = request.limit === undefined ? BATCH_ROWS : Math.min(BATCH_ROWS, request.limit - result.scannedCount);
      const rows = await store.items(sql, {
        tableId: table.id,
        index: index?.name,
        partition: range?.partition,
        sortBounds: range?.sortBounds,
        after,
        forward,
        limit: wanted,
        ...(request.numberAtLeast ? { numberAtLeast: request.numberAtLeast } : {}),
      });
      for (const row of rows) {
        const item = index ? projectToIndex(row.item, table, index) : row.item;
        result.scannedCount++;
        bytes += row.size;
        if (!filter || filter(item)) {
          result.count++;
          if (!request.countOnly) result.items.push(request.projection ? projectItem(item, request.projection) : item);
        }
        const full = result.scannedCount === request.limit || (!request.unpaged && bytes >= PAGE_BYTES);
        if (full) {
          result.lastEvaluatedKey = index ? keyOf(row.item, index.key, table.key) : keyOf(row.item, table.key);
          request.meter?.read(table.name, bytes, index?.name, index?.local);
          return result;
        }
      }
      if (rows.length < wanted) {
        request.meter?.read(table.name, bytes, index?.name, index?.local);
        return result;
      }
      // The next batch starts after the last row read: its position is its key, encoded as a start key is.
      after = positionOf(rows.at(-1)!.item);
      // An unpaged read (a count) may go through a whole table: the SQL store answers synchronously, so
      // every few batches it waits for the event loop's turn, letting other requests in.
      if (request.unpaged && result.scannedCount % UNPAGED_YIELD_ROWS === 0) await new Promise((resolve) => setImmediate(resolve));
    }
  }

  return {
    requireTable: (name: string) => requireTable(sql, name),

    async get(tableName: string, key: TableItem, projection?: Path[], meter?: CapacityMeter): Promise<TableItem | undefined> {
      const table = await requireTable(sql, tableName);
      const item = await store.item(sql, table.id, checkKeyParameter(table.key, key));
      meter?.read(table.name, item ? itemSize(item) : 0);
      return item && projection ? projectItem(item, projection) : item;
    },

    async put(tableName: string, item: TableItem, options: WriteOptions = {}): Promise<TableItem | undefined> {
      onlyOld(options.returnValues);
      return transaction(async (tx) => {
        const table = await requireTable(tx, tableName);
        const key = encodeItemKey(table.key, item);
        const current = await store.item(tx, table.id, key);
        checkCondition(options, current);
        await write(tx, table, key, item, current);
        meterWrite(options.meter, table, current, item);
        return options.returnValues === 'ALL_OLD' ? current : undefined;
      });
    },

    async update(tableName: string, key: TableItem, actions: UpdateActions, options: WriteOptions = {}): Promise<TableItem | undefined> {
      return transaction(async (tx) => {
        const table = await requireTable(tx, tableName);
        const encoded = checkKeyParameter(table.key, key);
        const current = await store.item(tx, table.id, encoded);
        checkCondition(options, current);
        const next = updated(table, key, current, actions);
        // Removing attributes from an item that does not exist leaves it not existing, as in DynamoDB.
        const nothing = !current && actions.set.length === 0 && actions.add.length === 0 && actions.remove.length + actions.delete.length > 0;
        if (nothing) {
          meterWrite(options.meter, table, undefined, key);
          return undefined;
        }
        await write(tx, table, encoded, next.item, current);
        meterWrite(options.meter, table, current, next.item);
        switch (options.returnValues ?? 'NONE') {
          case 'NONE':
            return undefined;
          case 'ALL_OLD':
            return current;
          case 'ALL_NEW':
            return next.item;
          case 'UPDATED_OLD':
            return updatedPaths(current, actions);
          case 'UPDATED_NEW':
            return updatedPaths(next.item, actions);
        }
      });
    },

    async delete(tableName: string, key: TableItem, options: WriteOptions = {}): Promise<TableItem | undefined> {
      onlyOld(options.returnValues);
      return transaction(async (tx) => {
        const table = await requireTable(tx, tableName);
        const encoded = checkKeyParameter(table.key, key);
        const current = await store.item(tx, table.id, encoded);
        checkCondition(options, current);
        await remove(tx, table, encoded, current);
        meterWrite(options.meter, table, current, undefined);
        return options.returnValues === 'ALL_OLD' ? current : undefined;
      });
    },

    query: (request: ReadRequest) => read(request),
    scan: (request: ReadRequest) => read({ ...request, keyCondition: undefined, forward: true }),

    /**
     * All or nothing: every condition is checked in one SQL transaction before anything is written. `first`
     * runs at the start of that transaction; when it answers false, nothing is written (an idempotent repeat).
     */
    async transactWrite(writes: TransactWrite[], meter?: CapacityMeter, first?: (tx: SqlStore) => Promise<boolean>): Promise<void> {
      await transaction(async (tx) => {
        if (first && !(await first(tx))) return;
        const seen = new Set<string>();
        const reasons: Record<string, unknown>[] = [];
        const apply: (() => Promise<void>)[] = [];
        let invalid = false;
        for (const op of writes) {
          const table = await requireTable(tx, op.table);
          // An element DynamoDB would refuse (a key of the wrong type, an item too large...) cancels the
          // transaction with a ValidationError reason; the elements after it are not looked at ('None').
          if (invalid) {
            reasons.push({ Code: 'None' });
            continue;
          }
          let key: EncodedKey;
          try {
            key = op.kind === 'Put' ? encodeItemKey(table.key, op.item) : checkKeyParameter(table.key, op.key);
          } catch (error) {
            if (!isValidationError(error)) throw error;
            reasons.push({ Code: 'ValidationError', Message: error.message });
            invalid = true;
            continue;
          }
          const id = `${table.id}/${key.pk.toString('hex')}/${key.sk.toString('hex')}`;
          if (seen.has(id)) throw validationError('Transaction request cannot include multiple operations on one item');
          seen.add(id);
          const current = await store.item(tx, table.id, key);
          if (op.options.condition && !evaluateCondition(current ?? {}, op.options.condition)) {
            reasons.push({
              Code: 'ConditionalCheckFailed',
              Message: 'The conditional request failed',
              ...(op.options.returnItemOnConditionFailure && current ? { Item: current } : {}),
            });
            continue;
          }
          try {
            if (op.kind === 'Put') {
              checkItemSize(op.item);
              indexEntries(table, op.item);
              apply.push(() => write(tx, table, key, op.item, current));
              meterWrite(meter, table, current, op.item);
            } else if (op.kind === 'Update') {
              const next = updated(table, op.key, current, op.actions);
              checkItemSize(next.item);
              indexEntries(table, next.item);
              apply.push(() => write(tx, table, key, next.item, current));
              meterWrite(meter, table, current, next.item);
            } else if (op.kind === 'Delete') {
              apply.push(() => remove(tx, table, key, current));
              meterWrite(meter, table, current, undefined);
            } else {
              meter?.read(table.name, current ? itemSize(current) : 0);
            }
          } catch (error) {
            if (!isValidationError(error)) throw error;
            reasons.push({ Code: 'ValidationError', Message: error.message });
            invalid = true;
            continue;
          }
          reasons.push({ Code: 'None' });
        }
        if (reasons.some((r) => r.Code !== 'None')) {
          throw DYNAMODB_ERRORS.error(
            'TransactionCanceledException',
            `Transaction cancelled, please refer cancellation reasons for specific reasons [${reasons.map((r) => String(r.Code)).join(', ')}]`,
            { fields: { CancellationReasons: reasons } },
          );
        }
        for (const step of apply) await step();
      });
    },

    /**
     * One step of the TTL sweep of `tableName`: reads at most `limit` items after `after` (from the start when
     * undefined) and deletes, in one transaction, those whose TTL attribute (a number of epoch seconds) is
     * before `nowSeconds`, each with a REMOVE record made by DynamoDB's TTL process. Items whose time is more
     * than five years past are left, as DynamoDB leaves them. Answers where to go on (undefined at the end).
     */
    async expire(
      tableName: string,
      after: Buffer[] | undefined,
      limit: number,
      nowSeconds: number,
    ): Promise<{ next: Buffer[] | undefined; read: number; deleted: number }> {
      return transaction(async (tx) => {
        const table = await store.table(tx, tableName);
        if (!table?.ttl?.Enabled) return { next: undefined, read: 0, deleted: 0 };
        const attribute = table.ttl.AttributeName;
        const rows = await store.rows(tx, { tableId: table.id, after, forward: true, limit });
        let deleted = 0;
        for (const row of rows) {
          const value = row.item[attribute] as { N?: unknown } | undefined;
          const expiry = typeof value?.N === 'string' ? Number(value.N) : NaN;
          if (!Number.isFinite(expiry) || expiry >= nowSeconds || expiry < nowSeconds - TTL_MAX_AGE_SECONDS) continue;
          await remove(tx, table, { pk: row.position[0]!, sk: row.position[1]! }, row.item, TTL_IDENTITY);
          deleted += 1;
        }
        return { next: rows.length < limit ? undefined : rows.at(-1)?.position, read: rows.length, deleted };
      });
    },

    /** Reads every item at one point in time (one SQL transaction). */
    async transactGet(gets: { table: string; key: TableItem; projection?: Path[] }[], meter?: CapacityMeter): Promise<(TableItem | undefined)[]> {
      return sql.transaction(async (tx) => {
        const out: (TableItem | undefined)[] = [];
        for (const get of gets) {
          const table = await requireTable(tx, get.table);
          const item = await store.item(tx, table.id, checkKeyParameter(table.key, get.key));
          meter?.read(table.name, item ? itemSize(item) : 0);
          out.push(item && get.projection ? projectItem(item, get.projection) : item);
        }
        return out;
      });
    },

    /** BatchWriteItem: Forte applies the whole batch in one transaction, so nothing is ever left unprocessed. */
    async batchWrite(writes: BatchWrite[], meter?: CapacityMeter): Promise<void> {
      await transaction(async (tx) => {
        const seen = new Set<string>();
        for (const op of writes) {
          const table = await requireTable(tx, op.table);
          const key = 'put' in op ? encodeItemKey(table.key, op.put) : checkKeyParameter(table.key, op.delete);
          const id = `${table.id}/${key.pk.toString('hex')}/${key.sk.toString('hex')}`;
          if (seen.has(id)) throw validationError('Provided list of item keys contains duplicates');
          seen.add(id);
          // What the key held matters only to a stream's record (and a delete of nothing records nothing) and to the meter.
          const current = streams.streamArn(table) || meter ? await store.item(tx, table.id, key) : undefined;
          if ('put' in op) await write(tx, table, key, op.put, current);
          else if (streams.streamArn(table)) await remove(tx, table, key, current);
          else await store.deleteItem(tx, table.id, key);
          meterWrite(meter, table, current, 'put' in op ? op.put : undefined);
        }
      });
    },
  };
}

export type ItemEngine = ReturnType<typeof createTableEngine>;
