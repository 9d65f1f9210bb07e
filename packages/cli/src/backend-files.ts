import { readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';

/** Left out of the backend snapshot: dependencies and generated output (rebuilt on push). */
const SKIPPED = new Set(['node_modules', 'build', 'dist', '.temp']);

/**
 * Except a GraphQL API's compiled `build/` (schema, resolver plan, model introspection): like Amplify's
 * current cloud backend, the snapshot keeps it, so a pull or an env checkout can write the frontend configs
 * (amplify_outputs.json's model introspection) without compiling the API first.
 */
const keptBuild = (prefix: string): boolean => /^api\/[^/]+$/.test(prefix);

/** Files of the backend folder (relative path with forward slashes → content) for the env's snapshot. */
export function collectBackendFiles(backendDir: string): Record<string, Buffer> {
  const files: Record<string, Buffer> = {};
  const walk = (dir: string, prefix: string): void => {
    let entries;
    try {
      entries = readdirSync(dir, { withFileTypes: true });
    } catch {
      return;
    }
    for (const entry of entries) {
      if (SKIPPED.has(entry.name) && !(entry.name === 'build' && entry.isDirectory() && keptBuild(prefix))) continue;
      const rel = prefix ? `${prefix}/${entry.name}` : entry.name;
      if (entry.isDirectory()) walk(join(dir, entry.name), rel);
      else if (entry.isFile()) files[rel] = readFileSync(join(dir, entry.name));
    }
  };
  walk(backendDir, '');
  return files;
}
