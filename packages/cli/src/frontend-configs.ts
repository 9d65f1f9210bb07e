import type { AmplifyMeta } from '@forte/protocol';
import type { CliContext } from './cli-context.js';

/** Regenerates aws-exports.js / amplify_outputs.json; a missing frontend plugin is a warning, not a failure. */
export async function writeFrontendConfigs(ctx: CliContext, meta: AmplifyMeta): Promise<void> {
  let frontend;
  try {
    frontend = await ctx.frontend();
  } catch (error) {
    ctx.print.warn(`The frontend configuration was not written: ${(error as Error).message}`);
    return;
  }
  await frontend.createFrontendConfigs(ctx, meta);
}
