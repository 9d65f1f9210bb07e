import { existsSync } from 'node:fs';
import { dirname, join } from 'node:path';
import {
  UserError,
  amplifyMetaSchema,
  backendConfigSchema,
  localAwsInfoSchema,
  tagsSchema,
  localEnvInfoSchema,
  projectConfigSchema,
  teamProviderInfoSchema,
  type AmplifyMeta,
  type BackendConfig,
  type LocalEnvInfo,
  type Project,
  type ProjectConfig,
  type TeamProviderInfo,
} from '@forte/protocol';
import { readJsonFile, writeJsonFile, type Schema } from './json-file.js';

const metaSchema = amplifyMetaSchema;
export type LocalAwsInfo = Record<string, Record<string, unknown>>;
export type Tags = { Key: string; Value: string }[];

/** Paths of an Amplify Gen 1 project folder. */
export function projectPaths(root: string) {
  const amplifyDir = join(root, 'amplify');
  const backendDir = join(amplifyDir, 'backend');
  const currentCloudBackendDir = join(amplifyDir, '#current-cloud-backend');
  const configDir = join(amplifyDir, '.config');
  return {
    root,
    amplifyDir,
    backendDir,
    currentCloudBackendDir,
    configDir,
    projectConfig: join(configDir, 'project-config.json'),
    localEnvInfo: join(configDir, 'local-env-info.json'),
    localAwsInfo: join(configDir, 'local-aws-info.json'),
    pushMarker: join(configDir, 'local-push-state.json'),
    teamProviderInfo: join(amplifyDir, 'team-provider-info.json'),
    backendConfig: join(backendDir, 'backend-config.json'),
    meta: join(backendDir, 'amplify-meta.json'),
    tags: join(backendDir, 'tags.json'),
    currentMeta: join(currentCloudBackendDir, 'amplify-meta.json'),
    currentBackendConfig: join(currentCloudBackendDir, 'backend-config.json'),
    currentTags: join(currentCloudBackendDir, 'tags.json'),
    cliJson: join(amplifyDir, 'cli.json'),
    hooksDir: join(amplifyDir, 'hooks'),
  };
}
export type ProjectPaths = ReturnType<typeof projectPaths>;

/** The folder at or above `cwd` holding `amplify/.config/project-config.json`. */
export function findProjectRoot(cwd: string): string | undefined {
  for (let dir = cwd; ; dir = dirname(dir)) {
    if (existsSync(projectPaths(dir).projectConfig)) return dir;
    if (dirname(dir) === dir) return undefined;
  }
}

/** The open project with every amplify/ file it reads and writes (validated; malformed files are UserErrors). */
export interface ProjectModel extends Project {
  paths: ProjectPaths;
  localEnvInfo: LocalEnvInfo;
  readTeamProviderInfo(): TeamProviderInfo;
  writeTeamProviderInfo(info: TeamProviderInfo): void;
  readLocalAwsInfo(): LocalAwsInfo;
  writeLocalAwsInfo(info: LocalAwsInfo): void;
  writeLocalEnvInfo(info: LocalEnvInfo): void;
  /** undefined when the file is missing. */
  readMetaIfExists(): AmplifyMeta | undefined;
  readCurrentMeta(): AmplifyMeta;
  readCurrentBackendConfig(): BackendConfig;
  readTags(): Tags | undefined;
  readCurrentTags(): Tags | undefined;
}

export function openProject(root: string): ProjectModel {
  const paths = projectPaths(root);
  const config = readJsonFile(paths.projectConfig, projectConfigSchema, root) as ProjectConfig | undefined;
  if (!config) throw new UserError(`No Forte project in ${root}.`, 'Run `forte init` to create one, or `forte pull` to attach to an existing app.');
  const localEnvInfo = readJsonFile(paths.localEnvInfo, localEnvInfoSchema, root);
  if (!localEnvInfo) {
    throw new UserError(
      'amplify/.config/local-env-info.json is missing: no environment is checked out.',
      'In a fresh clone of the project, run `forte init` to attach it to the cloud. Otherwise run `forte env checkout <name>` with an environment of amplify/team-provider-info.json, or `forte pull --appId <id> --envName <env>`.',
    );
  }
  const read = <T>(path: string, schema: Schema<T>): T | undefined => readJsonFile(path, schema, root);
  return {
    root,
    paths,
    amplifyDir: paths.amplifyDir,
    backendDir: paths.backendDir,
    currentCloudBackendDir: paths.currentCloudBackendDir,
    envName: localEnvInfo.envName,
    config,
    localEnvInfo,
    readBackendConfig: () => (read(paths.backendConfig, backendConfigSchema) ?? {}) as BackendConfig,
    writeBackendConfig: (c) => writeJsonFile(paths.backendConfig, c),
    readMeta: () => (read(paths.meta, metaSchema) ?? {}) as AmplifyMeta,
    readMetaIfExists: () => read(paths.meta, metaSchema) as AmplifyMeta | undefined,
    writeMeta: (m) => writeJsonFile(paths.meta, m),
    readCurrentMeta: () => (read(paths.currentMeta, metaSchema) ?? {}) as AmplifyMeta,
    readCurrentBackendConfig: () => (read(paths.currentBackendConfig, backendConfigSchema) ?? {}) as BackendConfig,
    readTags: () => read(paths.tags, tagsSchema),
    readCurrentTags: () => read(paths.currentTags, tagsSchema),
    readTeamProviderInfo: () => read(paths.teamProviderInfo, teamProviderInfoSchema) ?? {},
    writeTeamProviderInfo: (info) => writeJsonFile(paths.teamProviderInfo, info),
    readLocalAwsInfo: () => read(paths.localAwsInfo, localAwsInfoSchema) ?? {},
    writeLocalAwsInfo: (info) => writeJsonFile(paths.localAwsInfo, info),
    writeLocalEnvInfo: (info) => writeJsonFile(paths.localEnvInfo, info),
    resourceDir: (category, resourceName) => join(paths.backendDir, category, resourceName),
  };
}
