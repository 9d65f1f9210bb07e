import type { SqlStore } from '../../engines/types.js';
import { jsonNumberAtLeast } from '../../engines/dialect/json-member.js';
import type { TableItem } from '../../kernel/types.js';
import type { EncodedKey } from './keys.js';
import type { TableDefinition } from './table-definition.js';
import { createTableDefinitionCache } from './table-definition-cache.js';

/** A bound on a sort key (or an index's sort key) in a query. */
export interface SortBound {
  op: '<' | '<=' | '>' | '>=';
  value: Buffer;
}

/** One stored item with the keys it was found under (for LastEvaluatedKey and continuing a scan). */
export interface ItemRow {
  item: TableItem;
  size: number;
  /** The row's ordering tuple: (pk, sk) for the table, (gpk, gsk, pk, sk) for an index. */
  position: Buffer[];
}

/** Where to read: the table itself or one of its indexes; `partition` for a query, none for a scan. */
export interface RowRange {
  tableId: string;
  index?: string;
  partition?: Buffer;
  sortBounds?: SortBound[];
  /** Continue strictly after (or, backwards, before) this position. */
  after?: Buffer[];
  forward: boolean;
  limit: number;
  /** Only items whose top-level number attribute is at least this value (tested on the stored JSON). */
  numberAtLeast?: { attribute: string; value: number };
}

/** A row of `items`: the item without its position (a caller that continues derives it from the item's key). */
export interface ItemOnlyRow {
  item: TableItem;
  size: number;
}

/** The index entry of an item, computed by the caller in the same transaction as the item's write. */
export interface IndexEntry {
  index: string;
  key: EncodedKey;
}

interface RawRow {
  item: string;
  size: number;
  pk: Uint8Array;
  sk: Uint8Array;
  gpk?: Uint8Array;
  gsk?: Uint8Array;
}

const toBuffer = (value: Uint8Array): Buffer => (Buffer.isBuffer(value) ? value : Buffer.from(value));

/**
 * Every SQL statement of the table service: table metadata, items and global secondary index entries.
 * Item writes take the entries of every index of the table; callers run them in one transaction.
 */
export function createTableStore(sql: SqlStore, options: { onTablesChanged?: () => void } = {}) {
  const definitions = createTableDefinitionCache({ onChanged: options.onTablesChanged });
  return {
    /** Drops every table definition read (another instance changed tables). */
    forgetTables: definitions.forget,
    /** A table's definition, from memory once read (table-definition-cache.ts); shared, so never modify it. */
    table(db: SqlStore, name: string): Promise<TableDefinition | undefined> {
      return definitions.get(name, async () => {
        const row = await db.get<{ definition: string }>('SELECT definition FROM dynamodb_tables WHERE table_name = ?', [name]);
        return row ? (JSON.parse(row.definition) as TableDefinition) : undefined;
      });
    },

    /** Runs `fn`, a transaction that creates, changes or deletes table definitions (see table-definition-cache.ts). */
    changeTables: <T>(fn: () => Promise<T>): Promise<T> => definitions.change(fn),

    /** Table names in order, after `start`. */
    async tableNames(start: string | undefined, limit: number): Promise<string[]> {
      const rows = await sql.all<{ table_name: string }>('SELECT table_name FROM dynamodb_tables WHERE table_name > ? ORDER BY table_name LIMIT ?', [
        start ?? '',
        limit,
      ]);
      return rows.map((r) => r.table_name);
    },

    async insertTable(db: SqlStore, definition: TableDefinition): Promise<void> {
      definitions.forget();
      await db.run('INSERT INTO dynamodb_tables (table_name, table_id, definition) VALUES (?, ?, ?)', [
        definition.name,
        definition.id,
        JSON.stringify(definition),
      ]);
    },

    async saveTable(db: SqlStore, definition: TableDefinition): Promise<void> {
      definitions.forget();
      await db.run('UPDATE dynamodb_tables SET definition = ? WHERE table_id = ?', [JSON.stringify(definition), definition.id]);
    },

    async deleteTable(db: SqlStore, tableId: string): Promise<void> {
      definitions.forget();
      await db.run('DELETE FROM dynamodb_index_entries WHERE table_id = ?', [tableId]);
      await db.run('DELETE FROM dynamodb_items WHERE table_id = ?', [tableId]);
      await db.run('DELETE FROM dynamodb_tables WHERE table_id = ?', [tableId]);
    },

    async tableStats(tableId: string): Promise<{ count: number; bytes: number }> {
      const row = await sql.get<{ n: number; bytes: number | null }>('SELECT COUNT(*) AS n, SUM(size) AS bytes FROM dynamodb_items WHERE table_id = ?', [
        tableId,
      ]);
      return { count: Number(row?.n ?? 0), bytes: Number(row?.bytes ?? 0) };
    },

    async indexStats(tableId: string, index: string): Promise<{ count: number; bytes: number }> {
      const row = await sql.get<{ n: number; bytes: number | null }>(
        'SELECT COUNT(*) AS n, SUM(i.size) AS bytes FROM dynamodb_index_entries e JOIN dynamodb_items i ON i.table_id = e.table_id AND i.pk = e.pk AND i.sk = e.sk WHERE e.table_id = ? AND e.index_name = ?',
        [tableId, index],
      );
      return { count: Number(row?.n ?? 0), bytes: Number(row?.bytes ?? 0) };
    },

    async item(db: SqlStore, tableId: string, key: EncodedKey): Promise<TableItem | undefined> {
      const row = await db.get<{ item: string }>('SELECT item FROM dynamodb_items WHERE table_id = ? AND pk = ? AND sk = ?', [tableId, key.pk, key.sk]);
      return row ? (JSON.parse(row.item) as TableItem) : undefined;
    },

    /** Inserts or replaces the item and its index entries. */
    async writeItem(db: SqlStore, tableId: string, key: EncodedKey, item: TableItem, size: number, entries: IndexEntry[]): Promise<void> {
      await db.run('DELETE FROM dynamodb_index_entries WHERE table_id = ? AND pk = ? AND sk = ?', [tableId, key.pk, key.sk]);
      await db.run('DELETE FROM dynamodb_items WHERE table_id = ? AND pk = ? AND sk = ?', [tableId, key.pk, key.sk]);
      await db.run('INSERT INTO dynamodb_items (table_id, pk, sk, item, size) VALUES (?, ?, ?, ?, ?)', [tableId, key.pk, key.sk, JSON.stringify(item), size]);
      for (const entry of entries) await insertEntry(db, tableId, key, entry);
    },

    async deleteItem(db: SqlStore, tableId: string, key: EncodedKey): Promise<void> {
      await db.run('DELETE FROM dynamodb_index_entries WHERE table_id = ? AND pk = ? AND sk = ?', [tableId, key.pk, key.sk]);
      await db.run('DELETE FROM dynamodb_items WHERE table_id = ? AND pk = ? AND sk = ?', [tableId, key.pk, key.sk]);
    },

    async addIndexEntry(db: SqlStore, tableId: string, key: EncodedKey, entry: IndexEntry): Promise<void> {
      await insertEntry(db, tableId, key, entry);
    },

    async dropIndex(db: SqlStore, tableId: string, index: string): Promise<void> {
      await db.run('DELETE FROM dynamodb_index_entries WHERE table_id = ? AND index_name = ?', [tableId, index]);
    },

    /** Rows of a table or index in key order (reversed when not `forward`), at most `limit`, with their positions. */
    async rows(db: SqlStore, range: RowRange): Promise<ItemRow[]> {
      const indexed = range.index !== undefined;
      const rows = await db.all<RawRow>(...rangeQuery(db, range, indexed ? 'i.item, i.size, e.gpk, e.gsk, e.pk, e.sk' : 'i.item, i.size, i.pk, i.sk'));
      return rows.map((r) => ({
        item: JSON.parse(r.item) as TableItem,
        size: r.size,
        position: indexed ? [toBuffer(r.gpk!), toBuffer(r.gsk!), toBuffer(r.pk), toBuffer(r.sk)] : [toBuffer(r.pk), toBuffer(r.sk)],
      }));
    },

    /**
     * The same rows as `rows`, without their positions: each key column read is a buffer made per row (about
     * four times the cost of reading the item itself), and a paged read needs a position at most once a batch,
     * which it derives from the last item's key as it does from an ExclusiveStartKey.
     */
    async items(db: SqlStore, range: RowRange): Promise<ItemOnlyRow[]> {
      const rows = await db.all<{ item: string; size: number }>(...rangeQuery(db, range, 'i.item, i.size'));
      return rows.map((r) => ({ item: JSON.parse(r.item) as TableItem, size: r.size }));
    },
  };
}

/** The SELECT of `range`'s rows (the given columns) and its parameters. */
function rangeQuery(db: SqlStore, range: RowRange, select: string): [string, unknown[]] {
  const indexed = range.index !== undefined;
  const [partition, sort, order] = indexed ? ['e.gpk', 'e.gsk', ['e.gpk', 'e.gsk', 'e.pk', 'e.sk']] : ['i.pk', 'i.sk', ['i.pk', 'i.sk']];
  const where: string[] = [indexed ? 'e.table_id = ?' : 'i.table_id = ?'];
  const params: unknown[] = [range.tableId];
  if (indexed) {
    where.push('e.index_name = ?');
    params.push(range.index);
  }
  let positionColumns = order;
  if (range.partition) {
    where.push(`${partition} = ?`);
    params.push(range.partition);
    positionColumns = order.slice(1);
  }
  for (const bound of range.sortBounds ?? []) {
    where.push(`${sort} ${bound.op} ?`);
    params.push(bound.value);
  }
  if (range.after) {
    const after = range.partition ? range.after.slice(1) : range.after;
    where.push(`(${positionColumns.join(', ')}) ${range.forward ? '>' : '<'} (${after.map(() => '?').join(', ')})`);
    params.push(...after);
  }
  if (range.numberAtLeast) {
    // The stored item is DynamoDB JSON text: `{"<attribute>": {"N": "<digits>"}, ...}`.
    const atLeast = jsonNumberAtLeast(db.dialect, 'i.item');
    where.push(atLeast.sql);
    params.push(atLeast.path(range.numberAtLeast.attribute), range.numberAtLeast.value);
  }
  const direction = range.forward ? 'ASC' : 'DESC';
  const from = indexed ? 'dynamodb_index_entries e JOIN dynamodb_items i ON i.table_id = e.table_id AND i.pk = e.pk AND i.sk = e.sk' : 'dynamodb_items i';
  params.push(range.limit);
  return [`SELECT ${select} FROM ${from} WHERE ${where.join(' AND ')} ORDER BY ${order.map((c) => `${c} ${direction}`).join(', ')} LIMIT ?`, params];
}

export type TableStore = ReturnType<typeof createTableStore>;

async function insertEntry(db: SqlStore, tableId: string, key: EncodedKey, entry: IndexEntry): Promise<void> {
  await db.run('INSERT INTO dynamodb_index_entries (table_id, index_name, gpk, gsk, pk, sk) VALUES (?, ?, ?, ?, ?, ?)', [
    tableId,
    entry.index,
    entry.key.pk,
    entry.key.sk,
    key.pk,
    key.sk,
  ]);
}
