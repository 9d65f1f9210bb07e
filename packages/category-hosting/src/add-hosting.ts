import { join } from 'node:path';
import { UserError, type BackendResource, type PluginContext } from '@forte/protocol';
import { defaultBucketName, validateBucketName } from './bucket-name.js';
import { writeJson } from './hosting-resource.js';
import {
  AMPLIFY_HOSTING,
  CATEGORY,
  PROVIDER_PLUGIN,
  S3_AND_CLOUDFRONT,
  templateFileOf,
  type EnvironmentSetup,
  type HostingService,
} from './hosting-services.js';
import { hostingTemplate } from './hosting-template.js';

/** `forte add hosting`: Amplify's questions, then the resource folder and its backend-config/meta entries. */
export async function addHosting(ctx: PluginContext): Promise<void> {
  const project = ctx.project();
  // Any hosting entry counts, even one of a service this plugin does not own: a project has one site.
  const existing = Object.keys(project.readBackendConfig()[CATEGORY] ?? {})[0];
  if (existing) {
    throw new UserError(
      `This project already has a hosting resource: ${existing}.`,
      'Remove it with `forte remove hosting` first, or change it with `forte update hosting`.',
    );
  }
  const service = await ctx.prompt.select<HostingService>({
    message: 'Select the plugin module to execute',
    choices: [
      { name: 'Hosting with Forte (managed hosting with atomic deploys)', value: AMPLIFY_HOSTING },
      { name: 'Amazon CloudFront and S3', value: S3_AND_CLOUDFRONT },
    ],
    default: AMPLIFY_HOSTING,
  });
  const dir = project.resourceDir(CATEGORY, service);
  let entry: BackendResource;
  if (service === AMPLIFY_HOSTING) {
    const type = await ctx.prompt.select<'manual' | 'cicd'>({
      message: 'Choose a type',
      choices: [
        { name: 'Manual deployment', value: 'manual' },
        { name: 'Continuous deployment (Git-based deployments)', value: 'cicd' },
      ],
      default: 'manual',
    });
    if (type === 'cicd') {
      throw new UserError(
        'Continuous deployment is not supported yet: use manual deployment and `forte publish`.',
        'Run `forte add hosting` again and choose "Manual deployment".',
      );
    }
    writeJson(join(dir, templateFileOf(service)), hostingTemplate(service));
    entry = { service, providerPlugin: PROVIDER_PLUGIN, type: 'manual' };
  } else {
    const setup = await askEnvironmentSetup(ctx, 'DEV');
    const bucketName = await ctx.prompt.input({
      message: 'hosting bucket name',
      default: defaultBucketName(project.config.projectName),
      validate: validateBucketName,
    });
    const valid = validateBucketName(bucketName);
    if (valid !== true) throw new UserError(`${JSON.stringify(bucketName)} is not a valid bucket name: ${valid}`, 'Choose another hosting bucket name.');
    writeJson(join(dir, templateFileOf(service)), hostingTemplate(service, setup));
    writeJson(join(dir, 'parameters.json'), { bucketName });
    entry = { service, providerPlugin: PROVIDER_PLUGIN };
  }

  const backend = project.readBackendConfig();
  backend[CATEGORY] = { ...backend[CATEGORY], [service]: entry };
  project.writeBackendConfig(backend);
  const meta = project.readMeta();
  meta[CATEGORY] = { ...meta[CATEGORY], [service]: { ...entry } };
  project.writeMeta(meta);

  ctx.print.success(`Successfully added resource ${service} locally.`);
  ctx.print.info('');
  ctx.print.info('Next steps:');
  ctx.print.info('  `forte push` creates the site in the cloud.');
  ctx.print.info('  `forte publish` builds your app and deploys it to the site.');
}

export async function askEnvironmentSetup(ctx: PluginContext, current: EnvironmentSetup): Promise<EnvironmentSetup> {
  return ctx.prompt.select<EnvironmentSetup>({
    message: 'Select the environment setup:',
    choices: [
      { name: 'DEV (S3 only with HTTP)', value: 'DEV' },
      { name: 'PROD (S3 with CloudFront using HTTPS)', value: 'PROD' },
    ],
    default: current,
  });
}
