import type { Command } from '../command.js';
import { pushBackend } from '../push-backend.js';

export const pushCommand: Command = {
  name: 'push',
  summary: 'Builds and deploys the resources that changed (one change set, with a preview).',
  usage: 'forte push [category [resource]] [--yes] [--force] [--allow-destructive-graphql-schema-updates | --allow-data-loss]',
  flags: ['force', 'allow-destructive-graphql-schema-updates', 'allow-data-loss'],
  needsProject: true,
  async run(ctx) {
    const [category, resourceName] = ctx.input.subCommands;
    const { options } = ctx.input;
    await pushBackend(ctx, {
      ...(category ? { categories: [category] } : {}),
      ...(resourceName ? { resourceName } : {}),
      force: options['force'] === true,
      allowDataLoss: options['allow-destructive-graphql-schema-updates'] === true || options['allow-data-loss'] === true,
    });
  },
};
