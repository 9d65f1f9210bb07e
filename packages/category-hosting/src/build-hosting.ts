import { existsSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { UserError, type PluginContext, type ResourceBuild, type ResourceRef } from '@forte/protocol';
import { isHostingService, S3_AND_CLOUDFRONT, templateFileOf } from './hosting-services.js';
import { environmentSetupOf, hostingTemplate } from './hosting-template.js';

/** The nested template of a hosting resource (regenerated, so templates written by Amplify work too). */
export async function buildHosting(_ctx: PluginContext, resource: ResourceRef): Promise<ResourceBuild> {
  const service = resource.service;
  if (!isHostingService(service)) {
    throw new UserError(
      `The hosting service ${service} is not supported.`,
      'Use amplifyhosting or S3AndCloudFront: `forte remove hosting`, then `forte add hosting`.',
    );
  }
  if (service !== S3_AND_CLOUDFRONT) return { template: hostingTemplate(service) };
  const templateFile = join(resource.dir, templateFileOf(service));
  const setup = existsSync(templateFile) ? environmentSetupOf(readJson(templateFile)) : 'DEV';
  const parametersFile = join(resource.dir, 'parameters.json');
  const parameters = existsSync(parametersFile) ? (readJson(parametersFile) as Record<string, unknown>) : {};
  const bucketName = parameters.bucketName;
  if (typeof bucketName !== 'string' || bucketName === '') {
    throw new UserError(`${parametersFile} has no bucketName.`, 'Set "bucketName" in it, or run `forte update hosting`.');
  }
  return { template: hostingTemplate(service, setup), parameters: { bucketName } };
}

function readJson(file: string): unknown {
  try {
    return JSON.parse(readFileSync(file, 'utf8'));
  } catch (error) {
    throw new UserError(`${file} is not valid JSON.`, 'Fix the file, or remove and add the hosting resource again.', { cause: error });
  }
}
