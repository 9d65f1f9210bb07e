import { existsSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { UserError, type PluginContext } from '@forte/protocol';
import { askEnvironmentSetup } from './add-hosting.js';
import { findHostingResource, writeJson } from './hosting-resource.js';
import { AMPLIFY_HOSTING, CATEGORY, templateFileOf } from './hosting-services.js';
import { environmentSetupOf, hostingTemplate } from './hosting-template.js';

/** `forte update hosting` (= `configure`): re-asks what can change. */
export async function configureHosting(ctx: PluginContext): Promise<void> {
  const project = ctx.project();
  const resource = findHostingResource(project);
  if (!resource) throw new UserError('This project has no hosting resource to configure.', 'Add one with `forte add hosting`.');
  if (resource.service === AMPLIFY_HOSTING) {
    ctx.print.info('Hosting with Forte uses manual deployments: there is nothing to configure. Deploy with `forte publish`.');
    return;
  }
  const file = join(project.resourceDir(CATEGORY, resource.resourceName), templateFileOf(resource.service));
  const current = existsSync(file) ? environmentSetupOf(JSON.parse(readFileSync(file, 'utf8'))) : 'DEV';
  const setup = await askEnvironmentSetup(ctx, current);
  writeJson(file, hostingTemplate(resource.service, setup));
  ctx.print.success(`Updated ${resource.resourceName} (${setup}). Run \`forte push\` to apply it.`);
}
