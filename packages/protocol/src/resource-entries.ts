import type { Project } from './plugin.js';
import type { BackendResource } from './project-files.js';

/**
 * Records a new resource of `category` in backend-config.json and amplify-meta.json (the same entry in both), as
 * Amplify's `updateamplifyMetaAfterResourceAdd` does.
 */
export function addResourceEntry(
  project: Pick<Project, 'readBackendConfig' | 'writeBackendConfig' | 'readMeta' | 'writeMeta'>,
  category: string,
  name: string,
  entry: BackendResource,
): void {
  const backend = project.readBackendConfig();
  backend[category] = { ...backend[category], [name]: entry };
  project.writeBackendConfig(backend);
  const meta = project.readMeta();
  meta[category] = { ...meta[category], [name]: { ...entry } };
  project.writeMeta(meta);
}

/** Drops a resource's entries from backend-config.json and amplify-meta.json, and the category's when it was its last. */
export function removeResourceEntry(
  project: Pick<Project, 'readBackendConfig' | 'writeBackendConfig' | 'readMeta' | 'writeMeta'>,
  category: string,
  name: string,
): void {
  for (const [read, write] of [
    [() => project.readBackendConfig(), (v: never) => project.writeBackendConfig(v)],
    [() => project.readMeta(), (v: never) => project.writeMeta(v)],
  ] as const) {
    const file = read() as Record<string, Record<string, unknown> | undefined>;
    const rest = { ...file[category] };
    delete rest[name];
    if (Object.keys(rest).length > 0) file[category] = rest;
    else delete file[category];
    write(file as never);
  }
}
