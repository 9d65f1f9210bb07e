import { existsSync, mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { UserError, type Project } from '@forte/protocol';

export const CATEGORY = 'function';
export const SERVICE = 'Lambda';
export const LAYER_SERVICE = 'LambdaLayer';
export const PROVIDER_PLUGIN = 'awscloudformation';
/** Amplify's runtime for new Node.js functions (`cloudTemplateValue` of the NodeJS runtime provider). */
export const NODE_RUNTIME = 'nodejs22.x';

/** The files of one function folder, `amplify/backend/function/<name>/` (Amplify's names). */
export function functionPaths(dir: string, name: string) {
  return {
    dir,
    template: join(dir, `${name}-cloudformation-template.json`),
    functionParameters: join(dir, 'function-parameters.json'),
    parameters: join(dir, 'parameters.json'),
    state: join(dir, 'amplify.state'),
    customPolicies: join(dir, 'custom-policies.json'),
    src: join(dir, 'src'),
  };
}

/** Reads a JSON file of the project, naming the file when it is not valid JSON. */
export function readJsonFile<T>(file: string, fallback?: T): T {
  if (!existsSync(file)) {
    if (fallback !== undefined) return fallback;
    throw new UserError(`${file} is missing.`, 'Restore it from version control, or remove the function and add it again.');
  }
  try {
    return JSON.parse(readFileSync(file, 'utf8')) as T;
  } catch (error) {
    throw new UserError(`${file} is not valid JSON: ${(error as Error).message}`, 'Fix the file and run the command again.', { cause: error });
  }
}

/** Writes JSON as Amplify does: two-space indentation, no final newline. */
export function writeJsonFile(file: string, value: unknown): void {
  mkdirSync(dirname(file), { recursive: true });
  writeFileSync(file, JSON.stringify(value, null, 2));
}

/** `team-provider-info.json` of the project (`{ <env>: { awscloudformation, categories } }`). */
export type TeamProviderInfo = Record<string, { categories?: Record<string, Record<string, Record<string, unknown>>> } & Record<string, unknown>>;

export function teamProviderInfoPath(project: Project): string {
  return join(project.amplifyDir, 'team-provider-info.json');
}

/** The values `team-provider-info.json` keeps for one resource in one environment. */
export function readEnvParameters(project: Project, envName: string, category: string, resourceName: string): Record<string, unknown> {
  const info = readJsonFile<TeamProviderInfo>(teamProviderInfoPath(project), {});
  return { ...info[envName]?.categories?.[category]?.[resourceName] };
}

/** Replaces (or with `undefined`, deletes) values of one resource in one environment of `team-provider-info.json`. */
export function writeEnvParameters(project: Project, envName: string, category: string, resourceName: string, values: Record<string, unknown>): void {
  const file = teamProviderInfoPath(project);
  const info = readJsonFile<TeamProviderInfo>(file, {});
  const env = (info[envName] ??= {});
  const categories = (env.categories ??= {});
  const resources = (categories[category] ??= {});
  const next = { ...resources[resourceName] };
  for (const [key, value] of Object.entries(values)) {
    if (value === undefined) delete next[key];
    else next[key] = value;
  }
  resources[resourceName] = next;
  writeJsonFile(file, info);
}

/** Drops a removed resource's values from every environment of `team-provider-info.json`. */
export function forgetEnvParameters(project: Project, category: string, resourceName: string): void {
  const file = teamProviderInfoPath(project);
  if (!existsSync(file)) return;
  const info = readJsonFile<TeamProviderInfo>(file);
  for (const env of Object.values(info)) delete env.categories?.[category]?.[resourceName];
  writeJsonFile(file, info);
}

/** The app id of the environment (amplify-meta's provider section), for secret names. */
export function amplifyAppId(project: Project): string {
  const provider = (project.readMeta()['providers'] as Record<string, Record<string, unknown>> | undefined)?.['awscloudformation'];
  const id = provider?.['AmplifyAppId'];
  if (typeof id !== 'string' || id === '') {
    throw new UserError('This environment has no app id yet, so its secrets have no place in the cloud.', 'Run `forte init` (or `forte env add`) first.');
  }
  return id;
}
