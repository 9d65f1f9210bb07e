import { existsSync, mkdirSync, rmSync } from 'node:fs';
import { basename } from 'node:path';
import {
  PROJECT_CONFIG_VERSION,
  PROVIDER_NAME,
  UserError,
  localAwsInfoSchema,
  teamProviderInfoSchema,
  type AmplifyMeta,
  type FrontendPlugin,
  type FrontendSettings,
  type ProjectConfig,
  type ProviderEnvInfo,
} from '@forte/protocol';
import type { CliContext } from './cli-context.js';
import { resourcesOf } from './cloud-state.js';
import { DEFAULT_EDITOR, EDITORS, editorOf } from './editors.js';
import { writeFrontendConfigs } from './frontend-configs.js';
import { readJsonFile, writeJsonFile } from './json-file.js';
import { jsonFlag } from './parse-args.js';
import { LOCAL_PROFILE } from './profiles.js';
import { projectPaths, type ProjectModel } from './project-model.js';
import { runPostEnvAddHandlers } from './post-push.js';
import { PROJECT_NAME_RULE, checkProjectName, isProjectNameValid, projectNameFromFolder } from './project-name.js';
import { updateGitignore, writeProjectScaffold } from './project-scaffold.js';

const ENV_NAME = /^[a-z]{2,10}$/;
const ENV_NAME_RULE = 'Environment name must be between 2 and 10 characters, and lowercase only.';

export function checkEnvName(name: string): string {
  if (!ENV_NAME.test(name))
    throw new UserError(`The environment name "${name}" must be 2 to 10 lowercase letters.`, `${ENV_NAME_RULE} Choose a name such as dev, test or prod.`);
  return name;
}

/** Profile chosen by --providers `{"awscloudformation":{"profileName":...}}` (default: the local cloud). */
export function profileFromFlags(ctx: CliContext): string {
  const providers = jsonFlag(ctx.input.options, 'providers');
  const cfn = providers?.[PROVIDER_NAME] as Record<string, unknown> | undefined;
  if (cfn && cfn['useProfile'] === false) {
    throw new UserError(
      'Access keys in --providers are not supported; keys live in named profiles.',
      'Create a profile with `forte configure --profile NAME ...` and pass {"awscloudformation":{"useProfile":true,"profileName":"NAME"}}.',
    );
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
  const config: ProjectConfig = {
    projectName: input.projectName,
    version: PROJECT_CONFIG_VERSION,
    frontend: input.frontendName,
    [input.frontendName]: input.frontendConfig,
    providers: [PROVIDER_NAME],
  };
  writeJsonFile(paths.projectConfig, config);
  writeJsonFile(paths.localEnvInfo, { projectPath: input.root, defaultEditor: input.defaultEditor, envName: input.envName });
  const awsInfo = readJsonFile(paths.localAwsInfo, localAwsInfoSchema, input.root) ?? {};
  writeJsonFile(paths.localAwsInfo, { ...awsInfo, [input.envName]: { configLevel: 'project', useProfile: true, profileName: input.profileName } });
  if (!existsSync(paths.backendConfig)) writeJsonFile(paths.backendConfig, {});
  if (!existsSync(paths.tags))
    writeJsonFile(paths.tags, [
      { Key: 'user:Stack', Value: input.envName },
      { Key: 'user:Application', Value: input.projectName },
    ]);
  writeJsonFile(paths.meta, { providers: { [PROVIDER_NAME]: input.envInfo } });
  const tpi = readJsonFile(paths.teamProviderInfo, teamProviderInfoSchema, input.root) ?? {};
  writeJsonFile(paths.teamProviderInfo, { ...tpi, [input.envName]: { ...tpi[input.envName], [PROVIDER_NAME]: input.envInfo } });
  writeProjectScaffold(paths.amplifyDir);
  updateGitignore(input.root);
}

/** What init applies: shown as Amplify's summary, then used as it is or changed question by question. */
interface InitChoices {
  projectName: string;
  envName: string;
  defaultEditor: string;
  frontendName: string;
  frontend: FrontendSettings;
}

/**
 * `forte init` in a folder without a project, in Amplify's order: the project name, a summary of the
 * settings it would apply (from the flags, else detected from the folder) and "Initialize the project with
 * the above configuration?" (`--yes` accepts). No asks each setting. Then the cloud env and the files.
 */
export async function initProject(ctx: CliContext): Promise<void> {
  const amplify = jsonFlag(ctx.input.options, 'amplify') ?? {};
  const frontendFlag = jsonFlag(ctx.input.options, 'frontend');
  const str = (v: unknown): string | undefined => (typeof v === 'string' ? v : undefined);
  const givenName = str(amplify['projectName']);
  const givenEnv = str(amplify['envName']) ?? str(ctx.input.options['envName']);
  const givenEditor = str(amplify['defaultEditor']);
  const projectName = givenName !== undefined ? checkProjectName(givenName) : await askProjectName(ctx, projectNameFromFolder(basename(ctx.cwd)));
  const frontendName = str(frontendFlag?.['frontend']) ?? str(frontendFlag?.['type']) ?? str(amplify['frontend']) ?? 'javascript';
  const frontend = await ctx.frontendByName(frontendName);
  let choices: InitChoices = {
    projectName,
    envName: checkEnvName(givenEnv ?? 'dev'),
    defaultEditor: givenEditor ?? DEFAULT_EDITOR,
    frontendName,
    frontend: await frontend.init(ctx, frontendFlag, { useDefaults: true }),
  };
  printSummary(ctx, choices, frontend);
  if (!ctx.prompt.yes && !(await ctx.prompt.confirm({ message: 'Initialize the project with the above configuration?', default: true }))) {
    choices = await askChoices(ctx, { projectName, frontendFlag, givenEnv, givenEditor });
  }
  const profileName = profileFromFlags(ctx);
  ctx.useProfile(profileName);

  const provider = await ctx.provider();
  const appId = str(amplify['appId']);
  const cloud = await ctx.cloud();
  const envInfo = await provider.initEnv(ctx, { projectName, envName: choices.envName, ...(appId ? { appId } : {}) });
  ctx.print.info(
    ctx.usesLocalCloud()
      ? `Connected to the local Forte Cloud at ${cloud.endpoint}`
      : `Connected to the Forte Cloud at ${cloud.endpoint} (remote, profile ${profileName})`,
  );
  const { frontend: chosen, ...frontendConfig } = choices.frontend;
  writeProjectFiles({
    root: ctx.cwd,
    projectName,
    envName: choices.envName,
    defaultEditor: choices.defaultEditor,
    frontendName: chosen || choices.frontendName,
    frontendConfig,
    envInfo,
    profileName,
  });
  ctx.reloadProject();
  await writeFrontendConfigs(ctx, ctx.project().readMeta());
  printNextSteps(ctx);
}

async function askProjectName(ctx: CliContext, fallback: string): Promise<string> {
  if (ctx.prompt.yes) return fallback;
  return ctx.prompt.input({ message: 'Enter a name for the project', default: fallback, validate: (v) => isProjectNameValid(v) || PROJECT_NAME_RULE });
}

function printSummary(ctx: CliContext, choices: InitChoices, frontend: FrontendPlugin): void {
  const lines = [
    `Name: ${choices.projectName}`,
    `Environment: ${choices.envName}`,
    `Default editor: ${editorOf(choices.defaultEditor)?.name ?? choices.defaultEditor}`,
    ...(frontend.describeSettings?.(choices.frontend) ?? [`App type: ${choices.frontendName}`]),
  ];
  ctx.print.success('The following configuration will be applied:');
  ctx.print.info(`\nProject information\n${lines.map((l) => `| ${l}`).join('\n')}\n`);
}

/** "No" to the summary: Amplify's questions, in its order (flags still answer theirs). */
async function askChoices(
  ctx: CliContext,
  given: { projectName: string; frontendFlag: Record<string, unknown> | undefined; givenEnv: string | undefined; givenEditor: string | undefined },
): Promise<InitChoices> {
  const envName = checkEnvName(
    given.givenEnv ??
      (await ctx.prompt.input({ message: 'Enter a name for the environment', default: 'dev', validate: (v) => ENV_NAME.test(v) || ENV_NAME_RULE })),
  );
  const defaultEditor =
    given.givenEditor ??
    (await ctx.prompt.select({
      message: 'Choose your default editor:',
      choices: EDITORS.map((e) => ({ name: e.name, value: e.value })),
      default: DEFAULT_EDITOR,
    }));
  const frontendName = await askAppType(ctx, given.frontendFlag);
  const frontend = await ctx.frontendByName(frontendName);
  return { projectName: given.projectName, envName, defaultEditor, frontendName, frontend: await frontend.init(ctx, given.frontendFlag) };
}

/** Amplify's "Choose the type of app that you're building" lists its frontend plugins; Forte lists the ones installed. */
async function askAppType(ctx: CliContext, frontendFlag: Record<string, unknown> | undefined): Promise<string> {
  const fromFlag = frontendFlag?.['frontend'] ?? frontendFlag?.['type'];
  if (typeof fromFlag === 'string') return fromFlag;
  const installed = ctx.registry
    .all()
    .filter((p) => p.manifest.type === 'frontend')
    .map((p) => p.manifest.name);
  const [only] = installed;
  if (installed.length === 1 && only) {
    ctx.print.info(
      `Choose the type of app that you're building: ${only} (the only app type Forte supports; Amplify's android, flutter and ios are not available)`,
    );
    return only;
  }
  return ctx.prompt.select({
    message: "Choose the type of app that you're building",
    choices: installed.map((name) => ({ name, value: name })),
    default: installed.includes('javascript') ? 'javascript' : only,
  });
}

function printNextSteps(ctx: CliContext): void {
  ctx.print.success('\nYour project has been successfully initialized and connected to the cloud!\n');
  ctx.print.success('Some next steps:');
  ctx.print.info(
    [
      '"forte status" will show you what you\'ve added already and if it\'s locally configured or deployed',
      '"forte add <category>" will allow you to add features like user login ("forte add auth") or a backend API ("forte add api")',
      '"forte push" will build all your local backend resources and provision it in the cloud',
      '"forte console" shows the address of the Forte Cloud console, to view your project status',
      '"forte publish" will build all your local backend and frontend resources (if you have hosting category added) and provision it in the cloud',
      '',
    ].join('\n'),
  );
  ctx.print.success('Pro tip:');
  ctx.print.info('Try "forte add api" to create a backend API and then "forte publish" to deploy everything\n');
}

/**
 * `forte env add` (and `init` in an existing project): a new environment of the same app with the current
 * backend definition, checked out.
 */
export async function addEnvironment(ctx: CliContext, name: string | undefined): Promise<void> {
  const project = ctx.project();
  const tpi = project.readTeamProviderInfo();
  const envName = checkEnvName(
    name ?? (await ctx.prompt.input({ message: 'Enter a name for the environment', validate: (v) => ENV_NAME.test(v) || ENV_NAME_RULE })),
  );
  if (tpi[envName])
    throw new UserError(`The environment ${envName} already exists.`, `Check it out with \`forte env checkout ${envName}\`, or choose another name.`);
  const appId =
    project.readMeta().providers?.awscloudformation?.AmplifyAppId ?? Object.values(tpi).find((e) => e.awscloudformation)?.awscloudformation?.AmplifyAppId;
  if (!appId)
    throw new UserError(
      'Your workspace is not configured to modify the backend (no app id in amplify-meta.json).',
      'Run `forte pull` or `forte env checkout <name>` first.',
    );
  const profileName = (project.readLocalAwsInfo()[project.envName]?.['profileName'] as string | undefined) ?? profileFromFlags(ctx);
  ctx.useProfile(profileName);
  const envInfo = await (await ctx.provider()).initEnv(ctx, { projectName: project.config.projectName, envName, appId });
  const sourceEnv = project.envName;
  addEnvironmentFiles(project, envName, envInfo, profileName);
  ctx.reloadProject();
  await writeFrontendConfigs(ctx, ctx.project().readMeta());
  ctx.print.success(`Environment ${envName} is created and checked out.`);
  await runPostEnvAddHandlers(ctx, { sourceEnv, envName });
}

/** Records a new environment and switches to it: nothing of it is deployed yet. */
function addEnvironmentFiles(project: ProjectModel, envName: string, envInfo: ProviderEnvInfo, profileName: string): void {
  // As Amplify's env add, the new environment starts with the parameters of the one it was added from (a
  // function's environment variable values, secretsPathAmplifyAppId, …); `forte update <category>` changes them.
  const tpi = project.readTeamProviderInfo();
  const categories = tpi[project.envName]?.categories;
  project.writeTeamProviderInfo({
    ...tpi,
    [envName]: { [PROVIDER_NAME]: envInfo, ...(categories ? { categories: structuredClone(categories) } : {}) },
  });
  project.writeLocalAwsInfo({ ...project.readLocalAwsInfo(), [envName]: { configLevel: 'project', useProfile: true, profileName } });
  project.writeLocalEnvInfo({ ...project.localEnvInfo, envName });
  const meta: AmplifyMeta = { providers: { [PROVIDER_NAME]: envInfo } };
  for (const [category, resourceName, entry] of resourcesOf(project.readBackendConfig() as Record<string, Record<string, unknown>>))
    (meta[category] ??= {})[resourceName] = entry;
  project.writeMeta(meta);
  rmSync(project.currentCloudBackendDir, { recursive: true, force: true });
}
