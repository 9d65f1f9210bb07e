import { existsSync, readdirSync, readFileSync, statSync } from 'node:fs';
import { join, relative, sep } from 'node:path';
import { UserError, type Project } from '@forte/protocol';

const API_CATEGORY = 'api';
const APPSYNC_SERVICE = 'AppSync';

/** The project's GraphQL API (AppSync service in backend-config.json's api category). */
export function findGraphqlApi(project: Project): string {
  const api = project.readBackendConfig()[API_CATEGORY] ?? {};
  const name = Object.entries(api).find(([, entry]) => entry.service === APPSYNC_SERVICE)?.[0];
  if (!name) throw new UserError('There are no GraphQL APIs available.', 'Add one with `forte add api`.');
  return name;
}

/** `amplify/backend/api/<name>/build/schema.graphql`, relative to the project root with `/` separators. */
export function compiledSchemaPath(project: Project, apiName: string): string {
  return toPosix(relative(project.root, join(project.resourceDir(API_CATEGORY, apiName), 'build', 'schema.graphql')));
}

/** The compiled schema at `schemaPath` (project-relative); a UserError naming the commands that write it. */
export function readCompiledSchema(project: Project, schemaPath: string): string {
  const file = join(project.root, schemaPath);
  if (!existsSync(file)) {
    throw new UserError(
      `The compiled GraphQL schema ${schemaPath} does not exist.`,
      "Run `forte api gql-compile` (or `forte push`) to compile the API's schema, then run this command again.",
    );
  }
  return readFileSync(file, 'utf8');
}

/**
 * The API's input schema (DataStore models are generated from it, as in Amplify): `schema.graphql`, or
 * every `*.graphql` file under `schema/`, sorted by path and joined. `modelSchema` overrides the location.
 */
export function readInputSchema(project: Project, apiName: string, modelSchema?: string): string {
  const location = modelSchema ? join(project.root, modelSchema) : project.resourceDir(API_CATEGORY, apiName);
  if (existsSync(location) && statSync(location).isFile()) return readFileSync(location, 'utf8');
  const single = join(location, 'schema.graphql');
  if (existsSync(single)) return readFileSync(single, 'utf8');
  const folder = join(location, 'schema');
  const files = existsSync(folder) && statSync(folder).isDirectory() ? graphqlFiles(folder) : [];
  if (files.length === 0) {
    throw new UserError(
      `No GraphQL schema found in ${location} (schema.graphql or schema/*.graphql).`,
      "Write the API's schema there, or pass --model-schema with the path of one.",
    );
  }
  return files.map((f) => readFileSync(f, 'utf8')).join('\n');
}

function graphqlFiles(dir: string): string[] {
  return readdirSync(dir, { withFileTypes: true })
    .sort((a, b) => a.name.localeCompare(b.name))
    .flatMap((entry) => {
      const path = join(dir, entry.name);
      if (entry.isDirectory()) return graphqlFiles(path);
      return entry.name.endsWith('.graphql') ? [path] : [];
    });
}

/** A relative path with `/` separators, as .graphqlconfig.yml holds them. */
export function toPosix(path: string): string {
  return path.split(sep).join('/');
}
