import { existsSync } from 'node:fs';
import type { CliContext } from './cli-context.js';
import { applyCloudState } from './cloud-state.js';
import { envInfoFromEnvironment, syncEnvironment, writeFolder } from './environments.js';
import { writeFrontendConfigs } from './frontend-configs.js';
import { checkEnvName, profileFromFlags, writeProjectFiles } from './init-project.js';
import { jsonFlag } from './parse-args.js';
import { findProjectRoot, projectPaths } from './project-model.js';
import { backendFilesOf } from './template-cache.js';

/**
 * `forte pull`: in a project, re-download the current environment (backend/ only with --restore). In a
 * folder without one, attach it to an existing app and environment: project files, #current-cloud-backend,
 * and backend/ when it is absent (or with --restore; never overwritten otherwise), then the frontend config.
 */
export async function pullProject(ctx: CliContext): Promise<void> {
  const restore = ctx.input.options['restore'] === true;
  if (findProjectRoot(ctx.cwd) === ctx.cwd && existsSync(projectPaths(ctx.cwd).localEnvInfo)) {
    const amplify = jsonFlag(ctx.input.options, 'amplify');
    if (!amplify?.['appId'] && !ctx.input.options['appId']) {
      await syncEnvironment(ctx, { restore });
      ctx.print.success(`Pulled environment ${ctx.project().envName}${restore ? ' (backend/ restored)' : ''}.`);
      return;
    }
  }
  const amplify = jsonFlag(ctx.input.options, 'amplify') ?? {};
  const str = (v: unknown): string | undefined => (typeof v === 'string' ? v : undefined);
  const appId = str(amplify['appId']) ?? str(ctx.input.options['appId']) ?? (await ctx.prompt.input({ message: 'Enter the app id' }));
  const envName = checkEnvName(
    str(amplify['envName']) ?? str(ctx.input.options['envName']) ?? (await ctx.prompt.input({ message: 'Enter the environment name', default: 'dev' })),
  );
  const profileName = profileFromFlags(ctx);
  ctx.useProfile(profileName);
  const provider = await ctx.provider();
  const app = await provider.getApp(ctx, { appId });
  const environment = await provider.getEnvironment(ctx, { appId, envName });
  const envInfo = envInfoFromEnvironment(environment, appId);

  const frontendFlag = jsonFlag(ctx.input.options, 'frontend');
  const frontendName = str(frontendFlag?.['frontend']) ?? 'javascript';
  const { frontend: chosen, ...frontendConfig } = await (await ctx.frontendByName(frontendName)).init(ctx, frontendFlag);

  const paths = projectPaths(ctx.cwd);
  const backendExisted = existsSync(paths.backendDir);
  const snapshot = await provider.downloadBackendSnapshot(ctx, { appId, envName });
  if (snapshot && (!backendExisted || restore)) writeFolder(paths.backendDir, backendFilesOf(snapshot));
  writeProjectFiles({
    root: ctx.cwd,
    projectName: app.name,
    envName,
    defaultEditor: str(amplify['defaultEditor']) ?? 'code',
    frontendName: chosen || frontendName,
    frontendConfig,
    envInfo,
    profileName,
  });
  ctx.reloadProject();
  const project = ctx.project();
  const outputs = environment.lastDeploymentId ? await provider.readOutputs(ctx, { appId, envName }) : { rootOutputs: {}, resourceOutputs: {} };
  const meta = applyCloudState(project, { envInfo, outputs, snapshot, pushedAt: environment.updatedAt });
  await writeFrontendConfigs(ctx, meta);
  if (backendExisted && !restore && snapshot) ctx.print.warn('backend/ already existed and was kept; pass --restore to replace it with the cloud version.');
  ctx.print.success(`Attached to app ${app.name} (${appId}), environment ${envName}.`);
}
