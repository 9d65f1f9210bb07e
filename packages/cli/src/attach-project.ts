import {
  PROVIDER_NAME,
  UserError,
  backendConfigSchema,
  isForteError,
  isUserError,
  localAwsInfoSchema,
  projectConfigSchema,
  teamProviderInfoSchema,
  type ProviderPlugin,
  type TeamProviderInfo,
} from '@forte/protocol';
import type { CliContext } from './cli-context.js';
import { rootStackIdOf, storeDeploymentSecrets } from './deployment-secrets.js';
import { DEFAULT_EDITOR, EDITORS } from './editors.js';
import { syncEnvironment } from './environments.js';
import { checkEnvName, profileFromFlags } from './init-project.js';
import { categoryInputs } from './init-categories.js';
import { readJsonFile, writeJsonFile } from './json-file.js';
import { jsonFlag } from './parse-args.js';
import { runPostInitHandlers } from './post-push.js';
import { projectPaths } from './project-model.js';
import { updateGitignore } from './project-scaffold.js';

const str = (v: unknown): string | undefined => (typeof v === 'string' ? v : undefined);

/**
 * `forte init` in a project folder without `amplify/.config/local-env-info.json` (a fresh clone of a Gen 1
 * repository), as Amplify's init does there: a new environment of this app in the cloud, the per-machine
 * files, the environment's category parameters of team-provider-info.json kept (copied from another
 * environment for a new name), its `awscloudformation` section replaced by the cloud's values, and
 * `--categories` values a repository never holds.
 */
export async function attachProject(ctx: CliContext, root: string): Promise<void> {
  const paths = projectPaths(root);
  const config = readJsonFile(paths.projectConfig, projectConfigSchema, root);
  if (!config) throw new UserError(`${paths.projectConfig} is missing.`, 'Run `forte init` in an empty folder to create a project.');
  const tpi: TeamProviderInfo = readJsonFile(paths.teamProviderInfo, teamProviderInfoSchema, root) ?? {};
  const amplify = jsonFlag(ctx.input.options, 'amplify') ?? {};
  const backendConfig = (readJsonFile(paths.backendConfig, backendConfigSchema, root) ?? {}) as Record<string, Record<string, unknown>>;
  // Checked before the cloud is touched: a bad --categories leaves nothing half made.
  const inputs = categoryInputs(jsonFlag(ctx.input.options, 'categories'), backendConfig);

  const envName = checkEnvName(str(amplify['envName']) ?? str(ctx.input.options['envName']) ?? (await askEnvName(ctx, Object.keys(tpi))));
  const defaultEditor =
    str(amplify['defaultEditor']) ??
    (ctx.prompt.yes
      ? DEFAULT_EDITOR
      : await ctx.prompt.select({
          message: 'Choose your default editor:',
          choices: EDITORS.map((e) => ({ name: e.name, value: e.value })),
          default: DEFAULT_EDITOR,
        }));
  const profileName = profileFromFlags(ctx);
  ctx.useProfile(profileName);
  const cloud = await ctx.cloud();
  const provider = await ctx.provider();
  // A repository pushed with Forte names its app in team-provider-info.json: a teammate's clone joins that app
  // (and its environment, when deployed) instead of making another; an AWS app id is unknown here.
  const appId = str(amplify['appId']) ?? (await appOfRepository(ctx, provider, tpi, envName));
  const envInfo = await provider.initEnv(ctx, { projectName: config.projectName, envName, ...(appId ? { appId } : {}) });
  ctx.print.info(
    `Connected to the ${ctx.usesLocalCloud() ? 'local ' : ''}Forte Cloud at ${cloud.endpoint} (app ${envInfo.AmplifyAppId}, environment ${envName})`,
  );

  // As Amplify's env add: a new name starts from the parameters of an environment the repository has.
  const source = tpi[envName] ? envName : Object.keys(tpi).find((name) => tpi[name]?.categories);
  const categories = structuredClone(source ? (tpi[source]?.categories ?? {}) : {});
  for (const [category, resources] of Object.entries(inputs.parameters))
    for (const [name, values] of Object.entries(resources)) Object.assign(((categories[category] ??= {})[name] ??= {}), values);
  writeJsonFile(paths.teamProviderInfo, { ...tpi, [envName]: { ...tpi[envName], [PROVIDER_NAME]: envInfo, categories } });
  if (Object.keys(inputs.secrets).length > 0)
    storeDeploymentSecrets({ rootStackId: rootStackIdOf(envInfo.StackId ?? envInfo.StackName), envName, values: inputs.secrets });

  writeJsonFile(paths.localEnvInfo, { projectPath: root, defaultEditor, envName });
  const awsInfo = readJsonFile(paths.localAwsInfo, localAwsInfoSchema, root) ?? {};
  writeJsonFile(paths.localAwsInfo, { ...awsInfo, [envName]: { configLevel: 'project', useProfile: true, profileName } });
  updateGitignore(root);
  ctx.reloadProject();
  // The environment as the cloud has it: empty when new; a teammate's clone joining a deployed one gets its
  // #current-cloud-backend and outputs, so status and push compare with what is deployed.
  await syncEnvironment(ctx, { restore: false });
  ctx.print.success(`\nThe project ${config.projectName} is attached: environment ${envName} is created and checked out.`);
  await runPostInitHandlers(ctx);
  ctx.print.info('"forte push" deploys its backend to the cloud.\n');
}

/** Amplify's questions for an existing project: use an environment the repository names, or a new one. */
async function askEnvName(ctx: CliContext, known: string[]): Promise<string> {
  const [first] = known;
  if (ctx.prompt.yes) return first ?? 'dev';
  if (first && (await ctx.prompt.confirm({ message: 'Do you want to use an existing environment?', default: true }))) {
    return ctx.prompt.select({
      message: 'Choose the environment you would like to use:',
      choices: known.map((name) => ({ name, value: name })),
      default: first,
    });
  }
  return ctx.prompt.input({ message: 'Enter a name for the environment', default: 'dev' });
}

/** The app that team-provider-info.json names (the chosen environment's first), if this cloud has it. */
async function appOfRepository(ctx: CliContext, provider: ProviderPlugin, tpi: TeamProviderInfo, envName: string): Promise<string | undefined> {
  const ids = [tpi[envName], ...Object.values(tpi)].map((env) => env?.[PROVIDER_NAME]?.AmplifyAppId).filter((id): id is string => typeof id === 'string');
  for (const appId of new Set(ids)) {
    try {
      return (await provider.getApp(ctx, { appId })).appId;
    } catch (error) {
      if (!isNotFound(error)) throw error;
    }
  }
  return undefined;
}

function isNotFound(error: unknown): boolean {
  const cause = isUserError(error) ? error.cause : error;
  return isForteError(cause) && cause.code === 'ResourceNotFoundException';
}
