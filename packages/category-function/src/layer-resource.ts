import { existsSync, mkdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { UserError, type PluginContext, type Template } from '@forte/protocol';
import { CATEGORY, LAYER_SERVICE, NODE_RUNTIME, PROVIDER_PLUGIN, writeJsonFile } from './function-files.js';
import { stackDescription } from './function-template.js';
import { FUNCTION_NAME, cliVersion, defaultFunctionName } from './function-resource.js';

/** The file of a layer's stack (Amplify: `<layer>-awscloudformation-template.json`). */
export const layerTemplatePath = (dir: string, name: string): string => join(dir, `${name}-awscloudformation-template.json`);

/** A layer's stack: one version of `lib` + `opt`, usable by this account. */
export function layerTemplate(name: string): Template {
  const ref = (n: string) => ({ Ref: n });
  return {
    AWSTemplateFormatVersion: '2010-09-09',
    Description: stackDescription('function-LambdaLayer', cliVersion()),
    Parameters: {
      env: { Type: 'String' },
      deploymentBucketName: { Type: 'String' },
      s3Key: { Type: 'String' },
      description: { Type: 'String', Default: '' },
      runtimes: { Type: 'List<String>' },
    },
    Resources: {
      LambdaLayerVersion: {
        Type: 'AWS::Lambda::LayerVersion',
        Properties: {
          CompatibleRuntimes: ref('runtimes'),
          Content: { S3Bucket: ref('deploymentBucketName'), S3Key: ref('s3Key') },
          Description: ref('description'),
          LayerName: { 'Fn::Sub': [`${name}-\${env}`, { env: ref('env') }] },
        },
        DeletionPolicy: 'Delete',
      },
      LambdaLayerPermissionPrivate: {
        Type: 'AWS::Lambda::LayerVersionPermission',
        Properties: { Action: 'lambda:GetLayerVersion', LayerVersionArn: ref('LambdaLayerVersion'), Principal: ref('AWS::AccountId') },
      },
    },
    Outputs: { Arn: { Value: ref('LambdaLayerVersion') } },
  };
}

/** Writes a layer folder (Amplify's §1.9 files) and its backend entries. */
export function createLayer(ctx: PluginContext, name: string, description = ''): void {
  const project = ctx.project();
  const dir = project.resourceDir(CATEGORY, name);
  if (existsSync(dir) || project.readBackendConfig()[CATEGORY]?.[name])
    throw new UserError(`A function or layer named ${name} already exists.`, 'Choose another name.');
  mkdirSync(join(dir, 'lib', 'nodejs'), { recursive: true });
  mkdirSync(join(dir, 'opt'), { recursive: true });
  writeFileSync(join(dir, 'lib', 'nodejs', 'package.json'), `${JSON.stringify({ version: '1.0.0', main: 'index.js', dependencies: {} }, null, 2)}\n`);
  writeFileSync(
    join(dir, 'lib', 'nodejs', 'README.txt'),
    'Put dependencies in package.json; they are installed into nodejs/node_modules and reach functions as /opt/nodejs/node_modules.\n',
  );
  writeFileSync(join(dir, 'opt', '.gitkeep'), '');
  writeJsonFile(join(dir, 'layer-configuration.json'), {
    permissions: [{ type: 'Private' }],
    runtimes: [{ value: 'nodejs', name: 'NodeJS', runtimePluginId: 'amplify-nodejs-function-runtime-provider', layerExecutablePath: 'nodejs' }],
  });
  writeJsonFile(join(dir, 'parameters.json'), { runtimes: [NODE_RUNTIME], description });
  writeJsonFile(layerTemplatePath(dir, name), layerTemplate(name));
  const entry = { build: true, providerPlugin: PROVIDER_PLUGIN, service: LAYER_SERVICE };
  const backend = project.readBackendConfig();
  backend[CATEGORY] = { ...backend[CATEGORY], [name]: entry };
  const parameters = { ...(backend['parameters'] ?? {}) } as Record<string, unknown>;
  for (const p of ['deploymentBucketName', 's3Key']) parameters[`AMPLIFY_${CATEGORY}_${name}_${p}`] = { usedBy: [{ category: CATEGORY, resourceName: name }] };
  backend['parameters'] = parameters as (typeof backend)[string];
  project.writeBackendConfig(backend);
  const meta = project.readMeta();
  meta[CATEGORY] = { ...meta[CATEGORY], [name]: { ...(meta[CATEGORY]?.[name] as object | undefined), ...entry } };
  project.writeMeta(meta);
}

/** `forte add function` → Lambda layer. */
export async function addLayer(ctx: PluginContext): Promise<void> {
  const name = await ctx.prompt.input({
    message: 'Provide a name for your Lambda layer:',
    default: `${defaultFunctionName(ctx.project())}`.replace(/^(.*?)([0-9a-f]{8})$/, '$1layer$2'),
    validate: (v) => (FUNCTION_NAME.test(v) ? true : 'You can use the following characters: a-z A-Z 0-9'),
  });
  const runtime = await ctx.prompt.select({
    message: 'Choose the runtime that you want to use:',
    choices: [
      { name: 'NodeJS', value: 'NodeJS' },
      { name: 'Python', value: 'Python' },
    ],
    default: 'NodeJS',
  });
  if (runtime !== 'NodeJS') throw new UserError(`Forte runs Node.js functions only; ${runtime} layers are not supported.`, 'Choose NodeJS.');
  createLayer(ctx, name);
  ctx.print.success(`Lambda layer folders & files created: amplify/backend/function/${name}`);
  ctx.print.info('');
  ctx.print.info('Next steps:');
  ctx.print.info('Move your libraries to the following folder:');
  ctx.print.info(`[NodeJS]: amplify/backend/function/${name}/lib/nodejs`);
  ctx.print.info('Include any files you want to share across runtimes in this folder:');
  ctx.print.info(`amplify/backend/function/${name}/opt`);
}
