import type { CategoryPlugin } from '@forte/protocol';
import { pickCategoryPlugin } from './category-plugin.js';
import type { CliContext } from './cli-context.js';
import { handlesEvent } from './plugin-registry.js';
import { OPERATION_ORDER, type ResourceStatus } from './resource-status.js';
import { readCachedTemplate, templateCachePath } from './template-cache.js';

/**
 * The status with each deployed resource whose files did not change, but whose plugin says it is `outdated` (what its
 * build reads elsewhere changed: an API's admin roles, when a function is given access to it), marked Update, so
 * that the status shows it and the push builds it again. Only plugins whose manifest lists `CheckOutdated` are
 * asked (and loaded).
 */
export async function withOutdatedResources(ctx: CliContext, status: ResourceStatus): Promise<ResourceStatus> {
  const project = ctx.project();
  let marked = false;
  const resources = await Promise.all(
    status.resources.map(async (state) => {
      if (state.operation !== 'No Change') return state;
      let info;
      try {
        info = pickCategoryPlugin(ctx, state.category, state.service || undefined);
      } catch {
        return state; // no plugin for the category: the push refuses it, naming it
      }
      if (!handlesEvent(info, 'CheckOutdated')) return state;
      const deployed = readCachedTemplate(templateCachePath(project.currentCloudBackendDir, state.category, state.resourceName));
      if (!deployed) return state;
      const plugin = await ctx.loadPlugin<CategoryPlugin>(info);
      const ref = {
        category: state.category,
        resourceName: state.resourceName,
        service: state.service,
        dir: project.resourceDir(state.category, state.resourceName),
      };
      if (!plugin.outdated || !(await plugin.outdated(ctx, ref, deployed))) return state;
      marked = true;
      return { ...state, operation: 'Update' as const };
    }),
  );
  if (!marked) return status;
  resources.sort((a, b) => OPERATION_ORDER.indexOf(a.operation) - OPERATION_ORDER.indexOf(b.operation));
  return { ...status, resources, changed: true };
}
