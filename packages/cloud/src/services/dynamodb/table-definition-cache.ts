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
 * Cluster: with several instances on one database, `onChanged` runs after each committed change, and the
 * service tells the other instances through the bus, which call `forget` (dynamodb/index.ts).
 */
export function createTableDefinitionCache(options: { onChanged?: () => void } = {}) {
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
      let result: T;
      try {
        result = await fn();
      } finally {
        changing -= 1;
        forget();
      }
      options.onChanged?.();
      return result;
    },
    /** Drops every remembered definition. */
    forget,
    /** Definitions held (tests). */
    size: (): number => definitions.size,
  };
}

export type TableDefinitionCache = ReturnType<typeof createTableDefinitionCache>;
