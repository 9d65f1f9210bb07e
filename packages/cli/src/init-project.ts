import { existsSync, mkdirSync, rmSync } from 'node:fs';
import { basename } from 'node:path';
import { PROJECT_CONFIG_VERSION, PROVIDER_NAME, UserError, localAwsInfoSchema, teamProviderInfoSchema, type AmplifyMeta, type ProjectConfig, type ProviderEnvInfo } from '@forte/protocol';
import type { CliContext } from './cli-context.js';
import { resourcesOf } from './cloud-state.js';
import { writeFrontendConfigs } from './frontend-configs.js';
import { readJsonFile, writeJsonFile } from './json-file.js';
import { jsonFlag } from './parse-args.js';
import { LOCAL_PROFILE } from './profiles.js';
import { projectPaths, type ProjectModel } from './project-model.js';
import { updateGitignore, writeProjectScaffold } from './project-scaffold.js';

const ENV_NAME = /^[a-z]{2,10}$/;

/** Amplify's rule: letters and digits only (others are stripped), 3 to 20 of them. */
export function normalizeProjectName(raw: string): string {
  const name = raw.replace(/[^A-Za-z0-9]/g, '');
  if (name.length < 3 || name.length > 20) {
    throw new UserError(`The project name "${raw}" must have 3 to 20 letters and digits (got ${name.length}).`, 'Pass another name, e.g. --amplify \'{"projectName":"myapp"}\'.');
  }
  return name;
}

export function checkEnvName(name: string): string {
  if (!ENV_NAME.test(name)) throw new UserError(`The environment name "${name}" must be 2 to 10 lowercase letters.`, 'Choose a name such as dev, test or prod.');
  return name;
}

/** Profile chosen by --providers `{"awscloudformation":{"profileName":...}}` (default: the local cloud). */
export function profileFromFlags(ctx: CliContext): string {
  const providers = jsonFlag(ctx.input.options, 'providers');
  const cfn = providers?.[PROVIDER_NAME] as Record<string, unknown> | undefined;
  if (cfn && cfn['useProfile'] === false) {
    throw new UserError('Access keys in --providers are not supported; keys live in named profiles.', 'Create a profile with `forte configure --profile NAME ...` and pass {"awscloudformation":{"useProfile":true,"profileName":"NAME"}}.');
  }
  const fromOption = ctx.input.options['profile'];
  return typeof cfn?.['profileName'] === 'string' ? cfn['profileName'] : typeof fromOption === 'string' ? fromOption : LOCAL_PROFILE;
}

export interface ProjectFilesInput {
  root: string;
  projectName: string;
  envName: string;
  defaultEditor: string;
  frontendName: string;
  frontendConfig: Record<string, unknown>;
  envInfo: ProviderEnvInfo;
  profileName: string;
}

/** Writes the amplify/ files of a new (or newly attached) project folder. backend/ files are kept when they exist. */
export function writeProjectFiles(input: ProjectFilesInput): void {
  const paths = projectPaths(input.root);
  mkdirSync(paths.backendDir, { recursive: true });
  const config: ProjectConfig = { projectName: input.projectName, version: PROJECT_CONFIG_VERSION, frontend: input.frontendName, [input.frontendName]: input.frontendConfig, providers: [PROVIDER_NAME] };
  writeJsonFile(paths.projectConfig, config);
  writeJsonFile(paths.localEnvInfo, { projectPath: input.root, defaultEditor: input.defaultEditor, envName: input.envName });
  const awsInfo = readJsonFile(paths.localAwsInfo, localAwsInfoSchema, input.root) ?? {};
  writeJsonFile(paths.localAwsInfo, { ...awsInfo, [input.envName]: { configLevel: 'project', useProfile: true, profileName: input.profileName } });
  if (!existsSync(paths.backendConfig)) writeJsonFile(paths.backendConfig, {});
  if (!existsSync(paths.tags)) writeJsonFile(paths.tags, [{ Key: 'user:Stack', Value: input.envName }, { Key: 'user:Application', Value: input.projectName }]);
  writeJsonFile(paths.meta, { providers: { [PROVIDER_NAME]: input.envInfo } });
  const tpi = readJsonFile(paths.teamProviderInfo, teamProviderInfoSchema, input.root) ?? {};
  writeJsonFile(paths.teamProviderInfo, { ...tpi, [input.envName]: { ...tpi[input.envName], [PROVIDER_NAME]: input.envInfo } });
  writeProjectScaffold(paths.amplifyDir);
  updateGitignore(input.root);
}

/** `forte init` in a folder without a project: questions (or flags), the cloud env, then the files. */
export async function initProject(ctx: CliContext): Promise<void> {
  const amplify = jsonFlag(ctx.input.options, 'amplify') ?? {};
  const frontendFlag = jsonFlag(ctx.input.options, 'frontend');
  const str = (v: unknown): string | undefined => (typeof v === 'string' ? v : undefined);
  const defaultName = basename(ctx.cwd).replace(/[^A-Za-z0-9]/g, '').slice(0, 20);
  const projectName = normalizeProjectName(
    str(amplify['projectName']) ?? (await ctx.prompt.input({ message: 'Enter a name for the project', default: defaultName.length >= 3 ? defaultName : 'forteapp' })),
  );
  const envName = checkEnvName(
    str(amplify['envName']) ?? str(ctx.input.options['envName']) ?? (await ctx.prompt.input({ message: 'Enter a name for the environment', default: 'dev', validate: (v) => ENV_NAME.test(v) || 'use 2 to 10 lowercase letters' })),
  );
  const defaultEditor = str(amplify['defaultEditor']) ?? (await ctx.prompt.input({ message: 'Choose your default editor', default: 'code' }));
  const frontendName = str(frontendFlag?.['frontend']) ?? str(frontendFlag?.['type']) ?? 'javascript';
  const frontend = await ctx.frontendByName(frontendName);
  const { frontend: chosen, ...frontendConfig } = await frontend.init(ctx, frontendFlag);
  const profileName = profileFromFlags(ctx);
  ctx.useProfile(profileName);

  const provider = await ctx.provider();
  const appId = str(amplify['appId']);
  const envInfo = await provider.initEnv(ctx, { projectName, envName, ...(appId ? { appId } : {}) });
  writeProjectFiles({ root: ctx.cwd, projectName, envName, defaultEditor, frontendName: chosen || frontendName, frontendConfig, envInfo, profileName });
  ctx.reloadProject();
  await writeFrontendConfigs(ctx, ctx.project().readMeta());
  ctx.print.success('Your project has been successfully initialized and connected to the cloud!');
  ctx.print.info('Some next steps:\n"forte status" shows the resources and what changed locally\n"forte add hosting" adds web hosting\n"forte push" deploys the local changes\n"forte publish" builds and publishes the frontend');
}

/**
 * `forte env add` (and `init` in an existing project): a new environment of the same app with the current
 * backend definition, checked out.
 */
export async function addEnvironment(ctx: CliContext, name: string | undefined): Promise<void> {
  const project = ctx.project();
  const tpi = project.readTeamProviderInfo();
  const envName = checkEnvName(name ?? (await ctx.prompt.input({ message: 'Enter a name for the environment', validate: (v) => ENV_NAME.test(v) || 'use 2 to 10 lowercase letters' })));
  if (tpi[envName]) throw new UserError(`The environment ${envName} already exists.`, `Check it out with \`forte env checkout ${envName}\`, or choose another name.`);
  const appId = project.readMeta().providers?.awscloudformation?.AmplifyAppId ?? Object.values(tpi).find((e) => e.awscloudformation)?.awscloudformation?.AmplifyAppId;
  if (!appId) throw new UserError('Your workspace is not configured to modify the backend (no app id in amplify-meta.json).', 'Run `forte pull` or `forte env checkout <name>` first.');
  const profileName = (project.readLocalAwsInfo()[project.envName]?.['profileName'] as string | undefined) ?? profileFromFlags(ctx);
  ctx.useProfile(profileName);
  const envInfo = await (await ctx.provider()).initEnv(ctx, { projectName: project.config.projectName, envName, appId });
  addEnvironmentFiles(project, envName, envInfo, profileName);
  ctx.reloadProject();
  await writeFrontendConfigs(ctx, ctx.project().readMeta());
  ctx.print.success(`Environment ${envName} is created and checked out.`);
}

/** Records a new environment and switches to it: nothing of it is deployed yet. */
function addEnvironmentFiles(project: ProjectModel, envName: string, envInfo: ProviderEnvInfo, profileName: string): void {
  project.writeTeamProviderInfo({ ...project.readTeamProviderInfo(), [envName]: { [PROVIDER_NAME]: envInfo } });
  project.writeLocalAwsInfo({ ...project.readLocalAwsInfo(), [envName]: { configLevel: 'project', useProfile: true, profileName } });
  project.writeLocalEnvInfo({ ...project.localEnvInfo, envName });
  const meta: AmplifyMeta = { providers: { [PROVIDER_NAME]: envInfo } };
  for (const [category, resourceName, entry] of resourcesOf(project.readBackendConfig() as Record<string, Record<string, unknown>>)) (meta[category] ??= {})[resourceName] = entry;
  project.writeMeta(meta);
  rmSync(project.currentCloudBackendDir, { recursive: true, force: true });
}
