import { hostname } from 'node:os';
import { isForteError, isUserError, UserError, type App, type Environment, type PluginContext, type ProviderEnvInfo } from '@forte/protocol';
import { createControlClient, type ControlClient } from './control-client.js';
import { failureOf, followDeployment } from './follow-deployment.js';
import { buildRootTemplate, rootNames } from './root-template.js';
import { createSignedClient } from './signed-client.js';

/**
 * Creates the app (unless `appId` attaches to an existing one) and the environment, and deploys its root
 * stack (DeploymentBucket, AuthRole, UnauthRole). An environment that is already deployed is attached to
 * as it is. Returns the providers.awscloudformation block.
 */
export async function initEnv(ctx: PluginContext, args: { projectName: string; envName: string; appId?: string }): Promise<ProviderEnvInfo> {
  const cloud = await ctx.cloud();
  const control = createControlClient(createSignedClient(cloud));
  const app: App = args.appId ? (await control.call('GetApp', { appId: args.appId })).app : (await control.call('CreateApp', { name: args.projectName })).app;

  let environment = await findEnvironment(control, app.appId, args.envName);
  if (environment?.status === 'DEPLOYED' && environment.outputs['DeploymentBucketName']) return envInfoOf(environment, app.appId, cloud.region);
  environment ??= (await control.call('CreateEnvironment', { appId: app.appId, envName: args.envName })).environment;

  const names = rootNames(stackNameFor(environment.stackName, args.projectName, args.envName));
  const template = buildRootTemplate({ names, appId: app.appId, envName: args.envName, resources: [] });
  const { changeSet } = await control.call('CreateChangeSet', { appId: app.appId, envName: args.envName, template, initiatedBy: initiatedBy() });
  const started = (await control.call('ExecuteChangeSet', { changeSetId: changeSet.changeSetId })).deployment;
  const { deployment, events } = await followDeployment(control, started, () => undefined);
  if (deployment.status !== 'SUCCEEDED') {
    throw new UserError(
      `Creating the root stack of environment ${args.envName} failed: ${failureOf(deployment, events)}`,
      'Fix the cause named above, then run the command again.',
    );
  }
  environment = (await control.call('GetEnvironment', { appId: app.appId, envName: args.envName })).environment;
  return envInfoOf(environment, app.appId, cloud.region);
}

async function findEnvironment(control: ControlClient, appId: string, envName: string): Promise<Environment | undefined> {
  try {
    return (await control.call('GetEnvironment', { appId, envName })).environment;
  } catch (error) {
    const cause = isUserError(error) ? error.cause : error;
    if (isForteError(cause) && cause.code === 'ResourceNotFoundException') return undefined;
    throw error;
  }
}

/** Amplify's shape `amplify-<project>-<env>-<digits>`; the cloud's own stack name is kept when it has it. */
function stackNameFor(cloudStackName: string, projectName: string, envName: string): string {
  if (/^amplify-[A-Za-z0-9]+-[a-z]+-\d+$/.test(cloudStackName)) return cloudStackName;
  const digits = String(Math.floor(10000 + Math.random() * 90000));
  return `amplify-${projectName}-${envName}-${digits}`;
}

export function envInfoOf(environment: Environment, appId: string, region: string): ProviderEnvInfo {
  const o = environment.outputs;
  const str = (key: string): string | undefined => (typeof o[key] === 'string' ? (o[key] as string) : undefined);
  const stackName = str('StackName') ?? environment.stackName;
  const account = /^arn:[^:]+:iam::(\d+):/.exec(str('AuthRoleArn') ?? '')?.[1] ?? '000000000000';
  return {
    AuthRoleName: str('AuthRoleName'),
    UnauthRoleArn: str('UnauthRoleArn'),
    AuthRoleArn: str('AuthRoleArn'),
    Region: str('Region') ?? region,
    DeploymentBucketName: str('DeploymentBucketName') ?? `${stackName}-deployment`.toLowerCase(),
    UnauthRoleName: str('UnauthRoleName'),
    StackName: stackName,
    StackId: str('StackId') ?? `arn:aws:cloudformation:${str('Region') ?? region}:${account}:stack/${stackName}/${appId}`,
    AmplifyAppId: appId,
  };
}

/** `<user>@<host> (pid N)`: shown to a second pusher of the same environment. */
export function initiatedBy(): string {
  return `${process.env['USER'] ?? process.env['USERNAME'] ?? 'user'}@${hostname()} (pid ${process.pid})`;
}
