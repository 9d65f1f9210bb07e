import { existsSync, readdirSync } from 'node:fs';
import { join, posix } from 'node:path';
import picomatch from 'picomatch';

/** Folders never searched for query documents. */
const SKIPPED = new Set(['node_modules', '.git']);

const normalise = (pattern: string): string => pattern.replace(/\\/g, '/').replace(/^(\.\/)+/, '');

/** A matcher for project-relative `/`-separated paths (`./` prefixes ignored, as graphql-config writes them). */
export function globMatcher(patterns: string[]): (path: string) => boolean {
  return patterns.length === 0 ? () => false : picomatch(patterns.map(normalise));
}

/**
 * Project-relative files matching any `includes` glob and no `excludes` glob, sorted. Only the folders
 * under each pattern's fixed prefix are walked.
 */
export function matchFiles(root: string, includes: string[], excludes: string[]): string[] {
  const excluded = globMatcher(excludes);
  const found = new Set<string>();
  for (const pattern of includes) {
    const matches = globMatcher([pattern]);
    const base = globParent(pattern);
    for (const file of walk(root, base === '.' ? '' : base)) {
      if (matches(file) && !excluded(file)) found.add(file);
    }
  }
  return [...found].sort();
}

/** The fixed folder in front of a glob's first wildcard (`src/graphql/**\/*.js` → `src/graphql`). */
export function globParent(pattern: string): string {
  const glob = normalise(pattern);
  const scanned = picomatch.scan(glob);
  const base = scanned.isGlob ? scanned.base : posix.dirname(glob);
  return base === '' ? '.' : base;
}

function* walk(root: string, dir: string): Generator<string> {
  const absolute = join(root, dir);
  if (!existsSync(absolute)) return;
  for (const entry of readdirSync(absolute, { withFileTypes: true })) {
    const path = dir === '' ? entry.name : `${dir}/${entry.name}`;
    if (entry.isDirectory()) {
      if (!SKIPPED.has(entry.name)) yield* walk(root, path);
    } else if (entry.isFile()) {
      yield path;
    }
  }
}
