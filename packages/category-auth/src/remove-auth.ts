import { rmSync } from 'node:fs';
import { UserError, type PluginContext } from '@forte/protocol';
import { findAuthResource } from './auth-resource.js';
import { CATEGORY } from './cognito-config.js';

/** `forte remove auth`: asks (default no; `--yes` confirms), then deletes the folder and both entries. */
export async function removeAuth(ctx: PluginContext): Promise<void> {
  const project = ctx.project();
  const resourceName = findAuthResource(project);
  if (!resourceName) throw new UserError('This project has no auth resource to remove.', 'See the resources with `forte status`.');
  const confirmed =
    ctx.prompt.yes ||
    (await ctx.prompt.confirm({
      message: `Are you sure you want to delete the resource ${resourceName}? This action deletes all files related to this resource from the backend directory.`,
      default: false,
    }));
  if (!confirmed) {
    ctx.print.info('Nothing was removed.');
    return;
  }
  rmSync(project.resourceDir(CATEGORY, resourceName), { recursive: true, force: true });
  const backend = project.readBackendConfig();
  const auth = { ...backend[CATEGORY] };
  delete auth[resourceName];
  if (Object.keys(auth).length > 0) backend[CATEGORY] = auth;
  else delete backend[CATEGORY];
  project.writeBackendConfig(backend);
  const meta = project.readMeta();
  const metaAuth = { ...meta[CATEGORY] };
  delete metaAuth[resourceName];
  if (Object.keys(metaAuth).length > 0) meta[CATEGORY] = metaAuth;
  else delete meta[CATEGORY];
  project.writeMeta(meta);
  ctx.print.success(`Successfully removed resource ${resourceName} locally.`);
  ctx.print.info('Run `forte push` to delete the user pool, its users and the identity pool from the cloud.');
}
