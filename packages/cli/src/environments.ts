import { existsSync, mkdirSync, rmSync, writeFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { PROVIDER_NAME, UserError, providerEnvInfoSchema, teamProviderInfoSchema, type Environment, type ProviderEnvInfo } from '@forte/protocol';
import type { CliContext } from './cli-context.js';
import { applyCloudState } from './cloud-state.js';
import { writeFrontendConfigs } from './frontend-configs.js';
import { readJsonFile, writeJsonFile } from './json-file.js';
import { findProjectRoot, projectPaths, type ProjectModel } from './project-model.js';
import { backendFilesOf } from './template-cache.js';

/** The providers.awscloudformation block of a deployed environment (its root stack outputs). */
export function envInfoFromEnvironment(environment: Environment, appId: string): ProviderEnvInfo {
  const parsed = providerEnvInfoSchema.safeParse({ ...environment.outputs, AmplifyAppId: appId });
  if (!parsed.success) {
    throw new UserError(
      `Environment ${environment.envName} of app ${appId} has no root stack outputs (status ${environment.status}).`,
      'Initialize it with `forte init` (or `forte env add`) first.',
    );
  }
  return parsed.data;
}

/** Writes snapshot files into a folder, replacing what it held. */
export function writeFolder(dir: string, files: Record<string, Buffer>): void {
  rmSync(dir, { recursive: true, force: true });
  mkdirSync(dir, { recursive: true });
  for (const [path, content] of Object.entries(files)) {
    const target = join(dir, ...path.split('/'));
    mkdirSync(dirname(target), { recursive: true });
    writeFileSync(target, content);
  }
}

/**
 * Downloads the current environment's snapshot into #current-cloud-backend (and into backend/ with
 * `restore`), rebuilds amplify-meta from the deployed stack and regenerates the frontend config.
 */
export async function syncEnvironment(ctx: CliContext, options: { restore: boolean }): Promise<void> {
  const project = ctx.project();
  const envInfo = envInfoOf(project, project.envName);
  const provider = await ctx.provider();
  const args = { appId: envInfo.AmplifyAppId, envName: project.envName };
  const environment = await provider.getEnvironment(ctx, args);
  const snapshot = await provider.downloadBackendSnapshot(ctx, args);
  const outputs = environment.lastDeploymentId ? await provider.readOutputs(ctx, args) : { rootOutputs: {}, resourceOutputs: {} };
  if (options.restore && snapshot) writeFolder(project.backendDir, backendFilesOf(snapshot));
  const meta = applyCloudState(project, { envInfo, outputs, snapshot, pushedAt: environment.updatedAt });
  await writeFrontendConfigs(ctx, meta);
}

export function envInfoOf(project: ProjectModel, envName: string): ProviderEnvInfo {
  const info = project.readTeamProviderInfo()[envName]?.[PROVIDER_NAME];
  if (!info)
    throw new UserError(
      `The environment ${envName} is not in amplify/team-provider-info.json.`,
      'See the environments with `forte env list`, or attach with `forte pull --appId <id> --envName <env>`.',
    );
  return info;
}

/** `forte env checkout <name> [--restore]`. */
export async function checkoutEnvironment(ctx: CliContext, envName: string, options: { restore: boolean }): Promise<void> {
  adoptClonedProject(ctx, envName);
  const project = ctx.project();
  envInfoOf(project, envName);
  const awsInfo = project.readLocalAwsInfo();
  if (!awsInfo[envName])
    project.writeLocalAwsInfo({ ...awsInfo, [envName]: awsInfo[project.envName] ?? { configLevel: 'project', useProfile: true, profileName: 'default' } });
  project.writeLocalEnvInfo({ ...project.localEnvInfo, envName });
  ctx.reloadProject();
  await syncEnvironment(ctx, options);
  ctx.print.success(`Environment ${envName} is checked out.`);
}

/**
 * A cloned project has team-provider-info but no local-env-info.json (it is not committed): checking out an
 * environment of team-provider-info creates it.
 */
function adoptClonedProject(ctx: CliContext, envName: string): void {
  const root = findProjectRoot(ctx.cwd);
  if (!root) return;
  const paths = projectPaths(root);
  if (existsSync(paths.localEnvInfo)) return;
  const tpi = readJsonFile(paths.teamProviderInfo, teamProviderInfoSchema, root) ?? {};
  if (!tpi[envName]?.[PROVIDER_NAME]) {
    throw new UserError(
      `The environment ${envName} is not in amplify/team-provider-info.json.`,
      `Use one of: ${Object.keys(tpi).join(', ') || '(none)'}, or attach with \`forte pull --appId <id> --envName <env>\`.`,
    );
  }
  writeJsonFile(paths.localEnvInfo, { projectPath: root, defaultEditor: 'code', envName });
  ctx.reloadProject();
}

/** `forte env remove <name>`: deletes it in the cloud and forgets it locally (never the checked-out one). */
export async function removeEnvironment(ctx: CliContext, envName: string): Promise<void> {
  const project = ctx.project();
  if (envName === project.envName)
    throw new UserError(
      `${envName} is the checked-out environment and cannot be removed.`,
      'Check out another environment first (`forte env checkout <name>`).',
    );
  const envInfo = envInfoOf(project, envName);
  if (
    !(await ctx.prompt.confirm({
      message: `Are you sure you want to delete the environment ${envName} (its resources are deleted in the cloud)?`,
      default: false,
    }))
  )
    return;
  await (await ctx.provider()).deleteEnvironment(ctx, { appId: envInfo.AmplifyAppId, envName });
  const { [envName]: _removed, ...tpi } = project.readTeamProviderInfo();
  project.writeTeamProviderInfo(tpi);
  const { [envName]: _gone, ...awsInfo } = project.readLocalAwsInfo();
  project.writeLocalAwsInfo(awsInfo);
  ctx.print.success(`Environment ${envName} is deleted.`);
}

/** `forte delete`: every environment in the cloud, then the app, then amplify/ and the frontend config files. */
export async function deleteProject(ctx: CliContext): Promise<void> {
  const project = ctx.project();
  const appId = project.readMeta().providers?.awscloudformation?.AmplifyAppId ?? envInfoOf(project, project.envName).AmplifyAppId;
  // --force: Amplify's `delete --force` deletes without the question.
  const confirmed =
    ctx.input.options['force'] === true ||
    (await ctx.prompt.confirm({
      message:
        'Are you sure you want to continue? This CANNOT be undone. (This deletes every environment of the project in the cloud and the local amplify folder.)',
      default: false,
    }));
  if (!confirmed) return;
  const provider = await ctx.provider();
  for (const env of await provider.listEnvironments(ctx, { appId })) {
    ctx.print.info(`Deleting environment ${env.envName}...`);
    await provider.deleteEnvironment(ctx, { appId, envName: env.envName });
  }
  await provider.deleteApp(ctx, { appId });
  const frontendConfig = project.config[project.config.frontend] as { config?: { SourceDir?: string } } | undefined;
  const sourceDir = join(project.root, frontendConfig?.config?.SourceDir ?? 'src');
  for (const file of [join(sourceDir, 'aws-exports.js'), join(project.root, 'amplify_outputs.json'), join(sourceDir, 'amplify_outputs.json')]) {
    if (existsSync(file)) rmSync(file);
  }
  rmSync(project.amplifyDir, { recursive: true, force: true });
  ctx.print.success('Project deleted in the cloud and locally.');
}
