import { existsSync, readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import type { Project } from '@forte/protocol';

/** The `@model` types of a GraphQL API resource, from `schema.graphql` or the files of `schema/`. */
export function modelNames(project: Project, api: string): string[] {
  const dir = project.resourceDir('api', api);
  const schemaDir = join(dir, 'schema');
  const files = [
    join(dir, 'schema.graphql'),
    ...(existsSync(schemaDir)
      ? readdirSync(schemaDir)
          .sort()
          .map((f) => join(schemaDir, f))
      : []),
  ];
  return files
    .filter((f) => f.endsWith('.graphql') && existsSync(f))
    .flatMap((f) =>
      [
        ...readFileSync(f, 'utf8')
          .replace(/#[^\n]*/g, '')
          .matchAll(/\btype\s+(\w+)[^{]*@model\b/g),
      ].map((m) => m[1]!),
    );
}

/** The project's AppSync API (a project has at most one), if any. */
export function appSyncApi(project: Project): string | undefined {
  return Object.entries(project.readBackendConfig()['api'] ?? {}).find(([, e]) => e.service === 'AppSync')?.[0];
}

/** Amplify's name for a `@model` table among storage resources: `<Model>:@model(appsync)`. */
export const MODEL_TABLE_SUFFIX = ':@model(appsync)';
