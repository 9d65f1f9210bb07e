import { readdirSync, readFileSync, statSync } from 'node:fs';
import { join, relative, sep } from 'node:path';
import { zipSync, type Zippable } from 'fflate';

/** Every zip entry gets this time, so the same files always give the same bytes (and hash). */
const FIXED_TIME = new Date('1980-01-01T00:00:00Z');

function collect(root: string, dir: string, prefix: string, out: Map<string, Buffer>): void {
  for (const entry of readdirSync(dir, { withFileTypes: true }).sort((a, b) => (a.name < b.name ? -1 : a.name > b.name ? 1 : 0))) {
    const full = join(dir, entry.name);
    const stats = entry.isSymbolicLink() ? statSync(full, { throwIfNoEntry: false }) : undefined;
    if (entry.isDirectory() || stats?.isDirectory()) collect(root, full, prefix, out);
    else if (entry.isFile() || stats?.isFile()) out.set(prefix + relative(root, full).split(sep).join('/'), readFileSync(full));
  }
}

/**
 * Zips folders deterministically: entries sorted by path, fixed timestamps, every file's bytes as read.
 * Each folder's contents go under its prefix (`''` = the zip root); a later folder's file wins on a clash;
 * `exclude` names zip paths to leave out.
 */
export function zipFolders(folders: { dir: string; prefix?: string }[], exclude: string[] = []): Buffer {
  const files = new Map<string, Buffer>();
  for (const { dir, prefix } of folders) collect(dir, dir, prefix ?? '', files);
  for (const path of exclude) files.delete(path);
  const zippable: Zippable = {};
  for (const path of [...files.keys()].sort()) zippable[path] = [files.get(path)!, { mtime: FIXED_TIME, level: 6 }];
  return Buffer.from(zipSync(zippable));
}
