import type { PluginContext, PushRequest, PushResult, Template } from '@forte/protocol';
import { encodeBackendSnapshot, snapshotKey } from './backend-snapshot.js';
import { createControlClient } from './control-client.js';
import { createDeploymentBucket } from './deployment-bucket.js';
import { failureOf, followDeployment } from './follow-deployment.js';
import { buildRootTemplate, logicalIdOf, nestedTemplateKey, rootNamesFromEnvInfo } from './root-template.js';
import { createSignedClient } from './signed-client.js';
import { stackOutputsOf } from './stack-outputs.js';

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
  const key = snapshotKey();
  await Promise.all([
    ...Object.entries(nestedTemplates).map(([k, template]) => bucket.put(k, JSON.stringify(template, null, 2))),
    bucket.put(key, encodeBackendSnapshot(request.snapshot)),
  ]);

  const template = buildRootTemplate({ names, appId: request.appId, envName: request.envName, resources: request.resources });
  const { changeSet } = await control.call('CreateChangeSet', {
    appId: request.appId,
    envName: request.envName,
    template,
    nestedTemplates,
    nestedTemplateFiles,
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
