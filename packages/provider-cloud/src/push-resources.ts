import type { PluginContext, PushRequest, PushResource, PushResult, Template } from '@forte/protocol';
import { encodeBackendSnapshot, snapshotKey } from './backend-snapshot.js';
import { createControlClient } from './control-client.js';
import { createDeploymentBucket, type DeploymentBucket } from './deployment-bucket.js';
import { failureOf, followDeployment } from './follow-deployment.js';
import { buildRootTemplate, logicalIdOf, nestedTemplateKey, rootNamesFromEnvInfo } from './root-template.js';
import { liftNoEchoParameters } from './no-echo-parameters.js';
import { createSignedClient } from './signed-client.js';
import { stackOutputsOf } from './stack-outputs.js';

/**
 * Uploads the resources' assets (function code zips) the bucket does not hold yet. Their keys are
 * content-addressed, so a key that is there already holds these bytes; each is sent at most once.
 * Returns the keys uploaded.
 */
export async function uploadAssets(bucket: DeploymentBucket, resources: readonly PushResource[]): Promise<string[]> {
  const assets = new Map<string, Buffer>();
  for (const resource of resources) for (const asset of resource.assets ?? []) assets.set(asset.key, asset.body);
  const uploaded: string[] = [];
  for (const [key, body] of assets) {
    if (await bucket.has(key)) continue;
    await bucket.put(key, body, key.endsWith('.zip') ? 'application/zip' : 'application/octet-stream');
    uploaded.push(key);
  }
  return uploaded;
}

/**
 * One push: upload every nested template and the backend snapshot to the deployment bucket, create the
 * change set of the root stack, let the caller confirm, execute it and follow its events to the end.
 */
export async function pushResources(ctx: PluginContext, request: PushRequest): Promise<PushResult> {
  const client = createSignedClient(await ctx.cloud());
  const control = createControlClient(client);
  const names = rootNamesFromEnvInfo(request.envInfo);
  const bucket = createDeploymentBucket(client, names.deploymentBucketName);

  const nestedTemplates: Record<string, Template> = {};
  const nestedTemplateFiles: Record<string, string> = {};
  const templateKeys: Record<string, string> = {};
  for (const resource of request.resources) {
    const key = nestedTemplateKey(resource.category, resource.resourceName);
    nestedTemplates[key] = resource.template;
    if (resource.sourceFile !== undefined) nestedTemplateFiles[key] = resource.sourceFile;
    templateKeys[logicalIdOf(resource.category, resource.resourceName)] = key;
  }
  // Built first: a parameter without a value fails the push before anything is uploaded or applied.
  const { template, parameters } = liftNoEchoParameters(
    buildRootTemplate({ names, appId: request.appId, envName: request.envName, resources: request.resources }),
    nestedTemplates,
  );
  const key = snapshotKey();
  await Promise.all([
    ...Object.entries(nestedTemplates).map(([k, nested]) => bucket.put(k, JSON.stringify(nested, null, 2))),
    bucket.put(key, encodeBackendSnapshot(request.snapshot)),
    uploadAssets(bucket, request.resources),
  ]);

  const { changeSet } = await control.call('CreateChangeSet', {
    appId: request.appId,
    envName: request.envName,
    template,
    nestedTemplates,
    nestedTemplateFiles,
    parameters,
    currentCloudBackend: { bucket: names.deploymentBucketName, key },
    initiatedBy: request.initiatedBy,
  });
  const base = { snapshotKey: key, templateKeys, rootOutputs: {}, resourceOutputs: {} };
  if (!(await request.confirm(changeSet.changes))) return { ...base, status: 'CANCELLED' };

  request.beforeExecute({ changeSetId: changeSet.changeSetId, snapshotKey: key });
  const started = (await control.call('ExecuteChangeSet', { changeSetId: changeSet.changeSetId })).deployment;
  request.onDeploymentStarted(started);
  const { deployment, events } = await followDeployment(control, started, (e) => request.onEvent(e));
  if (deployment.status !== 'SUCCEEDED') return { ...base, status: 'FAILED', deployment, failure: failureOf(deployment, events) };

  const stack = await control.call('DescribeStack', { appId: request.appId, envName: request.envName });
  return { ...base, ...stackOutputsOf(stack.environment, stack.resources), status: 'SUCCEEDED', deployment };
}
