import { join } from 'node:path';
import { backendConfigSchema } from '@forte/protocol';
import { collectBackendFiles } from './backend-files.js';
import { resourcesOf } from './cloud-state.js';
import { readJsonFile } from './json-file.js';
import type { ProjectModel } from './project-model.js';

type Config = Record<string, Record<string, unknown>>;

/**
 * What one push covers. `forte push` covers everything; `forte push <category> [resource]` covers only
 * those resources: the others stay exactly as deployed (template, files, backend-config entry), even when
 * they were edited or removed locally, so their changes are still shown and pushed later.
 */
export interface PushScope {
  includes(category: string, resourceName: string): boolean;
  /**
   * The backend-config of the new snapshot and the root stack: local entries inside the scope, deployed
   * ones outside it (also those removed locally: they stay deployed until a push that covers them).
   */
  backendConfig: Config;
  /** Files of the new #current-cloud-backend snapshot. */
  snapshot: Record<string, Buffer>;
}

export function pushScope(project: ProjectModel, filter: { categories?: string[]; resourceName?: string }): PushScope {
  const local = project.readBackendConfig() as Config;
  const includes = (category: string, resourceName: string): boolean =>
    !filter.categories || (filter.categories.includes(category) && (filter.resourceName === undefined || filter.resourceName === resourceName));
  if (!filter.categories) return { includes, backendConfig: local, snapshot: collectBackendFiles(project.backendDir) };

  const deployed = (readJsonFile(join(project.currentCloudBackendDir, 'backend-config.json'), backendConfigSchema, project.root) ?? {}) as Config;
  const backendConfig: Config = {};
  const put = (category: string, name: string, entry: Record<string, unknown>): void => void ((backendConfig[category] ??= {})[name] = entry);
  for (const [category, name, entry] of resourcesOf(local)) if (includes(category, name)) put(category, name, entry);
  for (const [category, name, entry] of resourcesOf(deployed)) if (!includes(category, name)) put(category, name, entry);
  for (const key of ['parameters']) if (local[key]) backendConfig[key] = local[key];

  // Resource folders come from backend/ inside the scope and from the deployed snapshot outside it.
  const resourceDirs = new Set([...resourcesOf(local), ...resourcesOf(deployed)].map(([category, name]) => `${category}/${name}/`));
  const resourceOf = (path: string): [string, string] | undefined => {
    const [category, name] = path.split('/');
    return category && name && resourceDirs.has(`${category}/${name}/`) && path.length > category.length + name.length + 2 ? [category, name] : undefined;
  };
  const snapshot: Record<string, Buffer> = {};
  for (const [path, content] of Object.entries(collectBackendFiles(project.backendDir))) {
    const resource = resourceOf(path);
    if (path !== 'backend-config.json' && (!resource || includes(...resource))) snapshot[path] = content;
  }
  for (const [path, content] of Object.entries(collectBackendFiles(project.currentCloudBackendDir))) {
    const resource = resourceOf(path);
    if (resource && !includes(...resource)) snapshot[path] = content;
  }
  snapshot['backend-config.json'] = Buffer.from(`${JSON.stringify(backendConfig, null, 2)}\n`);
  return { includes, backendConfig, snapshot };
}
