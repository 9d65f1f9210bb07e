import { rmSync } from 'node:fs';
import { UserError, type PluginContext } from '@forte/protocol';
import { findHostingResource } from './hosting-resource.js';
import { CATEGORY } from './hosting-services.js';

/** `forte remove hosting`: asks (default no; `--yes` confirms), then deletes the folder and both entries. */
export async function removeHosting(ctx: PluginContext): Promise<void> {
  const project = ctx.project();
  const resource = findHostingResource(project);
  if (!resource) throw new UserError('This project has no hosting resource to remove.', 'See the resources with `forte status`.');
  const confirmed =
    ctx.prompt.yes ||
    (await ctx.prompt.confirm({
      message: `Are you sure you want to delete the resource ${resource.resourceName}? This action deletes all files related to this resource from the backend directory.`,
      default: false,
    }));
  if (!confirmed) {
    ctx.print.info('Nothing was removed.');
    return;
  }
  rmSync(project.resourceDir(CATEGORY, resource.resourceName), { recursive: true, force: true });
  const backend = project.readBackendConfig();
  const hosting = { ...backend[CATEGORY] };
  delete hosting[resource.resourceName];
  if (Object.keys(hosting).length > 0) backend[CATEGORY] = hosting;
  else delete backend[CATEGORY];
  project.writeBackendConfig(backend);
  const meta = project.readMeta();
  const metaHosting = { ...meta[CATEGORY] };
  delete metaHosting[resource.resourceName];
  if (Object.keys(metaHosting).length > 0) meta[CATEGORY] = metaHosting;
  else delete meta[CATEGORY];
  project.writeMeta(meta);
  ctx.print.success(`Successfully removed resource ${resource.resourceName} locally.`);
  ctx.print.info('Run `forte push` to delete the site from the cloud.');
}
