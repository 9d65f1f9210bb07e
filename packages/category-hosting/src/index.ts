import { UserError, type PluginContext, type ResourceBuild, type ResourceRef } from '@forte/protocol';
import { addHosting } from './add-hosting.js';
import { buildHosting } from './build-hosting.js';
import { configureHosting } from './configure-hosting.js';
import { printHostingConsole, printHostingHelp } from './hosting-console.js';
import { findHostingResource } from './hosting-resource.js';
import { CATEGORY } from './hosting-services.js';
import { publishSite } from './publish-site.js';
import { removeHosting } from './remove-hosting.js';

export { hostingTemplate } from './hosting-template.js';
export { listSiteFiles, PUBLISH_IGNORE_FILE } from './list-site-files.js';

const ALIASES: Record<string, string> = { enable: 'add', update: 'configure' };

/** Runs `forte hosting <command>` (or `forte <command> hosting`). */
export async function executeCommand(ctx: PluginContext): Promise<void> {
  const command = ctx.input.command ?? 'help';
  switch (ALIASES[command] ?? command) {
    case 'add':
      return addHosting(ctx);
    case 'configure':
      return configureHosting(ctx);
    case 'remove':
      return removeHosting(ctx);
    case 'console':
      return printHostingConsole(ctx);
    case 'publish':
      return publishCommand(ctx);
    case 'help':
      return printHostingHelp(ctx);
    default:
      throw new UserError(`hosting has no command ${command}.`, 'See the commands with `forte hosting help`.');
  }
}

/** The nested template of a hosting resource (called by `forte push`). */
export function build(ctx: PluginContext, resource: ResourceRef): Promise<ResourceBuild> {
  return buildHosting(ctx, resource);
}

/** Deploys the built frontend to the site (called by `forte publish`). */
export function publish(ctx: PluginContext, resource: ResourceRef, options: { distributionDir: string }): Promise<{ url: string }> {
  return publishSite(ctx, resource, options);
}

/** `forte hosting publish`: build the frontend, then deploy it (without a push: the site must exist). */
async function publishCommand(ctx: PluginContext): Promise<void> {
  const project = ctx.project();
  const resource = findHostingResource(project);
  if (!resource) throw new UserError('This project has no hosting resource to publish to.', 'Add one with `forte add hosting`, then `forte push`.');
  const frontend = await ctx.frontend();
  await frontend.build(ctx);
  await publishSite(
    ctx,
    { category: CATEGORY, resourceName: resource.resourceName, service: resource.service, dir: project.resourceDir(CATEGORY, resource.resourceName) },
    { distributionDir: frontend.distributionDir(ctx) },
  );
}
