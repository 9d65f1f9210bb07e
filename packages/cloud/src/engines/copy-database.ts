import Database from 'better-sqlite3';
import type { SqlStore } from './types.js';

/** What a copy moved: rows per table. */
export type CopiedTables = { table: string; rows: number }[];

const BATCH = 500;

/**
 * Copies every table of an embedded database (a stopped cloud's forte.db) into a store whose tables the same
 * version of the cloud has just created (a first start on it ran every migration): each target table is
 * emptied of what that start wrote and filled with the source's rows, in one transaction, so a failed copy
 * leaves the target as it was. The migrations' own bookkeeping is not copied: the target has its own.
 */
export async function copyEmbeddedDatabase(file: string, target: SqlStore): Promise<CopiedTables> {
  const source = new Database(file, { readonly: true, fileMustExist: true });
  try {
    const tables = (
      source
        .prepare("SELECT name FROM sqlite_master WHERE type = 'table' AND name NOT LIKE 'sqlite_%' AND name <> 'schema_migrations' ORDER BY name")
        .all() as {
        name: string;
      }[]
    ).map((row) => row.name);
    const copied: CopiedTables = [];
    await target.transaction(async (tx) => {
      copied.length = 0;
      for (const table of tables) {
        const columns = (source.prepare(`PRAGMA table_info("${table}")`).all() as { name: string }[]).map((c) => c.name);
        await tx.run(`DELETE FROM ${table}`);
        const insert = (count: number): string =>
          `INSERT INTO ${table} (${columns.join(', ')}) VALUES ${Array.from({ length: count }, () => `(${columns.map(() => '?').join(', ')})`).join(', ')}`;
        let rows = 0;
        let batch: unknown[][] = [];
        const flush = async (): Promise<void> => {
          if (batch.length === 0) return;
          await tx.run(insert(batch.length), batch.flat());
          rows += batch.length;
          batch = [];
        };
        for (const row of source.prepare(`SELECT * FROM "${table}"`).raw().iterate() as IterableIterator<unknown[]>) {
          batch.push(row);
          if (batch.length >= BATCH) await flush();
        }
        await flush();
        copied.push({ table, rows });
      }
    });
    return copied;
  } finally {
    source.close();
  }
}
