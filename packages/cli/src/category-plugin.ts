import { UserError, type CategoryPlugin } from '@forte/protocol';
import type { CliContext } from './cli-context.js';
import type { PluginInfo } from './plugin-registry.js';

/**
 * The category plugin for a resource: plugins named after the category, and among several (three
 * `hosting` plugins in Amplify) the one whose manifest `services` holds the resource's service.
 */
export function pickCategoryPlugin(ctx: CliContext, category: string, service?: string): PluginInfo {
  const candidates = ctx.registry.find(category).filter((p) => p.manifest.type === 'category');
  const picked = (service ? candidates.find((p) => p.manifest.services?.includes(service)) : undefined) ?? candidates[0];
  if (!picked)
    throw new UserError(
      `No plugin for the ${category} category is installed.`,
      'Install it (npm install) and run `forte plugin scan`; `forte plugin list` shows what is found.',
    );
  return picked;
}

export async function loadCategoryPlugin(ctx: CliContext, category: string, service?: string): Promise<CategoryPlugin> {
  return ctx.loadPlugin<CategoryPlugin>(pickCategoryPlugin(ctx, category, service));
}
