import type Database from 'better-sqlite3';

export type Db = InstanceType<typeof Database>;

/** Every table's columns, indexes and foreign keys as SQLite reports them (not the text it keeps). */
export function schemaOf(db: Db): Record<string, unknown> {
  const tables = (db.prepare("SELECT name FROM sqlite_master WHERE type = 'table' AND name NOT LIKE 'sqlite_%' ORDER BY name").all() as { name: string }[]).map(
    (t) => t.name,
  );
  return Object.fromEntries(
    tables.map((table) => {
      const indexes = (db.prepare(`PRAGMA index_list("${table}")`).all() as { name: string; unique: number; origin: string; partial: number }[])
        .sort((a, b) => a.name.localeCompare(b.name))
        .map((index) => ({
          ...index,
          name: index.origin === 'c' ? index.name : index.origin,
          columns: db.prepare(`PRAGMA index_xinfo("${index.name}")`).all(),
        }));
      return [
        table,
        { columns: db.prepare(`PRAGMA table_xinfo("${table}")`).all(), indexes, foreignKeys: db.prepare(`PRAGMA foreign_key_list("${table}")`).all() },
      ];
    }),
  );
}
