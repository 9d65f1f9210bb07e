import type { Command } from '../command.js';
import { yesOption } from '../command-options.js';
import { pushBackend } from '../push-backend.js';

export const pushCommand: Command = {
  name: 'push',
  summary: 'Builds and deploys the resources that changed (one change set, with a preview).',
  usage: 'forte push [category [resource]] [options]',
  options: [
    { name: 'force', short: 'f', description: 'push every resource, even when nothing changed' },
    { name: 'allow-destructive-graphql-schema-updates', description: 'push a schema change that deletes or replaces tables' },
    { name: 'allow-data-loss', description: 'push a change that deletes data (a removed table, field or index)' },
    yesOption('push without asking to confirm the changes'),
  ],
  needsProject: true,
  async run(ctx) {
    const [category, resourceName] = ctx.input.subCommands;
    await pushBackend(ctx, { ...(category ? { categories: [category] } : {}), ...(resourceName ? { resourceName } : {}), force: ctx.input.options['force'] === true });
  },
};
