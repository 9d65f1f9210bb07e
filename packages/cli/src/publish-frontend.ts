import { UserError } from '@forte/protocol';
import { loadCategoryPlugin } from './category-plugin.js';
import type { CliContext } from './cli-context.js';
import { pushBackend } from './push-backend.js';
import { computeResourceStatus } from './resource-status.js';

/** `forte publish`: push when something changed, then frontend build, then the hosting plugin's publish. */
export async function publishFrontend(ctx: CliContext): Promise<void> {
  const project = ctx.project();
  const hosting = Object.entries(project.readBackendConfig()['hosting'] ?? {});
  const first = hosting[0];
  if (!first) throw new UserError('The project has no hosting resource to publish to.', 'Add one with `forte add hosting`, then run `forte publish`.');
  if (computeResourceStatus(project).changed || ctx.input.options['force'] === true) {
    await pushBackend(ctx, { force: ctx.input.options['force'] === true });
  } else {
    ctx.print.info('No changes detected; publishing the frontend');
  }
  const frontend = await ctx.frontend();
  await frontend.build(ctx);
  const distributionDir = frontend.distributionDir(ctx);
  const [resourceName, entry] = first;
  const plugin = await loadCategoryPlugin(ctx, 'hosting', entry.service);
  if (!plugin.publish) throw new UserError(`The hosting plugin for ${entry.service} cannot publish.`, 'Update the hosting plugin.');
  // The hosting plugin prints what it published and where it is live.
  await plugin.publish(
    ctx,
    { category: 'hosting', resourceName, service: entry.service, dir: project.resourceDir('hosting', resourceName) },
    { distributionDir },
  );
}
