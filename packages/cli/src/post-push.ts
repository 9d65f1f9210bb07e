import type { CategoryPlugin, PluginEvent, PushedResources } from '@forte/protocol';
import type { CliContext } from './cli-context.js';
import { handlesEvent } from './plugin-registry.js';
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
  await runEventHandlers(ctx, 'PostPush', 'after the push', (plugin, pluginCtx) => plugin.handlePostPush?.(pluginCtx, pushed));
}

/** Amplify's PostEnvAdd event: after `forte env add` created and checked out `envName` (the function category carries secrets over). */
export async function runPostEnvAddHandlers(ctx: CliContext, envs: { sourceEnv: string; envName: string }): Promise<void> {
  await runEventHandlers(ctx, 'PostEnvAdd', `after adding ${envs.envName}`, (plugin, pluginCtx) => plugin.handlePostEnvAdd?.(pluginCtx, envs));
}

/** Amplify's PostInit event: after `forte init` attached an existing project (the api category names what to migrate first). */
export async function runPostInitHandlers(ctx: CliContext): Promise<void> {
  await runEventHandlers(ctx, 'PostInit', 'after attaching the project', (plugin, pluginCtx) => plugin.handlePostInit?.(pluginCtx));
}

async function runEventHandlers(
  ctx: CliContext,
  event: PluginEvent,
  when: string,
  handle: (plugin: CategoryPlugin, pluginCtx: CliContext) => Promise<void> | undefined,
): Promise<void> {
  for (const info of ctx.registry.all().filter((p) => handlesEvent(p, event))) {
    try {
      const plugin = await ctx.loadPlugin<CategoryPlugin>(info);
      await handle(plugin, { ...ctx, input: { ...ctx.input, plugin: info.manifest.name } });
    } catch (error) {
      if (error instanceof Error && error.name === 'ExitPromptError') throw error;
      ctx.print.warn(`${info.manifest.name} did not finish ${when}: ${error instanceof Error ? error.message : String(error)}`);
    }
  }
}
