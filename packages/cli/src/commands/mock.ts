import { UserError } from '@forte/protocol';
import type { Command } from '../command.js';
import { UsageError } from '../usage-error.js';
import { watchPush } from '../watch-push.js';

/**
 * `forte mock` (Amplify's command for a local backend): Forte's backend is already local, so mock ensures
 * the cloud of the current environment runs and then deploys each saved change as `forte push --watch`.
 * `forte mock function <name>` is the function plugin's (run-cli hands it over before this runs).
 */
export const mockCommand: Command = {
  name: 'mock',
  summary: "Amplify's local backend: ensures the local cloud runs and deploys each saved change (as push --watch).",
  usage: 'forte mock [api] | forte mock function <name> [--event FILE]',
  options: [{ name: 'allow-data-loss', description: 'also apply saved changes that delete stored data (never applied otherwise)' }],
  yieldsToPlugins: true,
  needsProject: true,
  async run(ctx) {
    const [what, ...rest] = ctx.input.subCommands;
    if (what === 'storage')
      throw new UserError(
        "Amplify's `mock storage` emulates S3 content storage; Forte needs no storage mock: the local cloud serves buckets and tables as pushed.",
        'Run `forte mock` to push each saved change (buckets, tables, API, functions) to the local cloud.',
      );
    if ((what !== undefined && what !== 'api') || rest.length > 0)
      throw new UsageError(`forte mock ${ctx.input.subCommands.join(' ')}: mock takes api, storage or function <name>.`);
    const cloud = await ctx.cloud();
    const where = ctx.usesLocalCloud() ? 'the real local cloud' : 'the cloud of this environment';
    ctx.print.info(`Forte's mock is ${where} (${cloud.endpoint}): the API, auth and functions run there as deployed.`);
    await watchPush(ctx, { allowDataLoss: ctx.input.options['allow-data-loss'] === true });
  },
};
