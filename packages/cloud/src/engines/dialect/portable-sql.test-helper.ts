import assert from 'node:assert/strict';
import { readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { describe, it } from 'node:test';

/** SQL that SQLite runs and PostgreSQL does not (or runs differently), with the portable way to write it. */
const SQLITE_ONLY: Array<[RegExp, string]> = [
  [/\bINSERT\s+OR\s+(IGNORE|REPLACE)\b/i, 'INSERT … ON CONFLICT (…) DO NOTHING / DO UPDATE SET'],
  [/\bjson_(extract|each|set|insert|remove|group_array)\s*\(/i, 'a column of its own, or read and filter in JavaScript'],
  [/\bIFNULL\s*\(/i, 'COALESCE'],
  [/\b(datetime|strftime|julianday|unixepoch)\s*\(/i, 'times computed in JavaScript'],
  [/\browid\b/i, 'a key column'],
  [/\bLIMIT\s+-1\b/i, 'no LIMIT'],
  [/\bGLOB\b/, 'substr(…) = ? or a comparison'],
  [/(?<!CAST\()\?\s+IS\s+(NOT\s+)?NULL\b/i, 'CAST(? AS TEXT) IS NULL (PostgreSQL cannot type a bare parameter)'],
  [/\bWITHOUT\s+ROWID\b/i, 'a plain table'],
];

/**
 * Fails for every SQLite-only construct in the TypeScript sources of a service (`srcDir`, relative to the
 * built test's folder is `../../../src/services/<svc>`), so a statement that would only run on SQLite is caught
 * before it reaches PostgreSQL.
 */
export function portableSqlGuard(service: string, testUrl: string): void {
  const here = fileURLToPath(new URL('.', testUrl));
  const srcDir = join(here, '..', '..', '..', 'src', 'services', service);
  void describe(`${service}: portable SQL`, () => {
    void it('holds no SQLite-only SQL', () => {
      const found: string[] = [];
      const walk = (dir: string): void => {
        for (const entry of readdirSync(dir, { withFileTypes: true })) {
          const path = join(dir, entry.name);
          if (entry.isDirectory()) walk(path);
          else if (entry.name.endsWith('.ts') && !entry.name.endsWith('.test.ts')) {
            readFileSync(path, 'utf8')
              .split('\n')
              .forEach((line, i) => {
                for (const [pattern, instead] of SQLITE_ONLY) if (pattern.test(line)) found.push(`${path}:${i + 1}: ${line.trim()} (write ${instead})`);
              });
          }
        }
      };
      walk(srcDir);
      assert.deepEqual(found, []);
    });
  });
}
