import { existsSync, rmSync } from 'node:fs';
import { UserError, pushMarkerSchema, type Deployment, type PushMarker } from '@forte/protocol';
import type { CliContext } from './cli-context.js';
import { applyCloudState } from './cloud-state.js';
import { writeFrontendConfigs } from './frontend-configs.js';
import { readJsonFile, writeJsonFile } from './json-file.js';
import type { ProjectModel } from './project-model.js';

const markerSchema = pushMarkerSchema;
export type { PushMarker };

export function readPushMarker(project: ProjectModel): PushMarker | undefined {
  return readJsonFile(project.paths.pushMarker, markerSchema, project.root);
}

export function writePushMarker(project: ProjectModel, marker: PushMarker): void {
  writeJsonFile(project.paths.pushMarker, marker);
}

export function removePushMarker(project: ProjectModel): void {
  rmSync(project.paths.pushMarker, { force: true });
}

export type MarkerOutcome = 'none' | 'finalized' | 'succeeded' | 'dropped' | 'in-progress';

/**
 * Settles an interrupted push: asks the cloud how the marked deployment ended. Succeeded → the environment
 * is wholly new (with `finalize`, the local files are brought up to date); rolled back or failed → wholly
 * old (the marker is dropped); still running → said so.
 */
export async function settlePushMarker(ctx: CliContext, options: { finalize: boolean }): Promise<MarkerOutcome> {
  const project = ctx.project();
  if (!existsSync(project.paths.pushMarker)) return 'none';
  const marker = readPushMarker(project);
  if (!marker) return 'none';
  const provider = await ctx.provider();
  const appId =
    project.readMeta().providers?.awscloudformation?.AmplifyAppId ?? project.readTeamProviderInfo()[marker.envName]?.awscloudformation?.AmplifyAppId;
  if (!appId) {
    removePushMarker(project);
    return 'dropped';
  }
  let deployment: Deployment | undefined;
  const deploymentId = marker.deploymentId ?? (await provider.getEnvironment(ctx, { appId, envName: marker.envName })).lastDeploymentId;
  if (deploymentId) deployment = await provider.getDeployment(ctx, deploymentId);
  // Without a deployment id (a crash right after ExecuteChangeSet was sent), the env's last deployment is
  // ours only if it ran our change set.
  const started = deployment && (marker.deploymentId !== undefined || (marker.changeSetId !== undefined && deployment.changeSetId === marker.changeSetId));
  const print = ctx.print;
  if (!deployment || !started || deployment.status === 'ROLLED_BACK' || deployment.status === 'FAILED') {
    print.warn(
      `The interrupted push to ${marker.envName} did not complete${deployment?.error ? ` (${deployment.error})` : ''}: the environment is wholly as it was before it.`,
    );
    removePushMarker(project);
    return 'dropped';
  }
  if (deployment.status === 'IN_PROGRESS' || deployment.status === 'ROLLING_BACK') {
    print.warn(
      `Deployment ${deployment.deploymentId} of environment ${marker.envName} is still in progress (${deployment.status}, started by ${deployment.initiatedBy}).`,
    );
    return 'in-progress';
  }
  print.info(`The interrupted push (deployment ${deployment.deploymentId}) completed in the cloud: environment ${marker.envName} is wholly new.`);
  if (!options.finalize) {
    print.info('Run `forte push` to bring the local files up to date.');
    return 'succeeded';
  }
  const outputs = await provider.readOutputs(ctx, { appId, envName: marker.envName });
  const snapshot = await provider.downloadBackendSnapshot(ctx, { appId, envName: marker.envName, key: marker.snapshotKey });
  const envInfo = project.readTeamProviderInfo()[marker.envName]?.awscloudformation;
  if (!envInfo) throw new UserError(`team-provider-info.json has no entry for ${marker.envName}.`, 'Run `forte env pull` to restore it.');
  const meta = applyCloudState(project, {
    envInfo,
    outputs,
    snapshot,
    pushedAt: deployment.endedAt ?? new Date().toISOString(),
    templateKeys: marker.templateKeys,
  });
  await writeFrontendConfigs(ctx, meta);
  removePushMarker(project);
  print.success('The local files now match the cloud.');
  return 'finalized';
}
