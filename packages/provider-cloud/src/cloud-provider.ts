import { UserError, type PluginContext, type ProviderPlugin } from '@forte/protocol';
import { decodeBackendSnapshot } from './backend-snapshot.js';
import { createControlClient, type ControlClient } from './control-client.js';
import { createDeploymentBucket } from './deployment-bucket.js';
import { deploySite } from './deploy-site.js';
import { initEnv } from './init-env.js';
import { listMailbox } from './list-mailbox.js';
import { pushResources } from './push-resources.js';
import { CloudRequestError, createSignedClient, type SignedClient } from './signed-client.js';
import { stackOutputsOf } from './stack-outputs.js';

async function clients(ctx: PluginContext): Promise<{ client: SignedClient; control: ControlClient }> {
  const client = createSignedClient(await ctx.cloud());
  return { client, control: createControlClient(client) };
}

/** The `awscloudformation` provider: every cloud call of the CLI, over the cloud's signed admin API. */
export function createCloudProvider(): ProviderPlugin {
  return {
    initEnv,
    pushResources,
    async getDeployment(ctx, deploymentId) {
      const { control } = await clients(ctx);
      return (await control.call('GetDeployment', { deploymentId })).deployment;
    },
    async getApp(ctx, args) {
      const { control } = await clients(ctx);
      return (await control.call('GetApp', args)).app;
    },
    async readOutputs(ctx, args) {
      const { control } = await clients(ctx);
      const stack = await control.call('DescribeStack', args);
      return stackOutputsOf(stack.environment, stack.resources);
    },
    async getEnvironment(ctx, args) {
      const { control } = await clients(ctx);
      return (await control.call('GetEnvironment', args)).environment;
    },
    async listEnvironments(ctx, args) {
      const { control } = await clients(ctx);
      return (await control.call('ListEnvironments', args)).environments;
    },
    async describeStack(ctx, args) {
      const { control } = await clients(ctx);
      return control.call('DescribeStack', args);
    },
    async deleteEnvironment(ctx, args) {
      const { control } = await clients(ctx);
      const { deployment } = await control.call('DeleteEnvironment', args);
      if (deployment.status === 'FAILED' || deployment.status === 'ROLLED_BACK') {
        throw new UserError(
          `Deleting environment ${args.envName} failed: ${deployment.error ?? deployment.status}`,
          'Fix the cause named above and run the command again.',
        );
      }
    },
    async deleteApp(ctx, args) {
      const { control } = await clients(ctx);
      await control.call('DeleteApp', args);
    },
    async downloadBackendSnapshot(ctx, args) {
      const { client, control } = await clients(ctx);
      let location: { bucket: string; key: string } | undefined;
      if (args.key) {
        const { environment } = await control.call('GetEnvironment', { appId: args.appId, envName: args.envName });
        const bucket =
          typeof environment.outputs['DeploymentBucketName'] === 'string'
            ? environment.outputs['DeploymentBucketName']
            : environment.currentCloudBackend?.bucket;
        if (bucket) location = { bucket, key: args.key };
      } else {
        location = (await control.call('GetEnvironment', { appId: args.appId, envName: args.envName })).environment.currentCloudBackend;
      }
      if (!location) return undefined;
      const data = await createDeploymentBucket(client, location.bucket).get(location.key);
      return data ? decodeBackendSnapshot(data, location.key) : undefined;
    },
    async deploySite(ctx, args) {
      const { client } = await clients(ctx);
      return deploySite(client, args);
    },
    async listMailbox(ctx, args) {
      const { client } = await clients(ctx);
      return listMailbox(client, args);
    },
    async createConsoleLoginLink(ctx) {
      const { control } = await clients(ctx);
      return control.call('CreateConsoleLoginLink', {});
    },
    async listDeletedData(ctx, args) {
      const { control } = await clients(ctx);
      return (await control.call('ListDeletedData', args)).copies;
    },
    async restoreDeletedData(ctx, args) {
      const { control } = await clients(ctx);
      try {
        return await control.call('RestoreDeletedData', args);
      } catch (error) {
        // Here "not found" means the resource to restore into, not the app or environment.
        if (error instanceof UserError && error.cause instanceof CloudRequestError && error.cause.code === 'ResourceNotFoundException') {
          throw new UserError(
            error.message,
            'Add the resource back as it was (same category, resource and model names), run `forte push`, then run `forte env restore-deleted` again.',
            { cause: error.cause },
          );
        }
        throw error;
      }
    },
  };
}
