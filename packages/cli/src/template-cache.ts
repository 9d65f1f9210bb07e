import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { templateSchema, type PushResource, type Template } from '@forte/protocol';

/** What a push keeps of each deployed nested stack: its template and the parameter values it was given. */
export interface DeployedTemplate {
  template: Template;
  parameters?: Record<string, unknown>;
  /** The project file the template was written from, when it was not generated. */
  sourceFile?: string;
}

/** Where #current-cloud-backend keeps a resource's deployed template, relative to it (also its path in the backend snapshot). */
const FOLDER = 'awscloudformation/build';

function relativePath(category: string, resourceName: string): string {
  return `${FOLDER}/${category}/${resourceName}-template.json`;
}

/** Where a push keeps each pushed nested template, to reuse it for resources the next push does not rebuild. */
export function templateCachePath(ccbDir: string, category: string, resourceName: string): string {
  return join(ccbDir, ...relativePath(category, resourceName).split('/'));
}

export function readCachedTemplate(path: string): DeployedTemplate | undefined {
  try {
    const data = JSON.parse(readFileSync(path, 'utf8')) as { template?: unknown; parameters?: Record<string, unknown>; sourceFile?: unknown };
    const template = templateSchema.safeParse(data.template);
    if (!template.success) return undefined;
    return { template: template.data, parameters: data.parameters ?? {}, ...(typeof data.sourceFile === 'string' ? { sourceFile: data.sourceFile } : {}) };
  } catch {
    return undefined;
  }
}

/**
 * The backend snapshot a push stores, with the templates and parameters it deploys: an env checkout or a
 * pull writes the snapshot into #current-cloud-backend, so `status -v` there diffs against what that
 * environment really runs, and the next push reuses them.
 */
export function withDeployedTemplates(snapshot: Record<string, Buffer>, resources: PushResource[]): Record<string, Buffer> {
  const files = { ...snapshot };
  for (const r of resources) {
    const deployed: DeployedTemplate = {
      template: r.template,
      parameters: r.parameters ?? {},
      ...(r.sourceFile === undefined ? {} : { sourceFile: r.sourceFile }),
    };
    files[relativePath(r.category, r.resourceName)] = Buffer.from(`${JSON.stringify(deployed, null, 2)}\n`);
  }
  return files;
}

/** The snapshot without the deployed templates: what `--restore` writes into backend/. */
export function backendFilesOf(snapshot: Record<string, Buffer>): Record<string, Buffer> {
  return Object.fromEntries(Object.entries(snapshot).filter(([path]) => !path.startsWith(`${FOLDER}/`)));
}
