import { existsSync, statSync } from 'node:fs';
import { relative } from 'node:path';
import { UserError, type PluginContext, type ResourceRef } from '@forte/protocol';
import { CATEGORY } from './hosting-services.js';
import { listSiteFiles } from './list-site-files.js';

/** Deploys the built frontend in `distributionDir` to the resource's site; returns the live URL. */
export async function publishSite(ctx: PluginContext, resource: ResourceRef, options: { distributionDir: string }): Promise<{ url: string }> {
  const project = ctx.project();
  const dir = options.distributionDir;
  const shown = relative(project.root, dir) || '.';
  if (!existsSync(dir) || !statSync(dir).isDirectory()) {
    throw new UserError(`${shown} does not exist.`, 'Build the app, or set DistributionDir in amplify/.config/project-config.json.');
  }
  const files = listSiteFiles(dir, project.root);
  if (files.length === 0) throw new UserError(`${shown} has no files to publish.`, 'Build the app first, or check the globs in amplifyPublishIgnore.json.');
  const output = (project.readMeta()[CATEGORY]?.[resource.resourceName] as { output?: Record<string, unknown> } | undefined)?.output;
  const siteId = output?.SiteId;
  if (typeof siteId !== 'string' || siteId === '') {
    throw new UserError(`The hosting resource ${resource.resourceName} has not been created in the cloud yet.`, 'Run `forte push` first, then publish again.');
  }
  const provider = await ctx.provider();
  const result = await provider.deploySite(ctx, { siteId, files });
  ctx.print.success(`Published ${files.length} file(s) from ${shown} (${result.uploaded} uploaded, the rest unchanged).`);
  ctx.print.info(`Your app is live at ${result.url}`);
  return { url: result.url };
}
