import { createHash } from 'node:crypto';
import { readdirSync, readFileSync } from 'node:fs';
import { basename, join } from 'node:path';

/** Folders and files left out of resource hashes (Amplify's folder-hash excludes; `build` is generated). */
const EXCLUDED = new Set(['node_modules', 'test_coverage', 'dist', 'build']);

export function isHashExcluded(name: string): boolean {
  return name.startsWith('.') || EXCLUDED.has(name);
}

/**
 * Hash of a folder's names and contents, recursively (sha1, base64, like the folder-hash package Amplify
 * uses for `lastPushDirHash`), leaving out dot-files, node_modules, test_coverage, dist and build.
 * undefined when the folder does not exist.
 */
export function folderHash(dir: string): string | undefined {
  let entries;
  try {
    entries = readdirSync(dir, { withFileTypes: true });
  } catch {
    return undefined;
  }
  const hash = createHash('sha1').update(basename(dir));
  for (const entry of entries.filter((e) => !isHashExcluded(e.name)).sort((a, b) => (a.name < b.name ? -1 : 1))) {
    const path = join(dir, entry.name);
    if (entry.isDirectory()) hash.update(folderHash(path) ?? '');
    else if (entry.isFile()) hash.update(createHash('sha1').update(entry.name).update(readFileSync(path)).digest('base64'));
  }
  return hash.digest('base64');
}
