import type { Command } from '../command.js';
import { pushBackend } from '../push-backend.js';

export const pushCommand: Command = {
  name: 'push',
  summary: 'Builds and deploys the resources that changed (one change set, with a preview).',
  usage: 'forte push [category [resource]] [--yes] [--force] [--codegen JSON]',
  flags: ['force', 'codegen'],
  needsProject: true,
  async run(ctx) {
    const [category, resourceName] = ctx.input.subCommands;
    await pushBackend(ctx, { ...(category ? { categories: [category] } : {}), ...(resourceName ? { resourceName } : {}), force: ctx.input.options['force'] === true });
  },
};
