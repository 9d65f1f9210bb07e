import { readdirSync, readFileSync } from 'node:fs';
import { join, relative } from 'node:path';
import { fileURLToPath } from 'node:url';

/** SQL only SQLite runs (docs/architecture.md, Engines), each with the portable way to say it. */
const SQLITE_ONLY: readonly { pattern: RegExp; instead: string }[] = [
  { pattern: /\bINSERT\s+OR\s+(IGNORE|REPLACE)\b/i, instead: 'INSERT … ON CONFLICT … DO' },
  { pattern: /\bjson_(extract|each|set|object|array|group_array)\s*\(/i, instead: 'a column of its own, jsonMemberText or JSON read in JavaScript' },
  { pattern: /\bIFNULL\s*\(/i, instead: 'COALESCE' },
  { pattern: /\b(datetime|strftime|julianday|unixepoch)\s*\(/i, instead: 'times computed in JavaScript' },
  { pattern: /\browid\b/i, instead: 'the primary key' },
  { pattern: /\bLIMIT\s+-1\b/i, instead: 'no LIMIT' },
];

/** The source folder of a package folder, given a test's `import.meta.url` in dist and the path under src. */
export const sourceFolder = (testUrl: string, underSrc: string): string => {
  const dist = fileURLToPath(new URL('.', testUrl));
  const root = dist.slice(0, dist.lastIndexOf('/dist/'));
  return join(root, 'src', underSrc);
};

/** Every SQLite-only construct in the `.ts` files (tests aside) under `folder`, as `file:line: text (use …)`. */
export function findSqliteOnlySql(folder: string): string[] {
  const found: string[] = [];
  const walk = (dir: string): void => {
    for (const entry of readdirSync(dir, { withFileTypes: true })) {
      const path = join(dir, entry.name);
      if (entry.isDirectory()) walk(path);
      else if (entry.name.endsWith('.ts') && !/\.test(-helper)?\.ts$/.test(entry.name))
        readFileSync(path, 'utf8')
          .split('\n')
          .forEach((line, i) => {
            for (const { pattern, instead } of SQLITE_ONLY)
              if (pattern.test(line)) found.push(`${relative(folder, path)}:${i + 1}: ${line.trim()} (use ${instead})`);
          });
    }
  };
  walk(folder);
  return found;
}
