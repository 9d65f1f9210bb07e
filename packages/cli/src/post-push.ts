import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { PLUGIN_MANIFEST_FILE, type CategoryPlugin, type PushedResources } from '@forte/protocol';
import type { CliContext } from './cli-context.js';
import type { PluginInfo } from './plugin-registry.js';
import type { ResourceStatus } from './resource-status.js';

/** The resources of a push's status that it deployed (created or changed), as plugins see them. */
export function pushedResources(ctx: CliContext, status: ResourceStatus, deployed: { category: string; resourceName: string }[]): PushedResources {
  const project = ctx.project();
  const pushed: PushedResources = { created: [], updated: [] };
  for (const r of status.resources) {
    if (!deployed.some((d) => d.category === r.category && d.resourceName === r.resourceName)) continue;
    const ref = { category: r.category, resourceName: r.resourceName, service: r.service, dir: project.resourceDir(r.category, r.resourceName) };
    if (r.operation === 'Create') pushed.created.push(ref);
    else if (r.operation === 'Update') pushed.updated.push(ref);
  }
  return pushed;
}

/**
 * Amplify's PostPush event: each plugin whose manifest lists it runs `handlePostPush` (codegen asks its
 * questions after an API's first push, or regenerates). The push has already succeeded, so a plugin's
 * failure is a warning; Ctrl-C at one of its questions still cancels.
 */
export async function runPostPushHandlers(ctx: CliContext, pushed: PushedResources): Promise<void> {
  for (const info of ctx.registry.all().filter(handlesPostPush)) {
    try {
      const plugin = await ctx.loadPlugin<CategoryPlugin>(info);
      await plugin.handlePostPush?.({ ...ctx, input: { ...ctx.input, plugin: info.manifest.name } }, pushed);
    } catch (error) {
      if (error instanceof Error && error.name === 'ExitPromptError') throw error;
      ctx.print.warn(`${info.manifest.name} did not finish after the push: ${error instanceof Error ? error.message : String(error)}`);
    }
  }
}

/** Read from the manifest itself: plugins.json may have been written by an earlier forte, before eventHandlers existed. */
function handlesPostPush(info: PluginInfo): boolean {
  if (info.manifest.eventHandlers?.includes('PostPush')) return true;
  try {
    const manifest = JSON.parse(readFileSync(join(info.packageLocation, PLUGIN_MANIFEST_FILE), 'utf8')) as { eventHandlers?: unknown };
    return Array.isArray(manifest.eventHandlers) && manifest.eventHandlers.includes('PostPush');
  } catch {
    return false;
  }
}
