import type { SqlStore } from '../types.js';

// U+0000 is written as U+0001 U+0001 and U+0001 as U+0001 U+0002. The code is prefix-free and keeps the order of
// the characters it replaces, so byte order (COLLATE "C"), equality and prefixes of the stored text are those of
// the original: `key > ?`, `ORDER BY key` and `substr(key, 1, ?) = ?` answer as they would on it.
const NEEDS_ESCAPE = /[\u0000\u0001]/;
const ESCAPED = /[\u0000\u0001]/g;
const NEEDS_UNESCAPE = /\u0001/;
const UNESCAPED = /\u0001([\u0001\u0002])/g;

/** Text as PostgreSQL can hold it (see `nulSafeText`); text without U+0000 or U+0001 is returned as is. */
export function escapeNul(value: string): string {
  return NEEDS_ESCAPE.test(value) ? value.replace(ESCAPED, (c) => (c === '\u0000' ? '\u0001\u0001' : '\u0001\u0002')) : value;
}

/** The text `escapeNul` was given. */
export function unescapeNul(value: string): string {
  return NEEDS_UNESCAPE.test(value) ? value.replace(UNESCAPED, (_all, c: string) => (c === '\u0001' ? '\u0000' : '\u0001')) : value;
}

/**
 * The length in characters (code points, as SQL's `length` and `substr` count) of `value` as `sql` stores it:
 * for a prefix test, `substr(column, 1, ?) = ?` with this and the prefix. (JavaScript's `length` counts UTF-16
 * units, two for a character outside the BMP; SQLite's `length()` stops at the first U+0000.)
 */
export function storedLength(sql: SqlStore, value: string): number {
  let n = 0;
  for (const _ of sql.dialect === 'postgres' ? escapeNul(value) : value) n += 1;
  return n;
}

const escapeParams = (params: unknown[] | undefined): unknown[] | undefined => params?.map((p) => (typeof p === 'string' ? escapeNul(p) : p));

function unescapeRow<T>(row: T): T {
  if (typeof row !== 'object' || row === null) return row;
  const record = row as Record<string, unknown>;
  for (const name of Object.keys(record)) {
    const value = record[name];
    if (typeof value === 'string' && NEEDS_UNESCAPE.test(value)) record[name] = unescapeNul(value);
  }
  return row;
}

/**
 * The store with every text parameter and every text column read passed through `escapeNul`/`unescapeNul` on
 * PostgreSQL, which refuses U+0000 in TEXT (SQLite keeps it, and gets `sql` back unchanged). Services whose rows
 * or lookups carry text a user chose (log lines a function printed, names and keys in request paths) use it,
 * so such text is stored, found and not found as on SQLite instead of failing the statement (and with it the
 * transaction). Every statement on the service's tables must go through it: it is the stored form that is
 * escaped. JSON text never holds either character raw (JSON.stringify escapes control characters).
 */
export function nulSafeText(sql: SqlStore): SqlStore {
  if (sql.dialect !== 'postgres') return sql;
  const wrap = (on: SqlStore): SqlStore => ({
    dialect: on.dialect,
    all: async <T>(text: string, params?: unknown[]) => (await on.all<T>(text, escapeParams(params))).map(unescapeRow),
    get: async <T>(text: string, params?: unknown[]) => unescapeRow(await on.get<T>(text, escapeParams(params))),
    run: (text, params) => on.run(text, escapeParams(params)),
    transaction: (fn) => on.transaction((tx) => fn(wrap(tx))),
    ...(on.dataVersion ? { dataVersion: on.dataVersion } : {}),
    migrate: (namespace, migrations) => on.migrate(namespace, migrations),
    close: () => on.close(),
  });
  return wrap(sql);
}
