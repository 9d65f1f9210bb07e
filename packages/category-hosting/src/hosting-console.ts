import { UserError, type PluginContext } from '@forte/protocol';
import { findHostingResource } from './hosting-resource.js';
import { CATEGORY } from './hosting-services.js';

/** `forte console hosting`: prints where the site is served. */
export async function printHostingConsole(ctx: PluginContext): Promise<void> {
  const project = ctx.project();
  const resource = findHostingResource(project);
  if (!resource) throw new UserError('This project has no hosting resource.', 'Add one with `forte add hosting`.');
  const output = (project.readMeta()[CATEGORY]?.[resource.resourceName] as { output?: Record<string, unknown> } | undefined)?.output ?? {};
  const url = output.Url ?? output.CloudFrontSecureURL ?? output.WebsiteURL;
  if (typeof url !== 'string')
    throw new UserError(`The hosting resource ${resource.resourceName} has not been pushed yet.`, 'Run `forte push`, then `forte publish`.');
  ctx.print.info(`Site: ${url}`);
}

export function printHostingHelp(ctx: PluginContext): void {
  ctx.print.info('forte hosting <subcommand>');
  ctx.print.table([
    ['Command', 'Description'],
    ['add', 'Adds a hosting resource (Hosting with Forte, or the S3 and CloudFront setup)'],
    ['update', 'Changes the hosting settings (alias: configure)'],
    ['remove', 'Removes the hosting resource from the project'],
    ['publish', 'Builds the app and deploys it to the site'],
    ['console', 'Prints the address of the site'],
    ['help', 'Shows this help'],
  ]);
}
