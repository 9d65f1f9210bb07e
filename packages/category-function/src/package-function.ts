import { createHash } from 'node:crypto';
import { existsSync } from 'node:fs';
import { join, relative } from 'node:path';
import { UserError, type PluginContext, type ResourceBuild, type ResourceRef, type Template } from '@forte/protocol';
import { BUILD_RECORD_FILE, installDependencies } from './build-function.js';
import { LAYER_SERVICE, functionPaths, readEnvParameters, readJsonFile } from './function-files.js';
import type { FunctionParameters } from './function-settings.js';
import { missingSecrets } from './function-secrets.js';
import { layerTemplatePath } from './layer-resource.js';
import { zipFolders } from './zip-folder.js';

/** Amplify's package name: `amplify-builds/<name>-<hash>-build.zip`, the hash of the zip's bytes. */
export const buildKey = (name: string, zip: Buffer): string =>
  `amplify-builds/${name}-${createHash('sha256').update(zip).digest('hex').slice(0, 20)}-build.zip`;

/** Installs a function's or layer's dependencies if its sources changed, and zips it (no upload). */
export async function packageResource(ctx: PluginContext, resource: ResourceRef): Promise<{ zip: Buffer; key: string; installed: boolean }> {
  const { resourceName, dir } = resource;
  if (resource.service === LAYER_SERVICE) {
    const installed = await installDependencies({ resourceName, buildDir: join(dir, 'lib', 'nodejs') });
    // Amplify's layer zip: lib's contents (nodejs/...) and opt's at the root; opt wins a clash.
    const zip = zipFolders([{ dir: join(dir, 'lib') }, ...(existsSync(join(dir, 'opt')) ? [{ dir: join(dir, 'opt') }] : [])], [`nodejs/${BUILD_RECORD_FILE}`]);
    return { zip, key: buildKey(resourceName, zip), installed };
  }
  const paths = functionPaths(dir, resourceName);
  if (!existsSync(paths.src))
    throw new UserError(`${paths.src} is missing: the function ${resourceName} has no code.`, 'Restore its src folder, or remove the function.');
  const state = readJsonFile<{ scripts?: { build?: string } }>(paths.state, {});
  const installed = await installDependencies({
    resourceName,
    buildDir: paths.src,
    ...(state.scripts?.build ? { stateBuild: state.scripts.build } : {}),
  });
  const zip = zipFolders([{ dir: paths.src }], [BUILD_RECORD_FILE]);
  return { zip, key: buildKey(resourceName, zip), installed };
}

/** `build()` for push: the template as on disk, its parameter values for the env, and the code zip to upload. */
export async function buildResource(ctx: PluginContext, resource: ResourceRef): Promise<ResourceBuild> {
  const project = ctx.project();
  const { resourceName, dir } = resource;
  const isLayer = resource.service === LAYER_SERVICE;
  const templateFile = isLayer ? layerTemplatePath(dir, resourceName) : functionPaths(dir, resourceName).template;
  const template = readJsonFile<Template>(templateFile);
  if (!isLayer) withCodeFromDeployment(template);
  if (!isLayer) {
    const secrets = readJsonFile<FunctionParameters>(functionPaths(dir, resourceName).functionParameters, { lambdaLayers: [] }).secretNames ?? [];
    const missing = await missingSecrets(ctx, project, resourceName, secrets);
    if (missing.length > 0) {
      throw new UserError(
        `The function ${resourceName} needs the secret${missing.length > 1 ? 's' : ''} ${missing.join(', ')}, which ${missing.length > 1 ? 'have' : 'has'} no value in environment ${project.envName}.`,
        `Set ${missing.length > 1 ? 'them' : 'it'} with \`forte update function\` (choose ${resourceName}, then the secret values).`,
      );
    }
  }
  const { zip, key } = await packageResource(ctx, resource);
  const { deploymentBucketName: _bucket, s3Key: _key, ...envValues } = readEnvParameters(project, project.envName, 'function', resourceName);
  const parameters = { ...readJsonFile<Record<string, unknown>>(join(dir, 'parameters.json'), {}), ...envValues, s3Key: key };
  return { template, parameters, assets: [{ key, body: zip }], sourceFile: relative(project.root, templateFile) };
}

/**
 * A function stack without `Code` (Amplify's older templates, such as its Admin Queries function's, leave it
 * to the push): the code comes from the deployment bucket, as Amplify's push adds it (`deploymentBucketName`
 * and `s3Key` parameters). The file on disk stays as it is.
 */
function withCodeFromDeployment(template: Template): void {
  const lambda = template.Resources?.['LambdaFunction'];
  if (lambda?.Type !== 'AWS::Lambda::Function' || !lambda.Properties || 'Code' in lambda.Properties) return;
  lambda.Properties['Code'] = { S3Bucket: { Ref: 'deploymentBucketName' }, S3Key: { Ref: 's3Key' } };
  template.Parameters = { ...template.Parameters, deploymentBucketName: { Type: 'String' }, s3Key: { Type: 'String' } };
}
