import { UserError, type PluginContext, type Project } from './plugin.js';
import type { BackendConfig, BackendResource } from './project-files.js';

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

/**
 * The resources of backend-config.json that depend on resource `name` of `category` (`<category> <resource>` each):
 * what a remove refuses to leave dangling.
 */
export function dependentsOf(backend: BackendConfig, category: string, name: string): string[] {
  const out: string[] = [];
  for (const [dependentCategory, resources] of Object.entries(backend)) {
    if (dependentCategory === 'parameters') continue;
    for (const [resourceName, entry] of Object.entries(resources ?? {})) {
      const deps = Array.isArray(entry.dependsOn) ? (entry.dependsOn as { category?: string; resourceName?: string }[]) : [];
      if (deps.some((d) => d.category === category && d.resourceName === name)) out.push(`${dependentCategory} ${resourceName}`);
    }
  }
  return out;
}

/**
 * Amplify's question before a resource is removed, after refusing while other resources depend on it (named, with
 * `dependencyHint`, how to take the dependency away). `--yes` answers it; a no is said. True when the resource may go.
 */
export async function confirmRemoval(
  ctx: Pick<PluginContext, 'project' | 'prompt' | 'print'>,
  category: string,
  name: string,
  dependencyHint: string,
): Promise<boolean> {
  const dependents = dependentsOf(ctx.project().readBackendConfig(), category, name);
  if (dependents.length > 0)
    throw new UserError(`${name} cannot be removed: ${dependents.join(', ')} depend${dependents.length === 1 ? 's' : ''} on it.`, dependencyHint);
  const confirmed =
    ctx.prompt.yes ||
    (await ctx.prompt.confirm({
      message: 'Are you sure you want to delete the resource? This action deletes all files related to this resource from the backend directory.',
      default: false,
    }));
  if (!confirmed) ctx.print.info('Nothing was removed.');
  return confirmed;
}
