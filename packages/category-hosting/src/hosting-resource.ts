import { mkdirSync, writeFileSync } from 'node:fs';
import { dirname } from 'node:path';
import type { BackendResource, Project } from '@forte/protocol';
import { CATEGORY, isHostingService, type HostingService } from './hosting-services.js';

export interface HostingResource {
  resourceName: string;
  service: HostingService;
  entry: BackendResource;
}

/** The project's hosting resource (a project has at most one), from backend-config.json. */
export function findHostingResource(project: Project): HostingResource | undefined {
  const hosting = project.readBackendConfig()[CATEGORY] ?? {};
  for (const [resourceName, entry] of Object.entries(hosting)) {
    if (isHostingService(entry.service)) return { resourceName, service: entry.service, entry };
  }
  return undefined;
}

/** Writes pretty JSON (Amplify writes its project files with 2-space indents), creating the folder. */
export function writeJson(path: string, value: unknown): void {
  mkdirSync(dirname(path), { recursive: true });
  writeFileSync(path, `${JSON.stringify(value, null, 2)}\n`);
}
