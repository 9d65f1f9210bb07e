import type { TableDefinition } from './table-definition.js';

/**
 * Table definitions by name, kept in memory: every item request needs its table's definition, and
 * definitions change only through the table service's own CreateTable, UpdateTable, DeleteTable and
 * resource handlers (a push). Those run inside `change`, which empties the cache when it starts and again
 * when it ends (committed or rolled back), and while any runs nothing is remembered, so a definition
 * read inside an uncommitted change is never kept. A read that started before a change and ends after it
 * is not kept either (the generation moved on).
 *
 * Definitions are shared between requests: callers must not modify them (table-admin clones first).
 *
 * Cluster: this is right for one process per database. With several instances on one database, a change
 * made by another instance stays unseen here until this one changes a table itself; scale-out needs the
 * bus to carry a "tables changed" message that calls `forget` on every instance (or a version column in
 * `dynamodb_tables` checked by the item statements).
 */
export function createTableDefinitionCache() {
  const definitions = new Map<string, TableDefinition>();
  let generation = 0;
  let changing = 0;
  const forget = (): void => {
    definitions.clear();
    generation += 1;
  };
  return {
    /** The definition of `name`: remembered, or read by `read` (and remembered when no change ran meanwhile). */
    async get(name: string, read: () => Promise<TableDefinition | undefined>): Promise<TableDefinition | undefined> {
      const known = definitions.get(name);
      if (known) return known;
      const started = generation;
      const definition = await read();
      if (definition && changing === 0 && started === generation) definitions.set(name, definition);
      return definition;
    },
    /** Runs a change of table definitions (a transaction that writes them): nothing read before or during it is kept. */
    async change<T>(fn: () => Promise<T>): Promise<T> {
      changing += 1;
      forget();
      try {
        return await fn();
      } finally {
        changing -= 1;
        forget();
      }
    },
    /** Drops every remembered definition. */
    forget,
    /** Definitions held (tests). */
    size: (): number => definitions.size,
  };
}

export type TableDefinitionCache = ReturnType<typeof createTableDefinitionCache>;
