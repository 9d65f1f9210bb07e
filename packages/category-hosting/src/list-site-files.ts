import { existsSync, readdirSync, readFileSync, statSync } from 'node:fs';
import { join } from 'node:path';
import picomatch from 'picomatch';
import { UserError, type LocalSiteFile } from '@forte/protocol';

/** Globs of files never published, at the project root (Amplify's S3AndCloudFront file, same format). */
export const PUBLISH_IGNORE_FILE = 'amplifyPublishIgnore.json';

/**
 * Every file below `distributionDir` as a site path (forward slashes, no leading slash), minus the globs of
 * `amplifyPublishIgnore.json`. A glob also drops everything under a folder it matches.
 */
export function listSiteFiles(distributionDir: string, projectRoot: string): LocalSiteFile[] {
  const ignored = readIgnoreMatcher(projectRoot);
  const out: LocalSiteFile[] = [];
  const walk = (dir: string, prefix: string): void => {
    for (const name of readdirSync(dir).sort()) {
      const absolutePath = join(dir, name);
      const path = prefix ? `${prefix}/${name}` : name;
      if (ignored(path)) continue;
      const info = statSync(absolutePath);
      if (info.isDirectory()) walk(absolutePath, path);
      else if (info.isFile()) out.push({ path, absolutePath });
    }
  };
  walk(distributionDir, '');
  return out;
}

function readIgnoreMatcher(projectRoot: string): (path: string) => boolean {
  const file = join(projectRoot, PUBLISH_IGNORE_FILE);
  if (!existsSync(file)) return () => false;
  let globs: unknown;
  try {
    globs = JSON.parse(readFileSync(file, 'utf8'));
  } catch (error) {
    throw new UserError(`${PUBLISH_IGNORE_FILE} is not valid JSON.`, 'Make it a JSON array of glob strings, e.g. ["*.map", "drafts/**"].', { cause: error });
  }
  if (!Array.isArray(globs) || !globs.every((g) => typeof g === 'string')) {
    throw new UserError(`${PUBLISH_IGNORE_FILE} must be a JSON array of glob strings.`, 'For example: ["*.map", "drafts/**"].');
  }
  if (globs.length === 0) return () => false;
  const full = picomatch(globs, { dot: true });
  // Globs without a slash match a name at any depth, as in .gitignore (`*.map`, `.DS_Store`).
  const byName = picomatch(
    globs.filter((g) => !g.includes('/')),
    { dot: true },
  );
  return (path) => full(path) || byName(path.slice(path.lastIndexOf('/') + 1));
}
