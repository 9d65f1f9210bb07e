import { readdirSync, readFileSync } from 'node:fs';
import { join, relative } from 'node:path';

/**
 * SQL that only SQLite runs: what a service's statements must not hold, so they run on PostgreSQL too
 * (docs/architecture.md, Engines). Each with the portable way to say it.
 */
export const SQLITE_ONLY_SQL: readonly { pattern: RegExp; instead: string }[] = [
  { pattern: /\bINSERT\s+OR\s+(IGNORE|REPLACE)\b/i, instead: 'INSERT … ON CONFLICT … DO' },
  {
    pattern: /\bjson_(extract|each|set|insert|remove|object|array|group_array)\s*\(/i,
    instead: 'a column of its own, jsonMemberText or JSON read in JavaScript',
  },
  { pattern: /\bIFNULL\s*\(/i, instead: 'COALESCE' },
  { pattern: /\b(datetime|strftime|julianday|unixepoch)\s*\(/i, instead: 'times computed in JavaScript' },
  { pattern: /\browid\b/i, instead: 'the primary key' },
  { pattern: /\bLIMIT\s+-1\b/i, instead: 'no LIMIT' },
  { pattern: /\bGLOB\s+['?]/i, instead: 'LIKE or a range on the key' },
  { pattern: /(?<!CAST\()\?\s+IS\s+(NOT\s+)?NULL\b/i, instead: 'CAST(? AS TEXT) IS NULL (PostgreSQL cannot type a bare parameter)' },
  { pattern: /\bWITHOUT\s+ROWID\b/i, instead: 'a plain table' },
];

/** Every `.ts` file (tests aside) under `folder`, with each SQLite-only construct it holds: `file:line: text`. */
export function findSqliteOnlySql(folder: string): string[] {
  const found: string[] = [];
  const walk = (dir: string): void => {
    for (const entry of readdirSync(dir, { withFileTypes: true })) {
      const path = join(dir, entry.name);
      if (entry.isDirectory()) walk(path);
      else if (/\.ts$/.test(entry.name) && !/\.test(-helper)?\.ts$/.test(entry.name)) {
        readFileSync(path, 'utf8')
          .split('\n')
          .forEach((line, i) => {
            for (const { pattern, instead } of SQLITE_ONLY_SQL)
              if (pattern.test(line)) found.push(`${relative(folder, path)}:${i + 1}: ${line.trim()} (use ${instead})`);
          });
      }
    }
  };
  walk(folder);
  return found;
}
