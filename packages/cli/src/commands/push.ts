import type { Command } from '../command.js';
import { yesOption } from '../command-options.js';
import { pushBackend } from '../push-backend.js';
import { UsageError } from '../usage-error.js';
import { watchPush } from '../watch-push.js';

export const pushCommand: Command = {
  name: 'push',
  summary: 'Builds and deploys the resources that changed (one change set, with a preview); --watch deploys each saved change.',
  usage: 'forte push [category [resource]] [options] | forte push --watch',
  options: [
    {
      name: 'watch',
      description: 'push what is pending, then deploy each saved change under amplify/backend (only the resources it touches) until Ctrl-C',
    },
    { name: 'force', short: 'f', description: 'push every resource, even when nothing changed' },
    { name: 'allow-destructive-graphql-schema-updates', description: "Amplify's flag: the same as --allow-data-loss" },
    { name: 'allow-data-loss', description: 'push a change that deletes stored data (a removed or replaced table, user pool or bucket)' },
    { name: 'codegen', value: 'JSON', description: "answers to the code generation questions after an API's first push (Amplify's --codegen)" },
    yesOption('push without asking to confirm the changes'),
  ],
  needsProject: true,
  async run(ctx) {
    const [category, resourceName] = ctx.input.subCommands;
    const { options } = ctx.input;
    const allowDataLoss = options['allow-destructive-graphql-schema-updates'] === true || options['allow-data-loss'] === true;
    if (options['watch'] === true) {
      if (category || options['force'] === true)
        throw new UsageError('forte push --watch deploys whatever you save: it takes no category, resource or --force.');
      await watchPush(ctx, { allowDataLoss });
      return;
    }
    await pushBackend(ctx, {
      ...(category ? { categories: [category] } : {}),
      ...(resourceName ? { resourceName } : {}),
      force: options['force'] === true,
      allowDataLoss,
    });
  },
};
